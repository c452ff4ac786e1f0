"""Yeastar P-Series (and S-Series) CDR export: CSV with a header row.

Vendor documentation: Yeastar P-Series "CDR and Recordings" (Call Logs: export of the CDR
to CSV) and the P-Series API event "(30012) New CDR"
(https://help.yeastar.com/en/p-series/developer-guide/event-new-cdr.html), whose fields are
the export's columns: call_id, time_start, call_from, call_to, call_duration, talk_duration,
src_trunk_name, dst_trunk_name, pin_code, status (ANSWERED, NO ANSWER, BUSY, VOICEMAIL), type
(internal, inbound, outbound), recording, did_number, agent_ring_time. The web export writes
them as titles ('Time', 'Call From', 'Call To', 'Call Duration(s)', 'Ring Duration(s)', 'Talk
Duration(s)', 'Status', 'Source Trunk', 'Destination Trunk', 'Communication Type', 'PIN
Code', ...). Both spellings are read: a header is compared without case, spaces, underscores,
dashes and a trailing '(s)'.

A file is a Yeastar CDR when its header names a call-from, a call-to and a PIN code column.

Values: the PIN code -> billing_code (all digits; Yeastar's PIN list is how a firm's staff
enter a client code on these PBXs). 'Call From' may be '"Name"<1001>' or 'Name<1001>': the
number in angle brackets is the caller, the rest the name. Durations in seconds or
'HH:MM:SS'. Time: 'YYYY-MM-DD HH:MM:SS' or 'DD/MM/YYYY HH:MM:SS', local to the PBX.
Type/Communication Type says the direction (Inbound: the caller is a line; Outbound: the
callee is); the destination trunk (outbound) or the source trunk (inbound) is
``trunk_identifier``.

Identity: 'yeastar:' + call id when the export has one, else 'yeastar:' + a digest of the row
(':2', ':3'… for identical rows next to each other).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import timedelta, tzinfo

from ._common import (
    FieldError,
    RawRecord,
    RunCounter,
    digits_only,
    disposition_status,
    flexible_seconds,
    local_times,
    make_record,
    read_records,
    required_time,
    short_hash,
    unreadable,
    wrong_count,
)
from .headered_csv import sniff_delimiter
from .records import CdrRecord, CdrRejection, NotCdrError

ALIASES: dict[str, tuple[str, ...]] = {
    "time": ("time", "timestart", "starttime", "date", "datetime"),
    "from": ("callfrom", "from", "caller"),
    "to": ("callto", "to", "callee"),
    "duration": ("callduration", "duration"),
    "ring": ("ringduration", "agentringtime"),
    "talk": ("talkduration", "billsec", "talktime"),
    "status": ("status", "disposition"),
    "type": ("communicationtype", "calltype", "type"),
    "src_trunk": ("sourcetrunk", "srctrunkname", "srctrunk"),
    "dst_trunk": ("destinationtrunk", "dsttrunkname", "desttrunkname", "dsttrunk"),
    "pin": ("pincode", "pin"),
    "id": ("callid", "uniqueid", "id"),
    "did": ("didnumber", "did"),
}
_SUFFIX = re.compile(r"\((?:s|sec|secs|seconds)\)$")
_NUMBER_IN_BRACKETS = re.compile(r'\s*"?(?P<name>[^"<]*?)"?\s*<(?P<number>[^>]*)>\s*')


def header_key(name: str) -> str:
    key = name.strip().lstrip("\ufeff").lower()
    key = _SUFFIX.sub("", key)
    return re.sub(r"[\s_\-.]", "", key)


def map_header(names: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for position, name in enumerate(names):
        positions.setdefault(header_key(name), position)
    roles: dict[str, int] = {}
    for role, aliases in ALIASES.items():
        for alias in aliases:
            if alias in positions:
                roles[role] = positions[alias]
                break
    return roles


def is_yeastar_header(names: list[str]) -> bool:
    roles = map_header(names)
    return all(role in roles for role in ("time", "from", "to", "pin"))


def describe(names: list[str]) -> str:
    return f"Yeastar CDR export, {len(names)} columns"


def parse_yeastar(lines: Iterable[str], tz: tzinfo) -> Iterator[CdrRecord | CdrRejection]:
    """Read a Yeastar CDR export (header first); one item per following record."""
    lines = iter(lines)
    head: list[str] = []
    for line in lines:
        head.append(line)
        if line.strip().lstrip("\ufeff").strip():
            break
    if not head or not head[-1].strip():
        raise NotCdrError("the file is empty")
    delimiter = sniff_delimiter(head[-1].strip())
    records = read_records(_chain(head, lines), delimiter=delimiter)
    header = next(records)
    if header.fields is None:
        raise NotCdrError(f"the header line cannot be read: {header.error}")
    names = [name.strip().lstrip("\ufeff") for name in header.fields]
    if not is_yeastar_header(names):
        raise NotCdrError(
            f"the header names no call start time and destination (columns: {', '.join(names)})"
        )
    return _parse(records, names, map_header(names), tz)


def _chain(head: list[str], rest: Iterator[str]) -> Iterator[str]:
    yield from head
    yield from rest


def _parse(
    records: Iterator[RawRecord], names: list[str], roles: dict[str, int], tz: tzinfo
) -> Iterator[CdrRecord | CdrRejection]:
    runs = RunCounter()
    keys = [header_key(name) for name in names]
    for raw in records:
        if raw.fields is None:
            yield unreadable(raw)
            continue
        fields = raw.fields
        if len(fields) == len(names) + 1 and not fields[-1].strip():
            fields = fields[:-1]
        if len(fields) != len(names):
            yield wrong_count(raw, len(names))
            continue
        try:
            yield _record(raw, fields, names, keys, roles, tz, runs)
        except FieldError as error:
            yield CdrRejection(raw.line_number, raw.raw, error.field, error.reason)


def party(value: str) -> tuple[str, str]:
    """'"Leo Ball"<1001>' -> ('1001', 'Leo Ball'); '1001' -> ('1001', '')."""
    match = _NUMBER_IN_BRACKETS.fullmatch(value)
    if match:
        return match.group("number").strip(), match.group("name").strip()
    return value.strip(), ""


def _record(
    raw: RawRecord,
    fields: list[str],
    names: list[str],
    keys: list[str],
    roles: dict[str, int],
    tz: tzinfo,
    runs: RunCounter,
) -> CdrRecord:
    def get(role: str) -> str:
        position = roles.get(role)
        return "" if position is None else fields[position].strip()

    def name(role: str) -> str:
        return names[roles[role]] if role in roles else role

    time_text = get("time")
    start = local_times(tz)(time_text) or required_time(name("time"), time_text, tz)
    talk = flexible_seconds(name("talk"), get("talk"))
    duration = flexible_seconds(name("duration"), get("duration"))
    ring = flexible_seconds(name("ring"), get("ring")) if "ring" in roles else 0
    if not ring and duration >= talk:
        ring = duration - talk
    answered = start + timedelta(seconds=ring) if talk else None
    end = start + timedelta(seconds=max(duration, ring + talk))

    caller, caller_name = party(get("from"))
    called, _ = party(get("to"))
    kind = get("type").lower()
    src_trunk, dst_trunk = get("src_trunk"), get("dst_trunk")
    if "inbound" in kind or (not kind and src_trunk and not dst_trunk):
        caller_type, called_type, trunk = "line", "", src_trunk
    elif "outbound" in kind or (not kind and dst_trunk):
        caller_type, called_type, trunk = "extension", "line", dst_trunk
    elif "internal" in kind:
        caller_type, called_type, trunk = "extension", "extension", ""
    else:
        caller_type = called_type = ""
        trunk = dst_trunk or src_trunk

    identifier = get("id")
    if identifier:
        call_id = f"yeastar:{identifier[:80]}"
    else:
        digest = short_hash(f"{key}={value}" for key, value in zip(keys, fields, strict=True))
        call_id = f"yeastar:{digest}{runs.suffix(digest, digest)}"
    status_text = get("status")
    return make_record(
        line_number=raw.line_number,
        raw=raw.raw,
        pbx_call_id=call_id,
        start=start,
        answered=answered,
        end=end,
        talk_seconds=talk,
        ring_seconds=ring,
        caller=caller,
        caller_name=caller_name,
        caller_type=caller_type,
        called=called,
        called_type=called_type,
        dialled=called,
        final_number="",
        final_type="",
        trunk_identifier=trunk,
        billing_code=digits_only(get("pin")),
        cost=None,
        status=disposition_status(status_text, talk > 0),
        termination=status_text,
    )
