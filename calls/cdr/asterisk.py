"""Asterisk cdr_csv call detail records (Master.csv).

cdr_csv writes no header. Its columns are the 16 base ones (accountcode, src, dst, dcontext,
clid, channel, dstchannel, lastapp, lastdata, start, answer, end, duration, billsec,
disposition, amaflags), then ``uniqueid`` when loguniqueid=yes, ``userfield`` when
loguserfield=yes, then peeraccount, linkedid, sequence when newcdrcolumns=yes: 16 to 21
columns (``ASTERISK_LAYOUTS``). Times are the server's local time ('YYYY-MM-DD HH:MM:SS'):
they are read in the zone the caller passes and converted to UTC; a time that occurs twice
when DST ends is taken with fold=0 (the first, summer-time occurrence).

Identity (``pbx_call_id``): ``uniqueid`` is not unique per row (the sample has 44 uniqueids on
two rows: forked dials write one row per dialled phone, and 8 of these pairs are identical in
every column). The id is therefore 'ast:' + uniqueid + ':' + 12 hex digits of the sha1 of the
record's fields (each trimmed, joined by the unit separator; so quoting and line endings do not
matter), or 'ast:' + the digest alone when the layout has no uniqueid (or it is empty).
Identical rows written next to each other (within one run of rows with the same uniqueid; for
layouts without uniqueid, consecutive identical rows) are told apart by a ':2', ':3'... suffix;
identical rows far apart are the same call written twice and keep the same id. Limitation: a
file cut between two identical forked rows gives the second row, read alone, the id of the
first.

Status: the disposition decides (ANSWERED -> answered, NO ANSWER -> no_answer, BUSY -> busy,
FAILED and CONGESTION -> failed), even when an answer time is present. Asterisk records carry
no caller/called types, so those are ''. trunk_identifier is the full dstchannel for outgoing
legs and the full channel otherwise; a leg is outgoing when its dcontext says so (outrt,
outbound, outgoing, dialout; from-trunk, from-pstn, from-did, ext-did, inbound, incoming say
it is not), else when src looks like an extension (1 to 6 digits) and dst like an outside
number (7 digits or more).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import tzinfo

from ._common import (
    FieldError,
    RawRecord,
    RunCounter,
    digits_only,
    disposition_status,
    optional_time,
    read_records,
    required_time,
    ring_seconds,
    short_hash,
    show,
    unreadable,
    wrong_count,
)
from .records import CdrRecord, CdrRejection

BASE_COLUMNS: tuple[str, ...] = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
)
_NEW_COLUMNS = ("peeraccount", "linkedid", "sequence")
ASTERISK_COLUMNS: tuple[str, ...] = BASE_COLUMNS + ("uniqueid", "userfield") + _NEW_COLUMNS

ASTERISK_LAYOUTS: dict[str, tuple[str, ...]] = {
    "16": BASE_COLUMNS,
    "17-uniqueid": BASE_COLUMNS + ("uniqueid",),
    "17-userfield": BASE_COLUMNS + ("userfield",),
    "18": BASE_COLUMNS + ("uniqueid", "userfield"),
    "19": BASE_COLUMNS + _NEW_COLUMNS,
    "20-uniqueid": BASE_COLUMNS + ("uniqueid",) + _NEW_COLUMNS,
    "20-userfield": BASE_COLUMNS + ("userfield",) + _NEW_COLUMNS,
    "21": ASTERISK_COLUMNS,
}

_START_COLUMN = BASE_COLUMNS.index("start")
_DATE = re.compile(r"\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\s*")
# Asterisk uniqueid: epoch.sequence, optionally prefixed by the system name.
_UNIQUEID = re.compile(r"(?:[\w.-]+-)?\d+\.\d+")


def looks_like_asterisk_fields(fields: list[str]) -> bool:
    """True when the fields have a cdr_csv column count and a date in the start column."""
    return 16 <= len(fields) <= 21 and _DATE.fullmatch(fields[_START_COLUMN]) is not None


def columns_for(rows: list[list[str]]) -> tuple[str, ...] | None:
    """The cdr_csv layout for sample rows of one column count (None when no layout fits).

    17 and 20 columns are ambiguous (uniqueid or userfield): uniqueid when the extra column
    holds Asterisk unique ids in most rows.
    """
    if not rows:
        return None
    count = len(rows[0])
    if count in (17, 20):
        looks_unique = sum(1 for row in rows if _UNIQUEID.fullmatch(row[16].strip()))
        suffix = "uniqueid" if looks_unique * 2 > len(rows) else "userfield"
        return ASTERISK_LAYOUTS[f"{count}-{suffix}"]
    return ASTERISK_LAYOUTS.get(str(count))


def describe(columns: tuple[str, ...]) -> str:
    extras = [name for name in columns[len(BASE_COLUMNS) :]]
    detail = f" (with {', '.join(extras)})" if extras else ""
    return f"Asterisk cdr_csv (Master.csv), {len(columns)} columns{detail}"


def check_columns(columns: tuple[str, ...]) -> tuple[str, ...]:
    for name in columns:
        if name not in ASTERISK_COLUMNS:
            raise ValueError(f"unknown Asterisk CDR column '{name}'")
    if len(set(columns)) != len(columns):
        raise ValueError("an Asterisk CDR column is listed twice")
    if "start" not in columns:
        raise ValueError("the Asterisk CDR columns must contain start")
    return columns


def parse_asterisk(
    lines: Iterable[str], columns: tuple[str, ...], tz: tzinfo
) -> Iterator[CdrRecord | CdrRejection]:
    """Read cdr_csv records laid out as ``columns``; one CdrRecord or CdrRejection per record.

    Raises ValueError at once when ``columns`` holds an unknown or repeated name.
    """
    return _parse(lines, check_columns(tuple(columns)), tz)


def _parse(
    lines: Iterable[str], columns: tuple[str, ...], tz: tzinfo
) -> Iterator[CdrRecord | CdrRejection]:
    index = {name: position for position, name in enumerate(columns)}
    runs = RunCounter()
    for raw in read_records(lines):
        if raw.fields is None:
            yield unreadable(raw)
            continue
        if len(raw.fields) != len(columns):
            yield wrong_count(raw, len(columns))
            continue
        try:
            yield _record(raw, index, tz, runs)
        except FieldError as error:
            yield CdrRejection(raw.line_number, raw.raw, error.field, error.reason)


_CLID = re.compile(r'\s*(?:"(?P<quoted>.*)"|(?P<plain>[^<]*?))\s*<(?P<number>[^>]*)>\s*')
_OUTGOING_CONTEXTS = ("outrt", "outbound", "outgoing", "dialout")
_INCOMING_CONTEXTS = ("from-trunk", "from-pstn", "from-did", "ext-did", "inbound", "incoming")


def caller_name(clid: str, src: str) -> str:
    """'"Marget Biernacki" <253-433-5862>' -> 'Marget Biernacki'; '"" <...>' -> ''."""
    match = _CLID.fullmatch(clid)
    if match:
        name = match.group("quoted")
        if name is None:
            name = match.group("plain") or ""
        return name.replace('""', '"').strip()
    clid = clid.strip()
    return "" if clid == src.strip() else clid


def _digit_count(number: str) -> int | None:
    """Digits in a number written with spaces, dashes, dots, brackets or a leading '+'."""
    compact = re.sub(r"[\s\-./()]", "", number).removeprefix("+")
    return len(compact) if compact.isdigit() else None


def is_outgoing(src: str, dst: str, dcontext: str) -> bool:
    context = dcontext.lower()
    if any(word in context for word in _INCOMING_CONTEXTS):
        return False
    if any(word in context for word in _OUTGOING_CONTEXTS):
        return True
    src_digits, dst_digits = _digit_count(src), _digit_count(dst)
    return (
        src_digits is not None
        and 1 <= src_digits <= 6
        and dst_digits is not None
        and dst_digits >= 7
    )


def _record(raw: RawRecord, index: dict[str, int], tz: tzinfo, runs: RunCounter) -> CdrRecord:
    fields = raw.fields or []

    def get(name: str) -> str:
        position = index.get(name)
        return "" if position is None else fields[position].strip()

    def seconds(name: str) -> int:
        value = get(name)
        if name not in index:
            return 0
        if not value.isascii() or not value.isdigit():
            raise FieldError(name, f"field {name} {show(value)} is not a whole number of seconds")
        return int(value)

    start = required_time("start", get("start"), tz)
    answered = optional_time("answer", get("answer"), tz)
    end = optional_time("end", get("end"), tz)
    seconds("duration")
    talk = seconds("billsec")

    digest = short_hash(fields)
    uniqueid = get("uniqueid")
    if uniqueid:
        call_id = f"ast:{uniqueid}:{digest}{runs.suffix(uniqueid, digest)}"
    else:
        call_id = f"ast:{digest}{runs.suffix(digest, digest)}"

    src, dst = get("src"), get("dst")
    outgoing = is_outgoing(src, dst, get("dcontext"))
    trunk = get("dstchannel") if outgoing else get("channel")
    disposition = get("disposition")
    was_answered = answered is not None or talk > 0
    return CdrRecord(
        line_number=raw.line_number,
        raw=raw.raw,
        pbx_call_id=call_id,
        start=start,
        answered=answered,
        end=end,
        talk_seconds=talk,
        ring_seconds=ring_seconds(start, answered, end),
        caller=src,
        caller_name=caller_name(get("clid"), src),
        caller_type="",
        called=dst,
        called_type="",
        dialled=dst,
        final_number="",
        final_type="",
        trunk_identifier=trunk,
        billing_code=digits_only(get("accountcode")),
        cost=None,
        status=disposition_status(disposition, was_answered),
        termination=disposition,
    )
