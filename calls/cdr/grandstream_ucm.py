"""Grandstream UCM (UCM6200/6300/6500) CDR: CSV with a header row.

Vendor documentation: Grandstream "UCM6xxx CDR Real-Time Output" and the UCM HTTPS API
guide ("cdrapi": the CDR fields AcctId, accountcode, src, dst, dcontext, clid, channel,
dstchannel, lastapp, lastdata, start, answer, end, duration, billsec, disposition, amaflags,
uniqueid, userfield, channel_ext, dstchannel_ext, service, caller_name, recordfiles,
dstanswer, chanext, dstchanext, session, action_owner, action_type, src_trunk_name,
dst_trunk_name, sn; newer firmware adds more). The UCM builds on Asterisk: the first
columns are Asterisk's cdr fields, times are the UCM's local time 'YYYY-MM-DD HH:MM:SS'.

Columns are read by name (any order, any extra columns; case ignored). A file is a UCM CDR
when its header names AcctId, src, dst and start.

Values: ``accountcode`` -> billing_code (all digits); ``src`` caller, ``dst`` called;
``caller_name`` (else the name in ``clid``); ``billsec`` talk time; ``disposition`` the status
(ANSWERED, NO ANSWER, BUSY, FAILED); ``dst_trunk_name`` set -> outbound through that trunk,
``src_trunk_name`` set -> inbound from it (the trunk name is ``trunk_identifier``); neither ->
the numbers decide (calls.matching). An answer time of '' or '0000-00-00 00:00:00' is none.

Identity: ``pbx_call_id`` is 'ucm:' + AcctId (the UCM's own record number) when the file has
it, else 'ucm:' + uniqueid + ':' + a digest of the row; ``leg_group`` is 'ucm:' + session (the
UCM writes one record per leg and joins them by session).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, tzinfo

from ._common import (
    DIGITS_MAX,
    FieldError,
    LocalTimes,
    RawRecord,
    RunCounter,
    digits_only,
    disposition_status,
    make_record,
    read_records,
    required_time,
    ring_seconds,
    short_hash,
    show,
    unreadable,
    within_a_call,
    wrong_count,
)
from .asterisk import caller_name as clid_name
from .records import CdrRecord, CdrRejection, NotCdrError

REQUIRED = ("acctid", "src", "dst", "start")


def _key(name: str) -> str:
    return name.strip().lstrip("\ufeff").lower()


def is_ucm_header(names: list[str]) -> bool:
    keys = {_key(name) for name in names}
    return all(name in keys for name in REQUIRED)


def describe(names: list[str]) -> str:
    return f"Grandstream UCM CDR, {len(names)} columns"


def parse_grandstream_ucm(lines: Iterable[str], tz: tzinfo) -> Iterator[CdrRecord | CdrRejection]:
    """Read a UCM CDR CSV (header first); one item per following record."""
    records = read_records(lines)
    header = next(records, None)
    if header is None:
        raise NotCdrError("the file is empty")
    if header.fields is None:
        raise NotCdrError(f"the header line cannot be read: {header.error}")
    names = [name.strip().lstrip("\ufeff") for name in header.fields]
    if not is_ucm_header(names):
        raise NotCdrError(
            f"the header names no call start time and destination (columns: {', '.join(names)})"
        )
    index: dict[str, int] = {}
    for position, name in enumerate(names):
        index.setdefault(_key(name), position)
    return _parse(records, len(names), index, tz)


def _parse(
    records: Iterator[RawRecord], size: int, index: dict[str, int], tz: tzinfo
) -> Iterator[CdrRecord | CdrRejection]:
    runs = RunCounter()
    local = LocalTimes(tz)
    for raw in records:
        if raw.fields is None:
            yield unreadable(raw)
            continue
        fields = raw.fields
        if len(fields) == size + 1 and not fields[-1].strip():
            fields = fields[:-1]
        if len(fields) != size:
            yield wrong_count(raw, size)
            continue
        try:
            yield _record(raw, fields, index, tz, runs, local)
        except FieldError as error:
            yield CdrRejection(raw.line_number, raw.raw, error.field, error.reason)


def _time(field: str, value: str, tz: tzinfo, local: LocalTimes) -> datetime | None:
    if not value or value.startswith("0000-00-00"):
        return None
    return local(value) or required_time(field, value, tz)


def _seconds(field: str, value: str) -> int:
    if not value:
        return 0
    if not value.isascii() or not value.isdigit() or len(value) > DIGITS_MAX:
        raise FieldError(field, f"field {field} {show(value)} is not a whole number of seconds")
    return within_a_call(field, value, int(value))


def _record(
    raw: RawRecord,
    fields: list[str],
    index: dict[str, int],
    tz: tzinfo,
    runs: RunCounter,
    local: LocalTimes,
) -> CdrRecord:
    def get(name: str) -> str:
        position = index.get(name)
        return "" if position is None else fields[position].strip()

    start_text = get("start")
    start = _time("start", start_text, tz, local)
    if start is None:
        raise FieldError("start", "field start is empty (a date and time is required)")
    answered = _time("answer", get("answer"), tz, local)
    end = _time("end", get("end"), tz, local)
    _seconds("duration", get("duration"))
    talk = _seconds("billsec", get("billsec"))

    acct_id, uniqueid = get("acctid"), get("uniqueid")
    if acct_id:
        call_id = f"ucm:{acct_id}"
    else:
        digest = short_hash(fields)
        call_id = f"ucm:{uniqueid}:{digest}{runs.suffix(uniqueid or digest, digest)}"
    session = get("session")

    src, dst = get("src"), get("dst")
    src_trunk, dst_trunk = get("src_trunk_name"), get("dst_trunk_name")
    if dst_trunk:
        caller_type, called_type, trunk = "", "line", dst_trunk
    elif src_trunk:
        caller_type, called_type, trunk = "line", "", src_trunk
    else:
        caller_type = called_type = trunk = ""
    disposition = get("disposition")
    was_answered = answered is not None or talk > 0
    return make_record(
        line_number=raw.line_number,
        raw=raw.raw,
        pbx_call_id=call_id,
        start=start,
        answered=answered,
        end=end,
        talk_seconds=talk,
        ring_seconds=ring_seconds(start, answered, end),
        caller=src,
        caller_name=get("caller_name") or clid_name(get("clid"), src),
        caller_type=caller_type,
        called=dst,
        called_type=called_type,
        dialled=dst,
        final_number="",
        final_type="",
        trunk_identifier=trunk,
        billing_code=digits_only(get("accountcode")),
        cost=None,
        status=disposition_status(disposition, was_answered),
        termination=disposition,
        leg_group=f"ucm:{session}" if session else "",
    )
