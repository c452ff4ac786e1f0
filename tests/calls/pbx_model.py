"""How the PBX reads a dial string: the model the tests hold calls.dialing and calls.matching
to (what ``compose_dial_string`` builds must read back to the same trunk, number and code; the
matcher must read a recorded call as the PBX placed it). Used only by tests, so it lives here.

* A full dial string (``parse_dial_string``) tolerates only spaces, dots and dashes besides digits
  and the marker; a ``+`` cannot be dialled after a prefix and is refused.
* ``split_billing_code`` normalises nothing: it only splits, and checks what follows the marker.
"""

from dataclasses import dataclass

from calls.dialing import (
    _DIAL_SEPARATORS,
    DialError,
    TrunkRule,
    _check_code,
    _check_internal,
    _drop_separators,
    _first_non_digit,
    _lengths,
    _longest_prefix_trunk,
    validate_marker,
)
from calls.dialing import DialPlan as DialPlan
from firm.lib.marker import describe_character as _describe


@dataclass(frozen=True)
class DialResult:
    """How the PBX reads a dial string.

    ``carrier_number`` is what goes out on the trunk (prefix stripped when the rule says so,
    marker and code always stripped); ``recorded_destination`` is what the PBX stores (prefix
    stripped likewise, marker and code kept).
    """

    trunk: TrunkRule | None
    carrier_number: str
    billing_code: str | None
    recorded_destination: str
    is_internal: bool


def split_billing_code(text: str, marker: str = "**") -> tuple[str, str | None]:
    """Split ``'3454565678**123'`` into ``('3454565678', '123')``; no marker gives ``(text, None)``.

    The marker may appear once and must be followed by digits. Nothing is normalised.
    """
    validate_marker(marker)
    count = text.count(marker)
    if count == 0:
        return text, None
    if count > 1:
        raise DialError(
            "marker_twice",
            f"{text!r}: the marker {marker!r} appears {count} times; "
            "it may appear only once, before the client code.",
            value=text,
            marker=marker,
            count=count,
        )
    number, code = text.split(marker)
    _check_code(code, marker, text)
    return number, code


def parse_dial_string(dialled: str, plan: DialPlan) -> DialResult:
    """Read a full dial string as the PBX does: trunk, carrier number, client code, record.

    Spaces, dots and dashes are ignored. The marker and code are split off first; then the longest
    matching trunk prefix wins, else a string of an internal length is an internal call.
    """
    cleaned = _drop_separators(dialled, _DIAL_SEPARATORS)
    number, code = split_billing_code(cleaned, plan.marker)
    _check_dialled_number(dialled, number, code, plan.marker)
    trunk = _longest_prefix_trunk(number, plan.trunks)
    if trunk is not None:
        return _external_result(dialled, number, trunk, code, plan.marker)
    if len(number) in plan.internal_lengths:
        _check_internal(number, code, plan)
        return DialResult(None, number, None, number, True)
    known = sorted({t.prefix for t in plan.trunks if t.prefix})
    raise DialError(
        "unknown_prefix",
        f"{dialled!r}: it starts with no known trunk prefix "
        f"({', '.join(map(repr, known)) or 'none configured'}) and is not an internal extension "
        f"({_lengths(plan.internal_lengths)} digits).",
        value=dialled,
        prefixes=known,
        internal_lengths=sorted(plan.internal_lengths),
    )


def _check_dialled_number(dialled: str, number: str, code: str | None, marker: str) -> None:
    """Refuse the part before the marker when it is empty or holds anything but digits."""
    if not number:
        where = f" before the marker {marker!r}" if code is not None else ""
        raise DialError("empty", f"{dialled!r}: there is no number to dial{where}.", value=dialled)
    bad = _first_non_digit(number)
    if bad is not None:
        raise DialError(
            "bad_character",
            f"{dialled!r}: {_describe(bad)} is not allowed in a dial string; use digits, "
            f"the marker {marker!r} once before the client code, and spaces, dots or dashes.",
            value=dialled,
            character=bad,
        )


def _external_result(
    dialled: str, number: str, trunk: TrunkRule, code: str | None, marker: str
) -> DialResult:
    """The result for a call through ``trunk``; refuses a prefix with no number after it."""
    if len(number) == len(trunk.prefix):
        raise DialError(
            "prefix_only",
            f"{dialled!r}: there is only the trunk prefix {trunk.prefix!r}, no number after it.",
            value=dialled,
            prefix=trunk.prefix,
        )
    carrier = number[len(trunk.prefix) :] if trunk.strip_prefix else number
    recorded = carrier + (marker + code if code is not None else "")
    return DialResult(trunk, carrier, code, recorded, False)
