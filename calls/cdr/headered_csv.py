"""Any CSV call list with a header row: columns are found by name, not by position.

Header names are compared without case, spaces, dashes, underscores and dots, and each role
has aliases (``COLUMN_ALIASES``, first present alias wins), e.g. start = start | time-start |
calldate | date | data; destination = destination | to | dst | to-no | number | dial-no. A file
is a CDR list when its header names at least a start time and a destination. The delimiter
(comma, semicolon as Excel writes it with Italian settings, or tab) is taken from the header.

Times: ISO 8601, 'YYYY-MM-DD HH:MM:SS', 'YYYY/MM/DD HH:MM:SS' and 'DD/MM/YYYY HH:MM[:SS]',
local to the zone the caller passes unless they carry an offset; a date-only start is joined
with a separate time column (time | ora) when there is one. Talk time: seconds, 'MM:SS' or
'HH:MM:SS' (billsec is preferred to duration when both are present). Costs accept a decimal
comma.

Identity (``pbx_call_id``): an id column holding a 3CX historyid ('Call N') gives '3cx:N', the
same id the 3CX parser gives that call. Otherwise 'csv:' + the id column's value (when there is
one) + ':' + 12 hex digits of the sha1 of the row (header names and values), with ':2', ':3'...
for identical rows written next to each other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime, tzinfo
from functools import partial
from typing import NamedTuple

from ._columns import Columns, Parties, Rules, Times, read_columns
from ._common import (
    FieldError,
    disposition_status,
    flexible_seconds,
    normalise_type,
    parse_time,
    required_time,
    ring_seconds,
    show,
    strip_ext,
    threecx_status,
)
from .asterisk import caller_name as clid_name
from .records import CdrRecord, CdrRejection

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "start": (
        "start",
        "timestart",
        "calldate",
        "date",
        "starttime",
        "datetime",
        "data",
        "dataora",
        "datachiamata",
        "inizio",
    ),
    "time": ("time", "ora", "orario"),
    "caller": ("caller", "from", "src", "fromno", "source", "chiamante"),
    "called": (
        "destination",
        "to",
        "dst",
        "tono",
        "called",
        "chiamato",
        "destinazione",
        "number",
        "numero",
        "dialno",
    ),
    "dialled": ("dialno", "dialled", "dialed"),
    "talk": ("billsec", "talk", "talktime", "conversazione", "duration", "durata"),
    "answered": ("answered", "timeanswered", "answer", "answertime", "risposta"),
    "end": ("end", "timeend", "endtime", "fine"),
    "code": (
        "code",
        "billcode",
        "billingcode",
        "accountcode",
        "clientcode",
        "codice",
        "codicecliente",
    ),
    "id": ("historyid", "uniqueid", "callid", "id"),
    "status": ("status", "disposition", "esito", "stato"),
    "reason": ("reasonterminated", "termination"),
    "caller_name": ("callername", "fromdispname", "clid"),
    "trunk": ("trunk", "todn", "dstchannel", "linea"),
    "cost": ("cost", "billcost", "costo", "importo"),
    "caller_type": ("fromtype",),
    "called_type": ("totype",),
    "final_number": ("finalnumber",),
    "final_type": ("finaltype",),
}


class HeaderedRow(NamedTuple):
    """The columns read, by role (``COLUMN_ALIASES`` names each role's columns)."""

    start: str
    time: str
    caller: str
    called: str
    dialled: str
    talk: str
    answered: str
    end: str
    code: str
    id: str
    status: str
    reason: str
    caller_name: str
    trunk: str
    cost: str
    caller_type: str
    called_type: str
    final_number: str
    final_type: str


_CALL_ID = re.compile(r"Call\s+(\d+)", re.IGNORECASE)
_YES = {"yes", "y", "si", "sì", "true", "1", "x"}
_NO = {"no", "n", "false", "0"}


def header_key(name: str) -> str:
    return re.sub(r"[\s\-_.]", "", name.strip().lstrip("\ufeff").lower())


def _columns(names: list[str]) -> Columns:
    columns = Columns(names, header_key, COLUMN_ALIASES)
    roles = columns.roles
    if "start" not in roles and "time" in roles:
        roles["start"] = roles.pop("time")
    return columns


def map_header(names: list[str]) -> dict[str, int]:
    """Role -> column position for the roles the header names (see ``COLUMN_ALIASES``)."""
    return _columns(names).roles


def is_cdr_header(roles: dict[str, int]) -> bool:
    return "start" in roles and "called" in roles


def describe(names: list[str], roles: dict[str, int]) -> str:
    shown = ", ".join(f"{role}: {names[position].strip()}" for role, position in roles.items())
    return f"CSV with a header row, {len(names)} columns ({shown})"


def parse_headered_csv(lines: Iterable[str], tz: tzinfo) -> Iterator[CdrRecord | CdrRejection]:
    """Read a CSV whose first non-blank line is a header; one item per following record.

    Raises NotCdrError at once when the header names no start time or no destination.
    """
    return read_columns(lines, _cdr_columns, HeaderedRow, partial(HeaderedRules, tz=tz))


def _cdr_columns(names: list[str]) -> Columns | None:
    columns = _columns(names)
    return columns if is_cdr_header(columns.roles) else None


class HeaderedRules(Rules):
    """The conventions of a CSV call list, for one file."""

    def __init__(self, columns: Columns, tz: tzinfo):
        super().__init__(columns, tz)
        self.has_time = "time" in columns
        self.start_name, self.answered_name, self.end_name, self.talk_name = (
            columns.name(role) for role in ("start", "answered", "end", "talk")
        )

    def _time(self, text: str) -> datetime | None:
        """LocalTimes' fast way for 'YYYY-MM-DD HH:MM:SS', and for 'YYYY/MM/DD HH:MM:SS',
        'DD/MM/YYYY HH:MM:SS' and 'DD/MM/YYYY HH:MM' written so (parse_time reads them as the
        same time); None for the rest, which parse_time reads."""
        if text[2:3] == "/" and text[5:6] == "/" and text[10:11] == " ":
            if len(text) == 16:
                text += ":00"
            text = f"{text[6:10]}-{text[3:5]}-{text[:2]}{text[10:]}"
        elif text[4:5] == "/" and text[7:8] == "/":
            text = text.replace("/", "-")
        return self.local(text)

    def times(self, row: HeaderedRow) -> Times:
        tz = self.tz
        start_text = row.start
        start = self._time(start_text)
        if start is None:
            if self.has_time and parse_time(start_text, tz) is None:
                start_text = f"{start_text} {row.time}".strip()
            start = required_time(self.start_name, start_text, tz)
        answered = None
        if row.answered:
            answered = self._time(row.answered) or parse_time(row.answered, tz)
            if answered is None and _answered_flag(row.answered) is None:
                raise FieldError(self.answered_name, "not_a_date", value=show(row.answered))
        end = None
        if row.end:
            end = self._time(row.end) or required_time(self.end_name, row.end, tz)
        talk = flexible_seconds(self.talk_name, row.talk)
        return start, answered, end, talk, ring_seconds(start, answered, end)

    def identity(self, row: HeaderedRow, fields: list[str]) -> tuple[str, str]:
        match = _CALL_ID.fullmatch(row.id)
        if match:
            return f"3cx:{match.group(1).lstrip('0') or '0'}", ""
        digest = self.row_digest(fields)
        label = row.id[:80]
        suffix = self.runs.suffix(label or digest, digest)
        return f"csv:{label + ':' if label else ''}{digest}{suffix}", ""

    def parties(self, row: HeaderedRow) -> Parties:
        return (
            strip_ext(row.caller),
            clid_name(row.caller_name, row.caller),
            normalise_type(row.caller_type),
            strip_ext(row.called),
            normalise_type(row.called_type),
            row.dialled or row.called,
            strip_ext(row.final_number),
            normalise_type(row.final_type),
            row.trunk,
        )

    def outcome(self, row: HeaderedRow, answered: datetime | None, talk: int) -> tuple[str, str]:
        flag = _answered_flag(row.answered) if answered is None and row.answered else None
        was_answered = answered is not None or talk > 0 or bool(flag)
        if flag is False:
            was_answered = False
        if row.status:
            return disposition_status(row.status, was_answered), row.status
        if row.reason:
            return threecx_status(row.reason, was_answered), row.reason
        return ("answered" if was_answered else "no_answer"), ""


def _answered_flag(text: str) -> bool | None:
    """An 'answered' column written as yes or no (Italian too); None for another word."""
    word = text.lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    return None
