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
from datetime import tzinfo
from itertools import chain

from ._common import (
    FieldError,
    RawRecord,
    RunCounter,
    digits_only,
    disposition_status,
    flexible_seconds,
    money,
    normalise_type,
    parse_time,
    read_records,
    required_time,
    ring_seconds,
    short_hash,
    show,
    strip_ext,
    strip_newline,
    threecx_status,
    unreadable,
    wrong_count,
)
from .asterisk import caller_name as clid_name
from .records import CdrRecord, CdrRejection, NotCdrError

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

_CALL_ID = re.compile(r"Call\s+(\d+)", re.IGNORECASE)
_YES = {"yes", "y", "si", "sì", "true", "1", "x"}
_NO = {"no", "n", "false", "0"}


def header_key(name: str) -> str:
    return re.sub(r"[\s\-_.]", "", name.strip().lstrip("\ufeff").lower())


def map_header(names: list[str]) -> dict[str, int]:
    """Role -> column position for the roles the header names (see ``COLUMN_ALIASES``)."""
    positions: dict[str, int] = {}
    for position, name in enumerate(names):
        positions.setdefault(header_key(name), position)
    roles: dict[str, int] = {}
    for role, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in positions:
                roles[role] = positions[alias]
                break
    if "start" not in roles and "time" in roles:
        roles["start"] = roles.pop("time")
    return roles


def is_cdr_header(roles: dict[str, int]) -> bool:
    return "start" in roles and "called" in roles


def sniff_delimiter(line: str) -> str:
    """The delimiter of a header line: whichever of ',', ';' and tab splits it most."""
    counts = {delimiter: line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def describe(names: list[str], roles: dict[str, int]) -> str:
    shown = ", ".join(f"{role}: {names[position].strip()}" for role, position in roles.items())
    return f"CSV with a header row, {len(names)} columns ({shown})"


def parse_headered_csv(lines: Iterable[str], tz: tzinfo) -> Iterator[CdrRecord | CdrRejection]:
    """Read a CSV whose first non-blank line is a header; one item per following record.

    Raises NotCdrError at once when the header names no start time or no destination.
    """
    iterator = iter(lines)
    skipped: list[str] = []
    first = ""
    for line in iterator:
        skipped.append(line)
        if line.strip().lstrip("\ufeff").strip():
            first = line
            break
    if not first:
        raise NotCdrError("file_empty")
    records = read_records(
        chain(skipped, iterator), delimiter=sniff_delimiter(strip_newline(first))
    )
    header = next(records)
    if header.fields is None:
        raise NotCdrError("header_unreadable", error=header.error)
    names = [name.strip() for name in header.fields]
    roles = map_header(names)
    if not is_cdr_header(roles):
        raise NotCdrError("header_without_calls", columns=", ".join(names))
    return _parse(records, names, roles, tz)


def _parse(
    records: Iterator[RawRecord], names: list[str], roles: dict[str, int], tz: tzinfo
) -> Iterator[CdrRecord | CdrRejection]:
    keys = [header_key(name) for name in names]
    runs = RunCounter()
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
            yield error.rejection(raw.line_number, raw.raw)


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

    start_text = get("start")
    if "time" in roles and parse_time(start_text, tz) is None:
        start_text = f"{start_text} {get('time')}".strip()
    start = required_time(name("start"), start_text, tz)

    answered = None
    answered_flag = None
    answered_text = get("answered")
    if answered_text:
        answered = parse_time(answered_text, tz)
        if answered is None:
            word = answered_text.lower()
            if word in _YES:
                answered_flag = True
            elif word in _NO:
                answered_flag = False
            else:
                raise FieldError(name("answered"), "not_a_date", value=show(answered_text))
    end_text = get("end")
    end = required_time(name("end"), end_text, tz) if end_text else None
    talk = flexible_seconds(name("talk"), get("talk"))
    cost = money(name("cost"), get("cost"))

    was_answered = answered is not None or talk > 0 or bool(answered_flag)
    if answered_flag is False:
        was_answered = False
    status_text, reason_text = get("status"), get("reason")
    if status_text:
        status = disposition_status(status_text, was_answered)
    elif reason_text:
        status = threecx_status(reason_text, was_answered)
    else:
        status = "answered" if was_answered else "no_answer"

    identifier = get("id")
    match = _CALL_ID.fullmatch(identifier)
    if match:
        call_id = f"3cx:{match.group(1).lstrip('0') or '0'}"
    else:
        digest = short_hash(f"{key}={value}" for key, value in zip(keys, fields, strict=True))
        label = identifier[:80]
        group = label or digest
        call_id = f"csv:{label + ':' if label else ''}{digest}{runs.suffix(group, digest)}"

    called = strip_ext(get("called"))
    return CdrRecord(
        line_number=raw.line_number,
        raw=raw.raw,
        pbx_call_id=call_id,
        start=start,
        answered=answered,
        end=end,
        talk_seconds=talk,
        ring_seconds=ring_seconds(start, answered, end),
        caller=strip_ext(get("caller")),
        caller_name=clid_name(get("caller_name"), get("caller")),
        caller_type=normalise_type(get("caller_type")),
        called=called,
        called_type=normalise_type(get("called_type")),
        dialled=get("dialled") or get("called"),
        final_number=strip_ext(get("final_number")),
        final_type=normalise_type(get("final_type")),
        trunk_identifier=get("trunk"),
        billing_code=digits_only(get("code")),
        cost=cost,
        status=status,
        termination=status_text or reason_text,
    )
