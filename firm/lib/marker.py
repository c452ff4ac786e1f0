"""The billing marker: what staff dial between the number and the client code (``**`` in
``0232123456**123``). The firm's settings hold it and the dial rules read it, so the rule for a
valid marker lives here, below both. Pure: no Django."""

import unicodedata

MARKER_CHARACTERS = frozenset("0123456789*#")
MAX_MARKER_LENGTH = 4
# The history keeps this many former markers (they fit the settings' 200 characters).
MAX_FORMER_MARKERS = 30


def describe_character(ch: str) -> str:
    """A readable name for a character: quoted when visible, else its code point and name."""
    if ch.isprintable() and not ch.isspace():
        return f"'{ch}'"
    return f"U+{ord(ch):04X} {unicodedata.name(ch, '')}".rstrip()


def marker_problem(marker: str) -> str | None:
    """Why ``marker`` cannot be a billing marker (an English clause), or None when it can be:
    1-4 of digits, '*', '#', with at least one '*' or '#'."""
    bad = next((ch for ch in marker if ch not in MARKER_CHARACTERS), None)
    if bad is not None:
        return f"it contains {describe_character(bad)}; only digits, '*' and '#' are allowed"
    if not 1 <= len(marker) <= MAX_MARKER_LENGTH:
        return f"it must be 1 to {MAX_MARKER_LENGTH} characters long, not {len(marker)}"
    if "*" not in marker and "#" not in marker:
        return "it must contain '*' or '#', or it could not be told apart from the number"
    return None


def marker_history_with(former: tuple[str, ...], *, old: str, new: str) -> tuple[str, ...]:
    """The former markers after the marker changes from ``old`` to ``new``: ``old`` first, each
    marker once, never the marker in use, at most ``MAX_FORMER_MARKERS`` (the oldest go)."""
    history = (old, *former) if old and old != new else former
    kept: list[str] = []
    for marker in history:
        if marker != new and marker not in kept:
            kept.append(marker)
    return tuple(kept[:MAX_FORMER_MARKERS])
