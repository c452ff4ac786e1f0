"""From a CDR record to the values of one call: billing code, number, trunk, direction.

Pure Python (standard library, ``calls.dialing`` and ``calls.cdr`` only); no Django. The importer
calls ``match_record`` once per CDR line, so the rules are prepared once in ``MatchRules`` and a
record is matched with plain string operations (no regular expression, no normalisation pass).

Staff dial ``prefix + number + marker + client code`` (``9`` ``3454565678`` ``**`` ``123``). The
PBX picks the trunk by the prefix, strips it when the trunk's rule says so, strips the marker and
code before dialling and records ``3454565678**123``. A record may show the string before or after
this (3CX keeps the raw string in ``dial-no``), so matching reads both.

Rules and decisions
-------------------
1. Billing code. The record's ``billing_code`` (3CX ``bill-code``, Asterisk ``accountcode``; the
   parsers keep it only when it is all digits) wins. Otherwise the digits after the firm's marker
   in ``dialled``, then ``called``, then ``final_number``: the first of them with a well-formed
   ``marker + digits`` suffix. Well-formed means the marker appears and everything after its first
   occurrence is 1 to ``CODE_MAX`` ASCII digits (so a second marker, or a marker with nothing
   after it, is not well-formed). A code longer than ``CODE_MAX`` digits in a dial string is no
   code: that text is a plain number. In the bill-code column it rejects the line, naming the
   field: the PBX billed the call to a code no client can have, and dropping the column
   silently would bill it to another code or to none.
   When no dial string has a code after the marker, the firm's former markers are tried the
   same way (``MatchRules.former_markers``, newest first): a file exported before the marker
   changed from ``**`` to ``##`` still carries ``3454565678**123``, and that is code 123.
   Decision: when the bill-code column and the dial string disagree (``bill-code`` 123,
   ``dial-no`` ``3454565678**456``) the column wins: it is what the PBX itself read and billed.
   Malformed suffixes (``345**12a``, ``345**1**2``, ``345**``) are never errors: the call is kept
   with no code and the text as recorded is its number and destination, so it shows up among the
   calls with a missing code.
2. Number. The base text is ``dialled``, then ``called``, then ``final_number`` (the first that is
   not empty); for inbound calls it is ``called`` first (the extension or queue that was called),
   then ``dialled``, then ``final_number``. When the call has a code and the base text holds the
   marker, the number is the text before the first marker (decision: also when that suffix is
   malformed or names another code, since the code comes from a more trusted place). With
   former markers, the marker looked for in the base text is the first of the current and the
   former ones (newest first) whose suffix is exactly the code, else the first of them that
   appears: so ``700**114`` with bill-code 114, read after the marker became ``##``, is number
   ``700`` under ``**``. Otherwise the number is the base text as recorded. Nothing is
   normalised (spaces or dashes stay).
3. Trunk. First by identifier (``trunk_for_identifier``): an exact match of the record's
   ``trunk_identifier``; else, for configured identifiers holding a ``/`` (Asterisk channels),
   the record value starting with the identifier followed by its end or one of ``- / ; @ .``
   (``SIP/gsm`` matches ``SIP/gsm-0000001a``, not ``SIP/gsmx-1``); the longest identifier wins.
   Identifiers are compared exactly (case and spaces count); an empty identifier, or one mapped
   to None, matches nothing; so 3CX's ``EndCall``/``MakeCall`` or a phone number in ``to-dn``
   only match when configured. Then the prefix, for outbound candidates only: when the number
   starts with a trunk prefix of ``plan.trunks`` (the longest first; among equal prefixes the
   first trunk of the plan) and something is left after it, the prefix rule applies only when
   no trunk came from the identifier. Applying it sets the trunk to the rule's key and strips
   the prefix when the rule strips. Decision: when the identifier names the trunk, the number
   is taken as the PBX recorded it, after its own rule — never stripped again (Italian
   landlines start with 0, so a stripped '0' prefix would otherwise eat a digit of every
   landline), and a prefix of another trunk is ignored (the identifier is firmer evidence than
   digits that may belong to the number).
   A prefix is never looked for on inbound or type-internal calls, nor, without trunk evidence
   (record types saying outbound, or a trunk from the identifier), on a number of an internal
   length: ``700`` stays extension 700 even with a trunk prefix ``7``.
4. Direction. From the record's types (``called_type``, or ``final_type`` when it is empty):
   caller ``line`` -> inbound; else called ``line`` -> outbound (also for a caller of type
   ``other`` or unknown: the call left through a line); caller and called both
   ``extension``/``queue``/``other`` -> internal (3CX ``Call 11315``, dial-no ``700**114``,
   stays internal with code 114 and destination ``700**114``). When a type is missing (Asterisk,
   headered CSV without types) the numbers decide: the caller is internal when its type is
   ``extension``/``queue``/``other``, or with no type when it is all digits of an internal
   length. A caller that is not internal -> inbound (decision: also an empty caller, taken as a
   withheld outside number; extensions always send their number). For an internal caller: a
   trunk (from the identifier or a prefix) -> outbound; else a number that looks external
   (digits, with an optional leading ``+`` and spaces, dashes, dots, slashes or brackets, longer
   than every internal length) -> outbound; else (an extension, a feature code such as ``*97``,
   ``s``) -> internal.
5. Destination = number + marker + code when there is a code, else the number: rebuilt, so a
   ``%**123`` filter finds the call even when the PBX kept the code only in the bill-code column
   (dial-no ``3454565678``, bill-code ``123`` -> ``3454565678**123``). The marker is the one
   found in the base text (rule 2), a former one included, else the current one: a destination
   that already carries a code under any marker the firm ever used never gets a second one
   (``700**114`` stays ``700**114`` after the marker became ``##``, not ``700**114##114``), and
   the Log Reporter's ``%**114`` still finds it.
6. Limits (``calls.limits``, the table the models' columns are declared with): every value
   is checked against what the database accepts, so a bad line becomes a rejected line naming
   its field instead of a batch the database refuses. A destination longer than
   ``DESTINATION_MAX``, a dialled number longer than ``DIALLED_MAX``, a caller longer than
   ``CALLER_MAX``, a trunk identifier longer than ``PBX_TRUNK_MAX`` or a call id longer than
   ``PBX_CALL_ID_MAX`` raise ``MatchError`` naming the 3CX field the value came from
   (``dial-no``, ``to-no`` or ``final-number``; ``from-no``; ``to-dn``, or ``from-dn`` for a call
   from a line; ``historyid``). So do a start outside the years ``CALL_YEAR_MIN`` to
   ``CALL_YEAR_MAX``, an end before the start, an answer or end more than ``CALL_SECONDS_MAX``
   from the start, a talk time above it, a cost of a million or more (either sign), and a NUL
   byte anywhere in the line (PostgreSQL stores no NUL in text; it marks a damaged file). A
   caller name longer than ``CALLER_NAME_MAX`` is cut to that length: a display name is not
   worth rejecting a call. ``match_record`` raises nothing else.
7. ``MatchRules`` is a snapshot: it prepares the identifiers and prefixes when built (changing
   the mapping afterwards has no effect) and checks the marker and the former markers
   (``DialError`` when invalid); a former marker equal to the current one, or repeated, is
   dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from calls.cdr import CdrRecord
from calls.cdr.reasons import english
from calls.dialing import DialPlan, TrunkRule, validate_marker
from calls.limits import (
    BILLING_CODE_MAX,
    CALL_SECONDS_MAX,
    CALL_YEAR_MAX,
    CALL_YEAR_MIN,
    CALLER_MAX,
    CALLER_NAME_MAX,
    DESTINATION_MAX,
    DIALLED_MAX,
    PBX_CALL_ID_MAX,
    PBX_TRUNK_MAX,
)

CODE_MAX = BILLING_CODE_MAX
# A call's times may lie this far apart at most (start to answer, start to end).
_LONGEST_CALL = timedelta(seconds=CALL_SECONDS_MAX)

OUTBOUND = "outbound"
INTERNAL = "internal"
INBOUND = "inbound"

_LINE = "line"
_INTERNAL_TYPES = frozenset({"extension", "queue", "other"})
_CHANNEL_BOUNDARIES = frozenset("-/;@.")
# Separators a written phone number may hold (dropped only to decide whether it looks external).
_NUMBER_SEPARATORS = str.maketrans("", "", " -./()")
_FIELD_NAMES = {"dialled": "dial-no", "called": "to-no", "final_number": "final-number"}

_ChannelTable = tuple[tuple[str, int, object], ...]


@dataclass(frozen=True)
class MatchRules:
    """How to read records: the firm's dial plan and the PBX trunk identifiers it knows.

    ``trunk_identifiers`` maps what a PBX writes for a trunk (3CX ``to-dn`` ``10001``, an
    Asterisk channel ``PJSIP/gsm``) to the trunk key handed back in ``CallValues.trunk_key``.
    ``former_markers`` are the billing markers the firm used before ``plan.marker``, newest
    first (``FirmSettings.former_markers``).
    """

    plan: DialPlan
    trunk_identifiers: Mapping[str, object] = field(default_factory=dict)
    former_markers: tuple[str, ...] = ()
    _formers: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _exact: dict[str, object] = field(init=False, repr=False, compare=False)
    _channels: _ChannelTable = field(init=False, repr=False, compare=False)
    _prefix_lengths: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _prefix_rules: dict[str, tuple[TrunkRule, ...]] = field(init=False, repr=False, compare=False)
    _internal_lengths: frozenset[int] = field(init=False, repr=False, compare=False)
    _longest_internal: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        validate_marker(self.plan.marker)
        formers: list[str] = []
        for former in self.former_markers:
            validate_marker(former)
            if former != self.plan.marker and former not in formers:
                formers.append(former)
        exact, channels = _identifier_tables(self.trunk_identifiers)
        by_prefix: dict[str, list[TrunkRule]] = {}
        for rule in self.plan.trunks:
            if rule.prefix:
                by_prefix.setdefault(rule.prefix, []).append(rule)
        lengths = frozenset(self.plan.internal_lengths)
        setattr_ = object.__setattr__
        setattr_(self, "_formers", tuple(formers))
        setattr_(self, "_exact", exact)
        setattr_(self, "_channels", channels)
        setattr_(self, "_prefix_lengths", tuple(sorted({len(p) for p in by_prefix}, reverse=True)))
        setattr_(self, "_prefix_rules", {prefix: tuple(r) for prefix, r in by_prefix.items()})
        setattr_(self, "_internal_lengths", lengths)
        setattr_(self, "_longest_internal", max(lengths, default=0))


class CallValues(NamedTuple):
    """The values of one ``calls.Call`` row, read from one CDR record.

    A named tuple rather than a frozen dataclass: built once per CDR line on million-line
    files, and a frozen dataclass's __init__ costs more than the whole matching."""

    pbx_call_id: str
    source_line: int
    start: datetime
    answered: datetime | None
    end: datetime | None
    talk_seconds: int
    ring_seconds: int
    caller: str
    caller_name: str
    destination: str
    dialled_number: str
    billing_code: str
    trunk_key: object | None
    pbx_trunk: str
    direction: str
    status: str
    cost: Decimal | None
    # The records of one call made of several (a transfer: Avaya's Call ID, Cisco's
    # globalCallID) share it; '' for a call in one record (3CX, Asterisk).
    leg_group: str = ""


class MatchError(ValueError):
    """A record value that does not fit its column: the line is rejected with this reason.

    ``field`` is the CDR field name (3CX names: ``dial-no``, ``to-no``, ``from-no``, ``to-dn``...)
    and ``reason`` a clear English sentence, also ``str(err)``.
    """

    def __init__(self, field: str, code: str, **params: object) -> None:
        self.field, self.code, self.params = field, code, {"field": field, **params}
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        return english(self.code, self.params)

    def __reduce__(self):
        return (_match_error, (self.field, self.code, self.params))


def _match_error(field: str, code: str, params: Mapping[str, object]) -> MatchError:
    params = {name: value for name, value in params.items() if name != "field"}
    return MatchError(field, code, **params)


def _identifier_tables(
    identifiers: Mapping[str, object],
) -> tuple[dict[str, object], _ChannelTable]:
    """Exact identifiers, and the channel-like ones (with '/') longest first."""
    exact = {ident: key for ident, key in identifiers.items() if ident and key is not None}
    channels = sorted(
        ((ident, len(ident), key) for ident, key in exact.items() if "/" in ident),
        key=lambda item: -item[1],
    )
    return exact, tuple(channels)


def _lookup(identifier: str, exact: dict[str, object], channels: _ChannelTable) -> object | None:
    if not identifier:
        return None
    key = exact.get(identifier)
    if key is not None:
        return key
    if channels and "/" in identifier:
        size = len(identifier)
        for ident, length, key in channels:
            if identifier.startswith(ident) and (
                size == length or identifier[length] in _CHANNEL_BOUNDARIES
            ):
                return key
    return None


def trunk_for_identifier(identifier: str, identifiers: Mapping[str, object]) -> object | None:
    """The trunk key for a PBX trunk identifier, or None.

    An exact match first; else, among the identifiers holding a ``/``, the longest one that
    ``identifier`` starts with, followed by its end or one of ``- / ; @ .``.
    """
    exact, channels = _identifier_tables(identifiers)
    return _lookup(identifier, exact, channels)


def _code_after_marker(text: str, marker: str) -> str:
    """The code in a well-formed ``...marker + digits`` text, else ''."""
    position = text.find(marker)
    if position < 0:
        return ""
    code = text[position + len(marker) :]
    if len(code) <= CODE_MAX and code.isdigit() and code.isascii():
        return code
    return ""


def _former_code(texts: tuple[str, ...], markers: tuple[str, ...]) -> str:
    """The code after the first former marker with a well-formed suffix in the first text that
    has one, else ''."""
    for text in texts:
        if text:
            for marker in markers:
                code = _code_after_marker(text, marker)
                if code:
                    return code
    return ""


def _marker_in(text: str, code: str, markers: tuple[str, ...]) -> tuple[int, str]:
    """Where the number ends in ``text`` and the marker that follows it: the first of
    ``markers`` followed by exactly ``code``, else the first that appears; (-1, '') when
    none does."""
    found = (-1, "")
    for marker in markers:
        position = text.find(marker)
        if position >= 0:
            if text[position + len(marker) :] == code:
                return position, marker
            if found[0] < 0:
                found = (position, marker)
    return found


def _is_internal(number: str, lengths: frozenset[int]) -> bool:
    return len(number) in lengths and number.isdigit() and number.isascii()


def _looks_external(number: str, longest_internal: int) -> bool:
    digits = number.translate(_NUMBER_SEPARATORS)
    if digits[:1] == "+":
        digits = digits[1:]
    return len(digits) > longest_internal and digits.isdigit() and digits.isascii()


def _apply_prefix(
    number: str, id_trunk: object | None, rules: MatchRules
) -> tuple[str, object | None]:
    """The number and trunk after the trunk prefix rules (trunk None when none applied)."""
    if id_trunk is not None:
        return number, None  # the PBX named the trunk: the number is as it dialled it
    size = len(number)
    prefix_rules = rules._prefix_rules
    for length in rules._prefix_lengths:
        if size > length:
            candidates = prefix_rules.get(number[:length])
            if candidates:
                rule = candidates[0]
                return (number[length:] if rule.strip_prefix else number), rule.key
    return number, None


def _too_long(field_name: str, length: int, limit: int, code: str = "too_long") -> MatchError:
    """'field dial-no is 97 characters long, more than 80' (``code``: a value read from it)."""
    return MatchError(field_name, code, length=length, limit=limit)


# Where a NUL byte is named: the record's text values and the 3CX fields they come from.
_TEXT_FIELDS = (
    ("pbx_call_id", "historyid"),
    ("caller", "from-no"),
    ("caller_name", "from-dispname"),
    ("called", "to-no"),
    ("dialled", "dial-no"),
    ("final_number", "final-number"),
    ("trunk_identifier", "to-dn"),
    ("billing_code", "bill-code"),
    ("termination", "reason-terminated"),
)


def _utc(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def _check_values(record: CdrRecord) -> None:
    """Raise MatchError for a value the calls table would refuse or could not show (what
    match_record's condition found). The parsers already refuse durations and costs out of
    range (calls/cdr/_common.py)."""
    if "\x00" in record.raw:
        field_name = next(
            (name for attribute, name in _TEXT_FIELDS if "\x00" in getattr(record, attribute)),
            "",
        )
        raise MatchError(field_name, "field_nul" if field_name else "line_nul")
    if len(record.pbx_call_id) > PBX_CALL_ID_MAX:
        raise _too_long("historyid", len(record.pbx_call_id), PBX_CALL_ID_MAX, "call_id_too_long")
    if len(record.leg_group) > PBX_CALL_ID_MAX:
        raise _too_long("call id", len(record.leg_group), PBX_CALL_ID_MAX, "call_id_too_long")
    start = record.start
    if not CALL_YEAR_MIN <= start.year <= CALL_YEAR_MAX:
        raise MatchError(
            "time-start",
            "implausible_time",
            time=_utc(start),
            min=CALL_YEAR_MIN,
            max=CALL_YEAR_MAX,
        )
    end = record.end
    if end is not None:
        if end < start:
            raise MatchError("time-end", "before_start", time=_utc(end), start=_utc(start))
        if end - start > _LONGEST_CALL:
            raise _too_far("time-end", end, start)
    answered = record.answered
    if answered is not None and (
        record.ring_seconds > CALL_SECONDS_MAX or not CALL_YEAR_MIN <= answered.year
    ):
        raise _too_far("time-answered", answered, start)
    if record.talk_seconds > CALL_SECONDS_MAX:
        raise MatchError(
            "duration", "talk_too_long", seconds=record.talk_seconds, max=CALL_SECONDS_MAX
        )


def _too_far(field_name: str, moment: datetime, start: datetime) -> MatchError:
    return MatchError(field_name, "far_from_start", time=_utc(moment), start=_utc(start))


def match_record(record: CdrRecord, rules: MatchRules) -> CallValues:
    """Read one CDR record into the values of a call. Raises only ``MatchError``."""
    marker = rules.plan.marker
    dialled = record.dialled
    called = record.called
    final = record.final_number

    code = record.billing_code
    if len(code) > CODE_MAX:  # all digits (the parsers keep no other), too many for a code
        raise _too_long("bill-code", len(code), CODE_MAX, "code_too_long")
    if code and not (code.isdigit() and code.isascii()):
        code = ""
    if not code:
        code = (
            (dialled and _code_after_marker(dialled, marker))
            or (called and _code_after_marker(called, marker))
            or (final and _code_after_marker(final, marker))
            or ""
        )
        if not code and rules._formers:
            # Every marker holds a * or a #: most numbers have neither, and are done here.
            joined = dialled + called + final
            if "*" in joined or "#" in joined:
                code = _former_code((dialled, called, final), rules._formers)

    identifier = record.trunk_identifier
    id_trunk = _lookup(identifier, rules._exact, rules._channels) if identifier else None

    caller_type = record.caller_type
    called_type = record.called_type or record.final_type
    if caller_type == _LINE:
        direction = INBOUND
    elif called_type == _LINE:
        direction = OUTBOUND
    elif caller_type and called_type:
        direction = INTERNAL
    elif caller_type in _INTERNAL_TYPES or (
        not caller_type and _is_internal(record.caller, rules._internal_lengths)
    ):
        direction = ""  # an internal caller: outbound or internal, decided by the number
    else:
        direction = INBOUND

    if direction == INBOUND:
        source = "called" if called else "dialled" if dialled else "final_number"
    else:
        source = "dialled" if dialled else "called" if called else "final_number"
    text = dialled if source == "dialled" else called if source == "called" else final
    number = text
    if code:
        if rules._formers:
            position, found = _marker_in(text, code, (marker, *rules._formers))
            if position >= 0:
                marker = found  # the destination keeps the marker the call was dialled with
        else:
            position = text.find(marker)
        if position >= 0:
            number = text[:position]

    trunk = id_trunk
    if direction == OUTBOUND:
        if rules._prefix_lengths:
            number, prefix_trunk = _apply_prefix(number, id_trunk, rules)
            if prefix_trunk is not None:
                trunk = prefix_trunk
    elif not direction:
        if id_trunk is None and _is_internal(number, rules._internal_lengths):
            direction = INTERNAL
        else:
            if rules._prefix_lengths:
                number, prefix_trunk = _apply_prefix(number, id_trunk, rules)
                if prefix_trunk is not None:
                    trunk = prefix_trunk
            if trunk is not None or _looks_external(number, rules._longest_internal):
                direction = OUTBOUND
            else:
                direction = INTERNAL

    destination = number + marker + code if code else number
    if len(destination) > DESTINATION_MAX:
        too_long = "too_long" if destination == text else "destination_too_long"
        raise _too_long(_FIELD_NAMES[source], len(destination), DESTINATION_MAX, too_long)
    if len(number) > DIALLED_MAX:
        too_long = "too_long" if number == text else "number_too_long"
        raise _too_long(_FIELD_NAMES[source], len(number), DIALLED_MAX, too_long)
    caller = record.caller
    if len(caller) > CALLER_MAX:
        raise _too_long("from-no", len(caller), CALLER_MAX)
    if len(identifier) > PBX_TRUNK_MAX:
        name = "from-dn" if caller_type == _LINE and record.called_type != _LINE else "to-dn"
        raise _too_long(name, len(identifier), PBX_TRUNK_MAX)
    caller_name = record.caller_name
    if len(caller_name) > CALLER_NAME_MAX:
        caller_name = caller_name[:CALLER_NAME_MAX]
    # What the database would refuse: checked in one condition (a call to _check_values on
    # every line costs the import ~1%), which then says why.
    start, end, answered = record.start, record.end, record.answered
    if (
        "\x00" in record.raw
        or len(record.pbx_call_id) > PBX_CALL_ID_MAX
        or not CALL_YEAR_MIN <= start.year <= CALL_YEAR_MAX
        or (end is not None and (end < start or end - start > _LONGEST_CALL))
        or record.ring_seconds > CALL_SECONDS_MAX
        or record.talk_seconds > CALL_SECONDS_MAX
        or (answered is not None and answered.year < CALL_YEAR_MIN)
        or len(record.leg_group) > PBX_CALL_ID_MAX
    ):
        _check_values(record)

    return CallValues(
        record.pbx_call_id,
        record.line_number,
        record.start,
        record.answered,
        record.end,
        record.talk_seconds,
        record.ring_seconds,
        caller,
        caller_name,
        destination,
        number,
        code,
        trunk,
        identifier,
        direction,
        record.status,
        record.cost,
        record.leg_group,
    )
