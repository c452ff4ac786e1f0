"""3CX call detail records: the field layouts and the parser.

3CX writes one CSV record per call with no header line; the admin chooses which of the 27
fields are written and in which order. Times are 'YYYY/MM/DD HH:MM:SS' in UTC, ``duration`` is
the talk time 'HH:MM:SS' (empty when unanswered), extensions are written 'Ext.114'.

Built-in layouts (``THREECX_LAYOUTS``):

- ``default-27``: 3CX's default order (historyid ... chain, the three types, the three display
  names, missed-queue-calls). The v16 Excel export and the v20 one-file-per-call sample use it.
- ``27-missed-queue-after-chain``: missed-queue-calls right after chain, then the three display
  names, the three type fields last (the order some installations configure; the same 27
  fields).
- ``socket-20``: historyid ... chain, the first 20 default fields, as sent on the active socket
  in the sample.
- ``22-no-billing``: the default order without the four bill-* fields and missed-queue-calls
  (historyid ... final-dn, chain, types, display names), an order seen in a public 3CX log
  importer; 3CX's documentation mentions 22-field layouts without naming the fields, and this is
  the only 22-field order found written down.

Identity (``pbx_call_id``): ``historyid`` is 'Call N' and is unique per record: no duplicate in
the 1,404-record v16 file nor in the 243-record socket file (callid is unique too), and 3CX
writes one record per call (v20 even one file per call). So the id is '3cx:N'. It is the same
for a call read from a file and from the socket, whatever the layout, as long as the layout
holds historyid. A custom layout without historyid falls back to '3cx:h' + 12 hex digits of the
sha1 of the record's fields (identical consecutive records get ':2', ':3'...).

Types: when the layout has the type fields they are normalised ('Internal'/'Extension'/
'extension' -> 'extension'; 'External'/'Line'/'external_line' -> 'line'; 'Queue' -> 'queue';
other words -> 'other'). When a type field is not in the layout (socket-20) the type is read
from 3CX's own number notation: 'Ext.N' -> 'extension', another non-empty number -> 'line'
(in the v16 sample this agrees with the written type for 3,151 of the 3,158 non-empty numbers).

Speed: over 200,000 default-27 records a second on one core (``bench/parse_cdr.py``), memory
flat. Quote-free lines are split without csv (``_common.convert_records``); each record takes
fast paths for the usual values ('Call N', 'YYYY/MM/DD HH:MM:SS', values that repeat) and falls
back to the general ``_record`` for anything else, so results and rejections are the same
(``tests/calls/cdr/test_fast_paths.py`` compares both on random input).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from operator import itemgetter

from ._common import (
    FROMISOFORMAT_TAKES_HOUR_24,
    FieldError,
    RawRecord,
    RunCounter,
    convert_records,
    digits_only,
    hms_seconds,
    make_record,
    money,
    normalise_type,
    optional_time,
    required_time,
    ring_seconds,
    short_hash,
    show,
    strip_ext,
    threecx_status,
    unreadable_line,
)
from .records import CdrRecord, CdrRejection

THREECX_FIELDS: tuple[str, ...] = (
    "historyid",
    "callid",
    "duration",
    "time-start",
    "time-answered",
    "time-end",
    "reason-terminated",
    "from-no",
    "to-no",
    "from-dn",
    "to-dn",
    "dial-no",
    "reason-changed",
    "final-number",
    "final-dn",
    "bill-code",
    "bill-rate",
    "bill-cost",
    "bill-name",
    "chain",
    "from-type",
    "to-type",
    "final-type",
    "from-dispname",
    "to-dispname",
    "final-dispname",
    "missed-queue-calls",
)

_TYPES = ("from-type", "to-type", "final-type")
_DISPNAMES = ("from-dispname", "to-dispname", "final-dispname")

THREECX_LAYOUTS: dict[str, tuple[str, ...]] = {
    "default-27": THREECX_FIELDS,
    "27-missed-queue-after-chain": THREECX_FIELDS[:20]
    + ("missed-queue-calls",)
    + _DISPNAMES
    + _TYPES,
    "socket-20": THREECX_FIELDS[:20],
    "22-no-billing": THREECX_FIELDS[:15] + ("chain",) + _TYPES + _DISPNAMES,
}

LAYOUT_DESCRIPTIONS: dict[str, str] = {
    "default-27": "default order",
    "27-missed-queue-after-chain": "missed-queue-calls after chain, types last",
    "socket-20": "active socket order, historyid ... chain",
    "22-no-billing": "default order without billing fields",
}

_CALL_ID = re.compile(r"Call\s+(\d+)", re.IGNORECASE)
_RECORD_START = re.compile(r"\ufeff?Call \d+,")


def looks_like_threecx_record(line: str) -> bool:
    """True when the line starts like a 3CX record ('Call 9744,')."""
    return _RECORD_START.match(line) is not None


def _canonical_name(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def parse_layout(text: str) -> tuple[str, ...]:
    """Read a 3CX field order written as names separated by commas, semicolons or spaces.

    Names are case-insensitive and may use '_' for '-' (3CX's console writes time_start). Raises
    ValueError naming an unknown or repeated field, and when time-start is missing (a record
    cannot be dated without it).
    """
    names = [_canonical_name(part) for part in re.split(r"[,;\s]+", text) if part.strip()]
    if not names:
        raise ValueError("the 3CX field list is empty")
    return check_layout(tuple(names))


def check_layout(layout: tuple[str, ...]) -> tuple[str, ...]:
    seen: set[str] = set()
    for name in layout:
        if name not in THREECX_FIELDS:
            raise ValueError(
                f"unknown 3CX field '{name}'; the known fields are: {', '.join(THREECX_FIELDS)}"
            )
        if name in seen:
            raise ValueError(f"3CX field '{name}' is listed twice")
        seen.add(name)
    if "time-start" not in seen:
        raise ValueError("the 3CX field list must contain time-start")
    return layout


def _inferred_type(number: str) -> str:
    number = number.strip()
    if not number:
        return ""
    return "extension" if number[:4].lower() == "ext." else "line"


def parse_threecx(
    lines: Iterable[str], layout: tuple[str, ...]
) -> Iterator[CdrRecord | CdrRejection]:
    """Read 3CX records laid out as ``layout``; one CdrRecord or CdrRejection per record.

    A record with one field more than the layout whose last field is empty (a trailing comma)
    is accepted. Raises ValueError at once when the layout is not valid.
    """
    return _parse(lines, check_layout(tuple(layout)))


def _parse(lines: Iterable[str], layout: tuple[str, ...]) -> Iterator[CdrRecord | CdrRejection]:
    index = {name: position for position, name in enumerate(layout)}
    start_check = looks_like_threecx_record if layout[0] == "historyid" else None
    return convert_records(
        lines, _converter(index, RunCounter()), unreadable_line, is_record_start=start_check
    )


# Every way of writing 'Ext.' that ``strip_ext`` recognises (number[:4].lower() == 'ext.'; no
# other character lowercases to one of these letters).
_EXT_PREFIXES = frozenset(
    a + b + c + "." for a in ("e", "E") for b in ("x", "X") for c in ("t", "T")
)
# Distinct values remembered per cache (a full cache starts again, so memory stays flat): type
# words, durations, costs and reasons repeat a lot; numbers (extensions, a firm's contacts) often.
_CACHE_LIMIT = 4096
_NUMBER_CACHE_LIMIT = 16384
# The fields the fast path reads, in the order it unpacks them.
_FAST_FIELDS = (
    "historyid",
    "time-start",
    "time-answered",
    "time-end",
    "duration",
    "bill-cost",
    "reason-terminated",
    "from-no",
    "to-no",
    "final-number",
    "from-dn",
    "to-dn",
    "dial-no",
    "bill-code",
    "from-type",
    "to-type",
    "final-type",
    "from-dispname",
)


def _converter(
    index: dict[str, int], runs: RunCounter
) -> Callable[[int, str, list[str]], CdrRecord | CdrRejection]:
    """The function that makes a record's CdrRecord or CdrRejection from its fields.

    A record with one field more than the layout whose last field is empty (a trailing comma)
    is accepted; another field count is rejected. Then the record is read as ``_record`` reads
    it, only faster: the common shapes take fast paths ('Call N' ids; 'YYYY/MM/DD HH:MM:SS'
    times, checked character by character, then read by ``datetime.fromisoformat``), and values
    that repeat from record to record (durations, costs, type words, termination reasons,
    numbers) are converted once by the general functions and looked up afterwards. Anything
    else, and any record with a wrong field, goes through ``_record``, so the result (and the
    rejection, which names the first wrong field in ``_record``'s order) is always
    ``_record``'s.
    """
    size = len(index)
    # a field missing from the layout reads as an empty string appended to the record's fields
    getter = itemgetter(*(index.get(name, size) for name in _FAST_FIELDS))
    needs_blank = any(name not in index for name in _FAST_FIELDS)
    has_history = "historyid" in index
    knows_answer = "time-answered" in index or "duration" in index
    has_from_type = "from-type" in index
    has_to_type = "to-type" in index
    has_final_type = "final-type" in index
    fromiso = datetime.fromisoformat
    reject_hour_24 = FROMISOFORMAT_TAKES_HOUR_24
    limit = _CACHE_LIMIT
    number_limit = _NUMBER_CACHE_LIMIT
    durations: dict[str, int] = {}
    costs: dict[str, Decimal | None] = {}
    types: dict[str, str] = {}
    unanswered_status: dict[str, str] = {}
    numbers: dict[str, tuple[str, str]] = {}

    def general(line_number: int, text: str, fields: list[str]) -> CdrRecord:
        if needs_blank:
            del fields[-1]
        return _record(RawRecord(line_number, text, fields), fields, index, runs)

    def number(value: str) -> tuple[str, str]:
        """strip_ext(value) and the type 3CX's notation gives it (_inferred_type)."""
        if len(numbers) >= number_limit:
            numbers.clear()
        known = numbers[value] = (strip_ext(value), _inferred_type(value))
        return known

    def kind(value: str) -> str:
        if len(types) >= limit:
            types.clear()
        known = types[value] = normalise_type(value)
        return known

    def convert(line_number: int, text: str, fields: list[str]) -> CdrRecord | CdrRejection:
        count = len(fields)
        if count != size:
            if count == size + 1 and not fields[-1].strip():
                del fields[-1]
            else:
                return CdrRejection(
                    line_number, text, "", "wrong_count", {"expected": size, "got": count}
                )
        try:
            if needs_blank:
                fields.append("")
            (
                history,
                time_start,
                time_answered,
                time_end,
                duration,
                bill_cost,
                reason,
                from_no,
                to_no,
                final_no,
                from_dn,
                to_dn,
                dial_no,
                bill_code,
                from_type,
                to_type,
                final_type,
                from_name,
            ) = getter(fields)
            if not has_history:
                return general(line_number, text, fields)
            digits = history[5:]
            if (
                history[:5] != "Call "
                or not digits.isdigit()
                or not digits.isascii()
                or digits[0] == "0"
            ):
                return general(line_number, text, fields)
            # times: 'YYYY/MM/DD HH:MM:SS' exactly (the separators checked here, the digits and the
            # ranges by fromisoformat); any other shape, or an error, goes the general way
            if (
                len(time_start) != 19
                or time_start[4::3] != "// ::"
                or (reject_hour_24 and time_start[11:13] == "24")
            ):
                return general(line_number, text, fields)
            try:
                start = fromiso(time_start.replace("/", "-") + "+00:00")
                if not time_answered:
                    answered = None
                elif time_answered == time_start:
                    answered = start
                elif (
                    len(time_answered) != 19
                    or time_answered[4::3] != "// ::"
                    or (reject_hour_24 and time_answered[11:13] == "24")
                ):
                    return general(line_number, text, fields)
                else:
                    answered = fromiso(time_answered.replace("/", "-") + "+00:00")
                if not time_end:
                    end = None
                elif (
                    len(time_end) != 19
                    or time_end[4::3] != "// ::"
                    or (reject_hour_24 and time_end[11:13] == "24")
                ):
                    return general(line_number, text, fields)
                else:
                    end = fromiso(time_end.replace("/", "-") + "+00:00")
            except ValueError:
                return general(line_number, text, fields)
            talk = durations.get(duration)
            if talk is None:
                try:
                    talk = hms_seconds("duration", duration)
                except FieldError:
                    return general(line_number, text, fields)
                if len(durations) >= limit:
                    durations.clear()
                durations[duration] = talk
            if bill_cost:
                cost = costs.get(bill_cost, _MISSING)
                if cost is _MISSING:
                    try:
                        cost = money("bill-cost", bill_cost)
                    except FieldError:
                        return general(line_number, text, fields)
                    if len(costs) >= limit:
                        costs.clear()
                    costs[bill_cost] = cost
            else:
                cost = None

            caller, caller_type = numbers.get(from_no) or number(from_no)
            called, called_type = numbers.get(to_no) or number(to_no)
            final, final_kind = numbers.get(final_no) or number(final_no)
            if has_from_type:
                caller_type = types.get(from_type) or kind(from_type)
            if has_to_type:
                called_type = types.get(to_type) or kind(to_type)
            if has_final_type:
                final_kind = types.get(final_type) or kind(final_type)
            if called_type == "line":
                trunk = to_dn.strip()
            elif caller_type == "line":
                trunk = from_dn.strip()
            else:
                trunk = ""

            termination = reason.strip()
            if knows_answer and (answered is not None or talk > 0):
                status = "answered"
            else:  # the status of a call not known to be answered depends on the reason only
                status = unanswered_status.get(termination)
                if status is None:
                    status = threecx_status(termination, False if knows_answer else None)
                    if len(unanswered_status) >= limit:
                        unanswered_status.clear()
                    unanswered_status[termination] = status
            # ring_seconds: these times have no microseconds, so whole days and seconds are exact
            until = answered or end
            if until is None:
                ring = 0
            else:
                delta = until - start
                ring = delta.days * 86400 + delta.seconds
                if ring < 0:
                    ring = 0
            if bill_code:
                bill_code = bill_code.strip()
                if not (bill_code.isascii() and bill_code.isdigit()):
                    bill_code = ""
            return make_record(
                line_number,
                text,
                "3cx:" + digits,
                start,
                answered,
                end,
                talk,
                ring,
                caller,
                from_name.strip(),
                caller_type,
                called,
                called_type,
                dial_no.strip(),
                final,
                final_kind,
                trunk,
                bill_code,
                cost,
                status,
                termination,
            )
        except FieldError as error:  # from the general way: the record is wrong
            return error.rejection(line_number, text)

    return convert


_MISSING = object()


def _record(
    raw: RawRecord, fields: list[str], index: dict[str, int], runs: RunCounter
) -> CdrRecord:
    def get(name: str) -> str:
        position = index.get(name)
        return "" if position is None else fields[position].strip()

    def kind(type_field: str, number_field: str) -> str:
        if type_field in index:
            return normalise_type(get(type_field))
        return _inferred_type(get(number_field))

    if "historyid" in index:
        history = get("historyid")
        match = _CALL_ID.fullmatch(history)
        if not match:
            raise FieldError("historyid", "not_a_3cx_call_id", value=show(history))
        call_id = f"3cx:{match.group(1).lstrip('0') or '0'}"
    else:
        digest = short_hash(fields)
        call_id = f"3cx:h{digest}{runs.suffix(digest, digest)}"

    start = required_time("time-start", get("time-start"), UTC)
    answered = optional_time("time-answered", get("time-answered"), UTC)
    end = optional_time("time-end", get("time-end"), UTC)
    talk = hms_seconds("duration", get("duration"))
    cost = money("bill-cost", get("bill-cost"))

    caller_type = kind("from-type", "from-no")
    called_type = kind("to-type", "to-no")
    final_type = kind("final-type", "final-number")
    if called_type == "line":
        trunk = get("to-dn")
    elif caller_type == "line":
        trunk = get("from-dn")
    else:
        trunk = ""

    knows_answer = "time-answered" in index or "duration" in index
    was_answered = (answered is not None or talk > 0) if knows_answer else None
    reason = get("reason-terminated")
    return CdrRecord(
        line_number=raw.line_number,
        raw=raw.raw,
        pbx_call_id=call_id,
        start=start,
        answered=answered,
        end=end,
        talk_seconds=talk,
        ring_seconds=ring_seconds(start, answered, end),
        caller=strip_ext(get("from-no")),
        caller_name=get("from-dispname"),
        caller_type=caller_type,
        called=strip_ext(get("to-no")),
        called_type=called_type,
        dialled=get("dial-no"),
        final_number=strip_ext(get("final-number")),
        final_type=final_type,
        trunk_identifier=trunk,
        billing_code=digits_only(get("bill-code")),
        cost=cost,
        status=threecx_status(reason, was_answered),
        termination=reason,
    )
