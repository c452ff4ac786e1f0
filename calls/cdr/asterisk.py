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
from collections.abc import Callable, Iterable, Iterator
from datetime import tzinfo
from functools import lru_cache
from operator import itemgetter

from ._common import (
    DIGITS_MAX,
    FieldError,
    RunCounter,
    convert_records,
    disposition_status,
    local_times,
    make_record,
    optional_time,
    required_time,
    ring_seconds,
    show,
    stripped_hash,
    unreadable_line,
    within_a_call,
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
    size = len(columns)
    record = _record_maker(index, tz, RunCounter())

    def convert(line_number: int, text: str, fields: list[str]) -> CdrRecord | CdrRejection:
        if len(fields) != size:
            return CdrRejection(
                line_number, text, "", "wrong_count", {"expected": size, "got": len(fields)}
            )
        try:
            return record(line_number, text, fields)
        except FieldError as error:
            return error.rejection(line_number, text)

    return convert_records(lines, convert, unreadable_line)


_CLID = re.compile(r'\s*(?:"(?P<quoted>.*)"|(?P<plain>[^<]*?))\s*<(?P<number>[^>]*)>\s*')
_OUTGOING_CONTEXTS = ("outrt", "outbound", "outgoing", "dialout")
_INCOMING_CONTEXTS = ("from-trunk", "from-pstn", "from-did", "ext-did", "inbound", "incoming")


@lru_cache(maxsize=4096)  # a phone's or a number's name, read again on most of its calls
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


# What _digit_count drops, for ASCII text: the ASCII characters \s matches, and -./()
_ASCII_SEPARATORS = str.maketrans("", "", "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f -./()")


@lru_cache(maxsize=4096)  # an extension's number, read on most of its calls
def _digit_count(number: str) -> int | None:
    """Digits in a number written with spaces, dashes, dots, brackets or a leading '+'."""
    if number.isascii():
        compact = number.translate(_ASCII_SEPARATORS).removeprefix("+")
    else:
        compact = re.sub(r"[\s\-./()]", "", number).removeprefix("+")
    return len(compact) if compact.isdigit() else None


@lru_cache(maxsize=1024)
def _context_direction(dcontext: str) -> bool | None:
    """True/False when the dialplan context says the leg is outgoing/incoming, else None."""
    context = dcontext.lower()
    if any(word in context for word in _INCOMING_CONTEXTS):
        return False
    if any(word in context for word in _OUTGOING_CONTEXTS):
        return True
    return None


def is_outgoing(src: str, dst: str, dcontext: str) -> bool:
    direction = _context_direction(dcontext)
    if direction is not None:
        return direction
    src_digits, dst_digits = _digit_count(src), _digit_count(dst)
    return (
        src_digits is not None
        and 1 <= src_digits <= 6
        and dst_digits is not None
        and dst_digits >= 7
    )


# The columns a record is read from, in the order _record_maker unpacks them.
_USED_COLUMNS = (
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "uniqueid",
    "src",
    "dst",
    "dcontext",
    "dstchannel",
    "channel",
    "disposition",
    "clid",
    "accountcode",
)


def _record_maker(
    index: dict[str, int], tz: tzinfo, runs: RunCounter
) -> Callable[[int, str, list[str]], CdrRecord]:
    """The function that reads one record's fields (of the right count); FieldError if wrong."""
    size = len(index)
    # every field trimmed; a column missing from the layout reads as '' (appended last)
    getter = itemgetter(*(index.get(name, size) for name in _USED_COLUMNS))
    has_duration = "duration" in index
    has_billsec = "billsec" in index
    local = local_times(tz).convert  # fast_time(value, tz), the zone's offset kept per hour

    def seconds(name: str, value: str) -> int:
        if not value.isascii() or not value.isdigit() or len(value) > DIGITS_MAX:
            raise FieldError(name, "not_whole_seconds", value=show(value))
        return within_a_call(name, value, int(value))

    def record(line_number: int, text: str, fields: list[str]) -> CdrRecord:
        values = [field.strip() for field in fields]
        digest = stripped_hash(values)  # short_hash(fields)
        values.append("")
        (
            start_text,
            answer_text,
            end_text,
            duration,
            billsec,
            uniqueid,
            src,
            dst,
            dcontext,
            dstchannel,
            channel,
            disposition,
            clid,
            accountcode,
        ) = getter(values)
        # LocalTimes reads the usual 'YYYY-MM-DD HH:MM:SS' as fast_time does (None for anything
        # else: then the general functions read the value, or name it in the rejection)
        start = local(start_text) or required_time("start", start_text, tz)
        answered = (
            (local(answer_text) or optional_time("answer", answer_text, tz))
            if answer_text
            else None
        )
        end = (local(end_text) or optional_time("end", end_text, tz)) if end_text else None
        if has_duration:
            seconds("duration", duration)
        talk = seconds("billsec", billsec) if has_billsec else 0

        if uniqueid:
            call_id = f"ast:{uniqueid}:{digest}{runs.suffix(uniqueid, digest)}"
        else:
            call_id = f"ast:{digest}{runs.suffix(digest, digest)}"

        trunk = dstchannel if is_outgoing(src, dst, dcontext) else channel
        was_answered = answered is not None or talk > 0
        return make_record(
            line_number,  # line_number
            text,  # raw
            call_id,  # pbx_call_id
            start,
            answered,
            end,
            talk,  # talk_seconds
            ring_seconds(start, answered, end),
            src,  # caller
            caller_name(clid, src),
            "",  # caller_type
            dst,  # called
            "",  # called_type
            dst,  # dialled
            "",  # final_number
            "",  # final_type
            trunk,  # trunk_identifier
            accountcode if accountcode.isascii() and accountcode.isdigit() else "",  # billing
            None,  # cost
            disposition_status(disposition, was_answered),  # status
            disposition,  # termination
        )

    return record
