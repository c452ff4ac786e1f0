"""Dial strings for billed calls: compose them for staff, read them back the way the PBX does.

A call billed to a client is dialled as ``prefix + number + marker + client code``::

    9  3454565678  **  123   ->   93454565678**123

The PBX (3CX) picks the outbound trunk by the prefix (``9``, e.g. a cellular gateway) and strips
the prefix when that trunk's rule says so. It finds the marker and strips it, with the client code
after it, before sending the number to the carrier (``3454565678``). It records the call with the
prefix removed (when stripped) but marker and code kept: ``3454565678**123``.

Rules and decisions
-------------------
* Digits means the ASCII digits 0-9 only; other Unicode digits are refused.
* The marker is a firm setting, ``**`` by default. It has 1-4 characters among digits, ``*`` and
  ``#``, with at least one ``*`` or ``#`` (a digits-only marker could not be told apart from the
  number). Because numbers and codes are digits, the place of the marker in a dial string is never
  ambiguous. It may appear only once, and must be followed by one or more digits: the client code.
  With another marker (``##``, ``*0``) the characters ``**`` are no marker, just bad characters.
* Trunk choice: among the trunks whose non-empty prefix starts the dial string, the one with the
  LONGEST prefix wins; between equal prefixes, the first trunk in ``DialPlan.trunks``. An empty
  prefix is never matched. The admin refuses prefix sets where one prefix starts another (see
  ``prefix_conflicts``): with ``9`` and ``90`` a number starting with 0 could never be dialled
  through ``9``. So the longest match is only a safety net for inconsistent data.
* A trunk prefix wins over an internal extension length: with trunk ``9`` and 4-digit extensions,
  ``9112`` is ``112`` through trunk ``9``, because ``compose_dial_string`` builds exactly such
  strings. A string is an internal call only when no prefix matches and its length is one of
  ``DialPlan.internal_lengths``; otherwise it is refused (``unknown_prefix``).
* Internal calls use no trunk and carry no client code (``code_on_internal_call``): only outbound
  rules strip the code, and internal calls are not billed.
* ``compose_dial_string`` refuses what ``parse_dial_string`` could not read back to the same
  meaning: an extension that starts with a trunk prefix (``internal_shadowed_by_prefix``) and a
  trunk without a prefix (``trunk_without_prefix``).
* What a user types or pastes (``normalize_number``) is read leniently: spaces (also non-breaking
  and zero-width ones), invisible direction marks, dots, dashes, slashes and parentheses are
  dropped. A leading ``+`` means international: ``+39`` (``DialPlan.country_code``) is dropped,
  any other ``+CC`` becomes ``00CC`` (``DialPlan.international_prefix``). ``0039...`` (the
  international prefix and the firm's own country code) is read like ``+39``: the national
  number, so the same contact is dialled (and billed) the same way however it was written;
  ``0044...`` stays as typed. Any other character is refused, naming it.
* The dial helper (``compose_for_helper``) dials an extension (a number of an internal length)
  as it is, with no trunk and no client code, whatever trunk is chosen: internal calls are not
  billed.
* How the PBX reads a dial string back (``parse_dial_string``, ``split_billing_code``) is modelled
  in tests/calls/pbx_model.py, the only place that needs it.
* Every error is a ``DialError``: a ``ValueError`` with a stable ``code``, ``params`` for a
  translated message, and a clear English sentence as ``str(err)``. Codes: ``empty``,
  ``bad_character``, ``marker_without_code``, ``code_not_digits``, ``marker_twice``,
  ``unknown_prefix``, ``prefix_only``, ``not_internal``, ``code_on_internal_call``,
  ``internal_shadowed_by_prefix``, ``trunk_without_prefix``, ``bad_marker``, ``bad_prefix``.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from firm.lib.marker import describe_character as _describe
from firm.lib.marker import marker_problem

_DIGITS = frozenset("0123456789")
# Zero-width spaces and joiners, and the direction marks phones and browsers add to pasted numbers.
_INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
)
_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2212")
_DIAL_SEPARATORS = _INVISIBLE | _DASHES | {"."}
_TYPED_SEPARATORS = _DIAL_SEPARATORS | {"/", "(", ")"}
MAX_PREFIX_LENGTH = 6


@dataclass(frozen=True)
class TrunkRule:
    """An outbound trunk as the PBX knows it: the prefix that selects it and whether it is stripped.

    ``prefix`` is digits, or ``""`` for a trunk without an outbound prefix (never matched).
    ``key`` is opaque (e.g. a database pk) and is handed back untouched.
    """

    prefix: str
    strip_prefix: bool = True
    key: object = None
    name: str = ""


@dataclass(frozen=True)
class DialPlan:
    """The firm's dialling settings: trunks, billing marker, extension lengths, country."""

    trunks: tuple[TrunkRule, ...] = ()
    marker: str = "**"
    internal_lengths: frozenset[int] = frozenset({3})
    country_code: str = "39"
    international_prefix: str = "00"


class DialError(ValueError):
    """A dial string, number, marker or prefix that cannot be used.

    ``code`` is a stable machine string, ``params`` the values for a translated message, and
    ``str(err)`` a clear English sentence.
    """

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params


DEFAULT_PLAN = DialPlan()


def _all_digits(text: str) -> bool:
    """True when ``text`` is non-empty and made of ASCII digits only."""
    return bool(text) and all(ch in _DIGITS for ch in text)


def _first_non_digit(text: str) -> str | None:
    """The first character of ``text`` that is not an ASCII digit, or None."""
    return next((ch for ch in text if ch not in _DIGITS), None)


def _drop_separators(text: str, separators: frozenset[str]) -> str:
    """``text`` without whitespace and without the given separator characters."""
    return "".join(ch for ch in text if not (ch.isspace() or ch in separators))


def validate_marker(marker: str) -> None:
    """Check a billing marker: 1-4 of digits, '*', '#', with at least one '*' or '#'."""
    reason = marker_problem(marker)
    if reason is None:
        return
    raise DialError(
        "bad_marker", f"{marker!r} is not a valid billing marker: {reason}.", marker=marker
    )


def validate_prefix(prefix: str) -> None:
    """Check a trunk prefix: ``""`` (no prefix) or 1-6 ASCII digits."""
    if prefix == "" or (len(prefix) <= MAX_PREFIX_LENGTH and _all_digits(prefix)):
        return
    raise DialError(
        "bad_prefix",
        f"{prefix!r} is not a valid trunk prefix: use 1 to {MAX_PREFIX_LENGTH} digits, or nothing.",
        prefix=prefix,
    )


def prefix_conflicts(prefixes: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs of trunk prefixes that cannot live together, sorted, each pair once.

    A pair is ``(shorter, longer)`` when the shorter is a proper prefix of the longer, or
    ``(p, p)`` when ``p`` is given twice. Empty prefixes are ignored. Trunk prefixes must form a
    prefix-free set: with ``9`` and ``90`` a number starting with 0 could never be dialled
    through the ``9`` trunk.
    """
    items = [p for p in prefixes if p]
    found = set()
    for i, first in enumerate(items):
        for second in items[i + 1 :]:
            shorter, longer = sorted((first, second), key=len)
            if longer.startswith(shorter):
                found.add((shorter, longer))
    return sorted(found)


def normalize_number(typed: str, plan: DialPlan = DEFAULT_PLAN) -> str:
    """Turn a typed or pasted phone number into the digits to dial.

    Drops whitespace, dots, dashes, slashes and parentheses; ``+39 345...`` and ``0039 345...``
    become ``345...``, any other ``+CC...`` becomes ``00CC...``. Refuses any other character
    and empty input.
    """
    cleaned = _drop_separators(typed, _TYPED_SEPARATORS)
    international = cleaned.startswith("+")
    body = cleaned[1:] if international else cleaned
    bad = _first_non_digit(body)
    if bad is not None:
        raise DialError(
            "bad_character",
            f"{typed!r}: {_describe(bad)} is not allowed in a phone number; "
            "use digits, with an optional '+' in front.",
            value=typed,
            character=bad,
        )
    if international and body:
        body = _from_international(body, plan)
    elif plan.country_code and body.startswith(plan.international_prefix + plan.country_code):
        body = body[len(plan.international_prefix) + len(plan.country_code) :]
    if not body:
        raise DialError("empty", f"{typed!r}: there is no phone number to dial.", value=typed)
    return body


def _from_international(digits: str, plan: DialPlan) -> str:
    """Digits after a '+': national when they start with the plan's country code, else '00CC...'."""
    if plan.country_code and digits.startswith(plan.country_code):
        return digits[len(plan.country_code) :]
    return plan.international_prefix + digits


def _check_code(code: str, marker: str, value: str) -> None:
    """Refuse a client code that is empty or not made of digits."""
    if not code:
        raise DialError(
            "marker_without_code",
            f"{value!r}: the marker {marker!r} must be followed by the client code.",
            value=value,
            marker=marker,
        )
    if not _all_digits(code):
        raise DialError(
            "code_not_digits",
            f"{value!r}: the client code after {marker!r} must be digits, got {code!r}.",
            value=value,
            marker=marker,
            client_code=code,
        )


def compose_dial_string(
    number: str, trunk: TrunkRule | None, code: str | None, plan: DialPlan
) -> str:
    """Build what staff dial: ``prefix + number + marker + code``.

    ``number`` is normalised first. ``trunk`` None means an internal call: the number must have an
    internal length, must not start with a trunk prefix, and takes no code. ``code`` None or ``""``
    means no marker; otherwise it must be digits (spaces included are an error).
    """
    validate_marker(plan.marker)
    digits = normalize_number(number, plan)
    if code:
        _check_code(code, plan.marker, f"{digits}{plan.marker}{code}")
    if trunk is None:
        _check_internal(digits, code, plan)
        return digits
    _check_trunk(trunk)
    return trunk.prefix + digits + (plan.marker + code if code else "")


@dataclass(frozen=True)
class HelperDial:
    """What the dial helper shows: the string to dial, and whether it is an internal call
    (then the trunk and the client code were left out on purpose)."""

    dial_string: str
    internal: bool


def compose_for_helper(number: str, trunk: TrunkRule, code: str, plan: DialPlan) -> HelperDial:
    """The string the dial helper shows for ``number`` typed on a client's card.

    A number of an internal length is an extension: dialled as it is, through no trunk and
    with no code (``compose_dial_string`` would refuse the code; the helper rather says why it
    left it out). Any other number goes through ``trunk`` with the client's ``code``.
    """
    digits = normalize_number(number, plan)
    if len(digits) in plan.internal_lengths:
        return HelperDial(compose_dial_string(digits, None, None, plan), internal=True)
    return HelperDial(compose_dial_string(digits, trunk, code, plan), internal=False)


def _check_internal(digits: str, code: str | None, plan: DialPlan) -> None:
    """Refuse an internal call the PBX would not treat as one."""
    if code:
        raise DialError(
            "code_on_internal_call",
            f"{digits!r}: internal calls are not billed and take no client code.",
            value=digits,
            client_code=code,
        )
    if len(digits) not in plan.internal_lengths:
        raise DialError(
            "not_internal",
            f"{digits!r} is not an internal extension: extensions have "
            f"{_lengths(plan.internal_lengths)} digits.",
            value=digits,
            internal_lengths=sorted(plan.internal_lengths),
        )
    trunk = _longest_prefix_trunk(digits, plan.trunks)
    if trunk is not None:
        raise DialError(
            "internal_shadowed_by_prefix",
            f"{digits!r}: this extension starts with the trunk prefix {trunk.prefix!r}, "
            "so it would be dialled out through that trunk.",
            value=digits,
            prefix=trunk.prefix,
        )


def _check_trunk(trunk: TrunkRule) -> None:
    """Refuse a trunk whose prefix cannot start a dial string."""
    validate_prefix(trunk.prefix)
    if not trunk.prefix:
        raise DialError(
            "trunk_without_prefix",
            f"The trunk {trunk.name or trunk.key!r} has no outbound prefix, "
            "so no dial string can select it.",
            trunk=trunk.name,
        )


def _lengths(lengths: Iterable[int]) -> str:
    """'3' or '3 or 4': the internal lengths for a message."""
    return " or ".join(str(n) for n in sorted(lengths)) or "no"


def _longest_prefix_trunk(digits: str, trunks: Iterable[TrunkRule]) -> TrunkRule | None:
    """The trunk with the longest non-empty prefix starting ``digits``; the first on a tie."""
    best = None
    for trunk in trunks:
        if trunk.prefix and digits.startswith(trunk.prefix):
            if best is None or len(trunk.prefix) > len(best.prefix):
                best = trunk
    return best
