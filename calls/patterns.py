"""The Log Reporter's Destination wildcard: what a pattern means, and when it names a billing code.

Pure Python (standard library only); no Django. ``calls.pattern_queries`` turns a pattern into a
database query that must give exactly the calls ``matches`` accepts.

Rules and decisions
-------------------
1. Wildcard. ``%`` matches any run of characters, none included. Every other character is
   literal: ``*``, ``#``, ``_``, ``\\``, ``?``, ``[`` and letters mean themselves. A pattern is
   anchored at both ends, so a pattern with no ``%`` means exactly that destination.
   Destinations are stored as recorded (``3454565678**123``: number, marker, client code), so
   ``%**%`` finds every call with a code, ``%**123`` client 123, ``%**1%`` clients whose code
   starts with 1, ``0232%`` numbers starting with 0232.
2. Case. Matching is case-sensitive: ``a`` matches only ``a`` (destinations are digits, ``*``
   and ``#`` in practice; a letter is compared as it was recorded, e.g. ``s`` or ``SIP``).
   The database side keeps this on SQLite and PostgreSQL alike (see ``calls.pattern_queries``).
3. Validation (``validate_pattern``). Surrounding spaces are stripped (spaces inside are
   literal). Refused, with ``PatternError.code``: ``empty``, ``too_long`` (more than
   ``MAX_PATTERN_LENGTH`` characters), ``control_character`` (tab, newline, NUL...).
4. Pieces. A pattern is equivalently the tuple of its literal pieces, the text between its
   ``%``: ``%**123`` is ``('', '**123')``, ``0232%`` is ``('0232', '')``, ``123`` is ``('123',)``.
   A run of ``%`` is one wildcard (``%%`` is ``%``), so pieces between wildcards are never empty.
   A destination matches the pieces when it is ``p0 + any + p1 + any + ... + p_last``.
5. Modes (``pattern_for``). FreePBX and TIM users pick "begins with", "contains", "ends
   with" or "exactly" and type plain text, in which ``%`` is literal too. Such a text cannot
   always be written as a pattern string (its ``%`` would become a wildcard), so
   ``pattern_for`` returns pieces, which say it exactly: ``pattern_for('begins', '5%')`` is
   ``('5%', '')``. Decision: every function here and ``destination_q`` accepts a pattern either
   as a string (``%`` is the wildcard) or as pieces, so callers never escape anything.
   The "not" flag is not a pattern: it negates the query (``destination_q(..., negate=True)``).
6. Billing code (``billing_code_lookup``): when a pattern only asks about the client code,
   the indexed ``billing_code`` column can answer for the calls that have a code; see there
   for when this is exact.
"""

from __future__ import annotations

import unicodedata

MAX_PATTERN_LENGTH = 100
WILDCARD = "%"
MODES = ("pattern", "begins", "contains", "ends", "exact")

_ASCII_DIGITS = frozenset("0123456789")

Pieces = tuple[str, ...]


class PatternError(ValueError):
    """A pattern that cannot be used. ``code`` names the problem for translation:
    ``empty``, ``too_long``, ``control_character``, ``unknown_mode``; ``str(error)`` is a clear
    English sentence."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self):
        return (type(self), (self.code, self.message))


def validate_pattern(pattern: str) -> str:
    """The pattern without surrounding spaces; raises ``PatternError`` when it is unusable."""
    pattern = pattern.strip(" ")
    if not pattern:
        raise PatternError("empty", "Enter a destination or a pattern, e.g. %**123.")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise PatternError(
            "too_long",
            f"A pattern is at most {MAX_PATTERN_LENGTH} characters long; "
            f"this one has {len(pattern)}.",
        )
    for character in pattern:
        if unicodedata.category(character) == "Cc":
            raise PatternError(
                "control_character",
                f"A pattern may not hold control characters such as U+{ord(character):04X}.",
            )
    return pattern


def pieces(pattern: str | Pieces) -> Pieces:
    """The literal pieces between the wildcards: ``('', '**123')`` for ``'%**123'``.

    A run of ``%`` counts as one wildcard, so only the first and last piece may be empty.
    Pieces given as a tuple are returned as they are."""
    if isinstance(pattern, tuple):
        return pattern
    parts = pattern.split(WILDCARD)
    if len(parts) <= 2:
        return tuple(parts)
    middle = [part for part in parts[1:-1] if part]
    return (parts[0], *middle, parts[-1])


def pattern_for(mode: str, text: str) -> Pieces:
    """The pattern a search mode builds from plain text, as pieces (rule 5).

    ``pattern`` reads ``text`` as a pattern (``%`` is the wildcard); ``begins``, ``contains``,
    ``ends`` and ``exact`` take it literally (a ``%`` in it is a percent sign). The text is
    validated first (``validate_pattern``)."""
    if mode not in MODES:
        raise PatternError("unknown_mode", f"Unknown search mode {mode!r}.")
    text = validate_pattern(text)
    if mode == "pattern":
        return pieces(text)
    if mode == "begins":
        return (text, "")
    if mode == "contains":
        return ("", text, "")
    if mode == "ends":
        return ("", text)
    return (text,)


def matches(pattern: str | Pieces, destination: str) -> bool:
    """Whether ``destination`` matches the whole ``pattern`` (the reference for the database).

    Plain string operations, no regular expression: the first piece must start the
    destination, the last must end it, and each middle piece is found, leftmost, after the
    previous one (leftmost is always right when the only wildcard is "any run")."""
    parts = pieces(pattern)
    if len(parts) == 1:
        return destination == parts[0]
    first, *middle, last = parts
    if len(destination) < len(first) + len(last):
        return False
    if not (destination.startswith(first) and destination.endswith(last)):
        return False
    position = len(first)
    end = len(destination) - len(last)
    for part in middle:
        found = destination.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return True


def billing_code_lookup(pattern: str | Pieces, marker: str) -> tuple[str, str] | None:
    """How the ``billing_code`` column answers ``pattern`` for calls with a code, or None.

    ``'%**%'`` -> ``('any', '')`` (a code), ``'%**123'`` -> ``('exact', '123')`` (code 123),
    ``'%**1%'`` -> ``('prefix', '1')`` (a code starting with 1), for the marker ``**``. Only
    patterns that are exactly ``%`` + marker + ASCII digits, optionally followed by ``%``, and
    the digits may be empty only with that trailing ``%``. Anything else (``'%**12a'``,
    ``'**123'``, ``'%**'``, ``'%*%'``) is None.

    When it is exact. ``calls.matching`` (rules 1, 2 and 5) stores a call with a code as
    ``destination = number + marker + code``, the code 1-10 ASCII digits, and the number never
    holds the marker (it is the text before the first marker, or a text without the marker).
    For every such call the answer equals the destination scan: a marker is not all digits, so
    no occurrence of it can overlap the code, and ``marker + digits`` can only be found where
    the number ends. The one exception is a "prefix" pattern with a marker that can begin inside
    the number and continue with a digit of the marker (a marker with a border followed by a
    digit, such as ``*0*``: number ``5*0``, code 7, destination ``5*0*0*7`` contains ``*0*0``);
    for those markers a prefix pattern gets None. (``**``, ``##``, ``*0`` are not such markers.)

    What it does not cover:
    - calls with no code. The importer keeps a malformed suffix as recorded (``345**12a``,
      ``345**1**2``, ``345**``, or a code of more than 10 digits), so a call without a code may
      well match ``%**%`` or ``%**2`` by scanning. ``calls.pattern_queries.destination_q`` therefore
      still scans the destinations of calls without a code.
    - calls imported under another marker (after the firm changed it) or written by other
      means than the importer: their code and destination need not agree with this marker.
    """
    if not marker:
        return None
    parts = pieces(pattern)
    if len(parts) not in (2, 3) or parts[0] != "" or (len(parts) == 3 and parts[2] != ""):
        return None
    body = parts[1]
    if not body.startswith(marker):
        return None
    digits = body[len(marker) :]
    if not set(digits) <= _ASCII_DIGITS:
        return None
    if len(parts) == 2:
        return ("exact", digits) if digits else None
    if not digits:
        return ("any", "")
    if _marker_may_start_in_number(marker):
        return None
    return ("prefix", digits)


def _marker_may_start_in_number(marker: str) -> bool:
    """Whether ``marker + digits`` can be found starting inside a number (rule: see above).

    That needs a border (the marker's first ``j`` characters equal its last ``j``) that is
    followed, in the marker, by a digit."""
    return any(
        marker[:j] == marker[-j:] and marker[j] in _ASCII_DIGITS for j in range(1, len(marker))
    )
