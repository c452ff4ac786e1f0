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
from datetime import datetime, tzinfo
from functools import lru_cache, partial
from typing import NamedTuple

from ._columns import Columns, Item, Parties, Rules, Times, read_columns
from ._common import _DELTAS, disposition_status, flexible_seconds, required_time, seconds

ALIASES: dict[str, tuple[str, ...]] = {
    "time": ("time", "timestart", "starttime", "date", "datetime"),
    "call_from": ("callfrom", "from", "caller"),
    "call_to": ("callto", "to", "callee"),
    "duration": ("callduration", "duration"),
    "ring": ("ringduration", "agentringtime"),
    "talk": ("talkduration", "billsec", "talktime"),
    "status": ("status", "disposition"),
    "type": ("communicationtype", "calltype", "type"),
    "src_trunk": ("sourcetrunk", "srctrunkname", "srctrunk"),
    "dst_trunk": ("destinationtrunk", "dsttrunkname", "desttrunkname", "dsttrunk"),
    "code": ("pincode", "pin"),
    "id": ("callid", "uniqueid", "id"),
    "did": ("didnumber", "did"),
}


class YeastarRow(NamedTuple):
    """The columns read, by role (``ALIASES`` names each role's columns); ``code`` is the PIN."""

    time: str
    call_from: str
    call_to: str
    duration: str
    ring: str
    talk: str
    status: str
    type: str
    src_trunk: str
    dst_trunk: str
    code: str
    id: str


_SUFFIX = re.compile(r"\((?:s|sec|secs|seconds)\)$")
_NUMBER_IN_BRACKETS = re.compile(r'\s*"?(?P<name>[^"<]*?)"?\s*<(?P<number>[^>]*)>\s*')


def header_key(name: str) -> str:
    key = name.strip().lstrip("\ufeff").lower()
    key = _SUFFIX.sub("", key)
    return re.sub(r"[\s_\-.]", "", key)


def map_header(names: list[str]) -> dict[str, int]:
    return Columns(names, header_key, ALIASES).roles


def is_yeastar_header(names: list[str]) -> bool:
    roles = map_header(names)
    return all(role in roles for role in ("time", "call_from", "call_to", "code"))


def describe(names: list[str]) -> str:
    return f"Yeastar CDR export, {len(names)} columns"


def _columns(names: list[str]) -> Columns | None:
    return Columns(names, header_key, ALIASES) if is_yeastar_header(names) else None


def parse_yeastar(lines: Iterable[str], tz: tzinfo) -> Iterator[Item]:
    """Read a Yeastar CDR export (header first); one item per following record."""
    return read_columns(lines, _columns, YeastarRow, partial(YeastarRules, tz=tz))


@lru_cache(maxsize=4096)  # an extension's 'Name<1001>', read again on most of its calls
def party(value: str) -> tuple[str, str]:
    """'"Leo Ball"<1001>' -> ('1001', 'Leo Ball'); '1001' -> ('1001', '')."""
    if "<" in value:
        match = _NUMBER_IN_BRACKETS.fullmatch(value)
        if match:
            return match.group("number").strip(), match.group("name").strip()
    return value.strip(), ""


class YeastarRules(Rules):
    """Yeastar's conventions for one file."""

    def __init__(self, columns: Columns, tz: tzinfo):
        super().__init__(columns, tz)
        self.time_name, self.talk_name, self.duration_name, self.ring_name = (
            columns.name(role) for role in ("time", "talk", "duration", "ring")
        )
        self.durations: dict[str, int] = {}

    def times(self, row: YeastarRow) -> Times:
        start = self.local(row.time) or required_time(self.time_name, row.time, self.tz)
        durations = self.durations  # the seconds of each duration text seen, once per file
        talk = durations.get(row.talk)
        if talk is None:
            talk = self.duration(self.talk_name, row.talk)
        duration = durations.get(row.duration)
        if duration is None:
            duration = self.duration(self.duration_name, row.duration)
        ring = durations.get(row.ring)
        if ring is None:
            ring = self.duration(self.ring_name, row.ring)
        if not ring and duration >= talk:
            ring = duration - talk
        answered = (start + (_DELTAS[ring] if ring < 3600 else seconds(ring))) if talk else None
        longest = max(duration, ring + talk)
        end = start + (_DELTAS[longest] if 0 <= longest < 3600 else seconds(longest))
        return start, answered, end, talk, ring

    def duration(self, name: str, value: str) -> int:
        """``flexible_seconds``, remembered for the file (the value, not the column, decides)."""
        count = flexible_seconds(name, value)
        if len(self.durations) >= 4096:
            self.durations.clear()
        self.durations[value] = count
        return count

    def identity(self, row: YeastarRow, fields: list[str]) -> tuple[str, str]:
        if row.id:
            return f"yeastar:{row.id[:80]}", ""
        digest = self.row_digest(fields)
        return f"yeastar:{digest}{self.runs.suffix(digest, digest)}", ""

    def parties(self, row: YeastarRow) -> Parties:
        caller, caller_name = party(row.call_from)
        called = party(row.call_to)[0]
        kind = row.type.lower()
        src_trunk, dst_trunk = row.src_trunk, row.dst_trunk
        if "inbound" in kind or (not kind and src_trunk and not dst_trunk):
            caller_type, called_type, trunk = "line", "", src_trunk
        elif "outbound" in kind or (not kind and dst_trunk):
            caller_type, called_type, trunk = "extension", "line", dst_trunk
        elif "internal" in kind:
            caller_type, called_type, trunk = "extension", "extension", ""
        else:
            caller_type = called_type = ""
            trunk = dst_trunk or src_trunk
        return caller, caller_name, caller_type, called, called_type, called, "", "", trunk

    def outcome(self, row: YeastarRow, answered: datetime | None, talk: int) -> tuple[str, str]:
        return disposition_status(row.status, talk > 0), row.status
