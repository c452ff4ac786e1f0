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
from functools import partial
from typing import NamedTuple

from ._columns import Columns, Item, Parties, Rules, Times, plain_key, read_columns
from ._common import (
    FieldError,
    disposition_status,
    required_time,
    ring_seconds,
    short_hash,
    whole_seconds,
)
from .asterisk import caller_name as clid_name

REQUIRED = ("acctid", "src", "dst", "start")


class UcmRow(NamedTuple):
    """The columns read, by their names in the cdrapi field list (case ignored)."""

    start: str
    answer: str
    end: str
    duration: str
    billsec: str
    acctid: str
    uniqueid: str
    session: str
    src: str
    dst: str
    src_trunk_name: str
    dst_trunk_name: str
    caller_name: str
    clid: str
    disposition: str
    code: str  # accountcode


ALIASES = {role: (role,) for role in UcmRow._fields} | {"code": ("accountcode",)}


def is_ucm_header(names: list[str]) -> bool:
    keys = {plain_key(name) for name in names}
    return all(name in keys for name in REQUIRED)


def describe(names: list[str]) -> str:
    return f"Grandstream UCM CDR, {len(names)} columns"


def parse_grandstream_ucm(lines: Iterable[str], tz: tzinfo) -> Iterator[Item]:
    """Read a UCM CDR CSV (header first); one item per following record."""
    return read_columns(lines, _columns, UcmRow, partial(UcmRules, tz=tz))


def _columns(names: list[str]) -> Columns | None:
    return Columns(names, plain_key, ALIASES) if is_ucm_header(names) else None


class UcmRules(Rules):
    """The UCM's conventions for one file."""

    def __init__(self, columns: Columns, tz: tzinfo):
        super().__init__(columns, tz)
        self.counts: dict[str, int] = {}

    def _time(self, field: str, value: str) -> datetime | None:
        if not value or value[:10] == "0000-00-00":
            return None
        return self.local(value) or required_time(field, value, self.tz)

    def times(self, row: UcmRow) -> Times:
        local = self.local
        # the usual 'YYYY-MM-DD HH:MM:SS' straight to LocalTimes; else the general way
        start = local(row.start) or self._time("start", row.start)
        if start is None:
            raise FieldError("start", "time_empty")
        answered = local(row.answer) if row.answer else None
        if answered is None and row.answer:
            answered = self._time("answer", row.answer)
        end = local(row.end)
        if end is None and row.end:
            end = self._time("end", row.end)
        counts = self.counts  # each count's text read once per file (they repeat)
        if row.duration not in counts:
            self._count("duration", row.duration)  # read only to be checked
        talk = counts.get(row.billsec)
        if talk is None:
            talk = self._count("billsec", row.billsec)
        return start, answered, end, talk, ring_seconds(start, answered, end)

    def _count(self, field: str, value: str) -> int:
        count = whole_seconds(field, value)
        if len(self.counts) >= 4096:
            self.counts.clear()
        self.counts[value] = count
        return count

    def identity(self, row: UcmRow, fields: list[str]) -> tuple[str, str]:
        leg_group = f"ucm:{row.session}" if row.session else ""
        if row.acctid:
            return f"ucm:{row.acctid}", leg_group
        digest = short_hash(fields)
        suffix = self.runs.suffix(row.uniqueid or digest, digest)
        return f"ucm:{row.uniqueid}:{digest}{suffix}", leg_group

    def parties(self, row: UcmRow) -> Parties:
        src, dst = row.src, row.dst
        if row.dst_trunk_name:
            caller_type, called_type, trunk = "", "line", row.dst_trunk_name
        elif row.src_trunk_name:
            caller_type, called_type, trunk = "line", "", row.src_trunk_name
        else:
            caller_type = called_type = trunk = ""
        name = row.caller_name or clid_name(row.clid, src)
        return src, name, caller_type, dst, called_type, dst, "", "", trunk

    def outcome(self, row: UcmRow, answered: datetime | None, talk: int) -> tuple[str, str]:
        was_answered = answered is not None or talk > 0
        return disposition_status(row.disposition, was_answered), row.disposition
