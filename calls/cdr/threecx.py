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
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC

from ._common import (
    FieldError,
    RawRecord,
    RunCounter,
    digits_only,
    hms_seconds,
    money,
    normalise_type,
    optional_time,
    read_records,
    required_time,
    ring_seconds,
    short_hash,
    show,
    strip_ext,
    threecx_status,
    unreadable,
    wrong_count,
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
    runs = RunCounter()
    for raw in read_records(lines, is_record_start=start_check):
        if raw.fields is None:
            yield unreadable(raw)
            continue
        fields = raw.fields
        if len(fields) == len(layout) + 1 and not fields[-1].strip():
            fields = fields[:-1]
        if len(fields) != len(layout):
            yield wrong_count(raw, len(layout))
            continue
        try:
            yield _record(raw, fields, index, runs)
        except FieldError as error:
            yield CdrRejection(raw.line_number, raw.raw, error.field, error.reason)


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
            raise FieldError(
                "historyid", f"field historyid {show(history)} is not a 3CX call id ('Call N')"
            )
        call_id = f"3cx:{int(match.group(1))}"
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
