"""Cisco Unified Communications Manager (CUCM) CDR flat files.

Vendor documentation: "Cisco Unified Communications Manager Call Detail Records
Administration Guide" (CDR field descriptions and "CDR Examples": Client Matter Code, Forced
Authorization Code, Transferred Calls; e.g. Release 8.6(1),
http://www.cisco.com/en/US/docs/voice_ip_comm/cucm/service/8_6_1/cdrdef/cdrex.html), and the
"Call Detail Record Definition" for 4.2(3) (OL-10659-01): cdrRecordType 1 is the end call
detail record, the only one that describes a call; globalCallID_callManagerId +
globalCallID_callId is the Global Call ID that all records of one call share.

The CDR Repository Manager pushes files named ``cdr_<cluster>_<node>_<YYYYMMDDHHMM>_<seq>``
(CMR files, ``cmr_…``, hold call quality data, no calls). A file is CSV: row 1 the field
names, row 2 their types (INTEGER, VARCHAR(50), UNIQUEIDENTIFIER...), then one record per
line, strings quoted. Fields are read by the names of row 1, so any CUCM version's column set
(about 90 columns in 4.x, 130 in 12.x) works; the header must name cdrRecordType,
globalCallID_callId and dateTimeOrigination (without it, it is a CMR header).

Times are seconds since 1970 UTC: ``dateTimeOrigination`` (start), ``dateTimeConnect`` (0
when the call was never answered), ``dateTimeDisconnect``; ``duration`` is the talk time in
seconds. ``callingPartyNumber`` is the caller, ``originalCalledPartyNumber`` the number
dialled (without the client matter code, which CUCM collects after a tone),
``finalCalledPartyNumber`` where the call ended. ``clientMatterCode`` (CMC, up to 16 digits)
is the billing code; ``authorizationCodeValue`` (FAC) authorises a call and is never a client
code. ``origDeviceName``/``destDeviceName`` name the devices: a phone is ``SEP<MAC>`` (or a
Jabber/mobile client ``CSF``, ``BOT``, ``TCT``, ``TAB``), anything else (a gateway, a SIP
trunk) is the trunk: its name becomes ``trunk_identifier``, and it says the direction (a
trunk on the originating side: inbound; on the destination side: outbound).

Records of another cdrRecordType (0, a start record; 2, a CMR row) are counted as skipped
(``CdrSkip``), as is the types row.

Identity: ``pbx_call_id`` is 'cucm:' + callManagerId + ':' + callId + ':' + ``pkid`` (the
record's own unique id), or the two leg identifiers when the file has no pkid; ``leg_group``
is 'cucm:' + callManagerId + ':' + callId: a transferred call writes several records with
the same Global Call ID, each kept.

Status: answered when connected (``dateTimeConnect`` > 0 or a duration); else by
``destCause_value`` (Q.850): 17 user busy and 21 call rejected -> busy; 0, 16 normal
clearing, 18 no user responding, 19 no answer -> no_answer (the caller hung up first);
anything else (1 unallocated number, 34 no circuit, ...) -> failed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from ._columns import Columns, Item, Parties, Rules, Times, plain_key, read_columns
from ._common import (
    FieldError,
    ring_seconds,
    seconds,
    short_hash,
    show,
    whole_seconds,
)
from .records import CdrSkip, NotCallsError

# Fields of a CMR (call quality) file that a CDR file never has.
_CMR_FIELDS = {"numberpacketssent", "numberpacketsreceived", "jitter", "varvqmetrics"}
_TYPE_VALUE = re.compile(r"(?:INTEGER|UNIQUEIDENTIFIER|VARCHAR\(\d+\)|TEXT|BOOLEAN|DATETIME)")
_PHONE_PREFIXES = ("SEP", "CSF", "BOT", "TCT", "TAB", "CIPC")
_BUSY_CAUSES = {"17", "21"}
_NO_ANSWER_CAUSES = {"", "0", "16", "18", "19"}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class CucmRow(NamedTuple):
    """The columns read, by their names in row 1 (case ignored); ``code`` is the CMC."""

    cdrrecordtype: str
    datetimeorigination: str
    datetimeconnect: str
    datetimedisconnect: str
    duration: str
    globalcallid_callmanagerid: str
    globalcallid_callid: str
    pkid: str
    origlegcallidentifier: str
    destlegcallidentifier: str
    origdevicename: str
    destdevicename: str
    originalcalledpartynumber: str
    finalcalledpartynumber: str
    destcause_value: str
    callingpartynumber: str
    code: str


ALIASES = {role: (role,) for role in CucmRow._fields} | {"code": ("clientmattercode",)}


def is_cucm_header(names: list[str]) -> bool:
    keys = {plain_key(name) for name in names}
    return "cdrrecordtype" in keys and "globalcallid_callid" in keys


def is_cmr_header(names: list[str]) -> bool:
    keys = {plain_key(name) for name in names}
    return is_cucm_header(names) and ("datetimeorigination" not in keys or bool(keys & _CMR_FIELDS))


def describe(names: list[str]) -> str:
    return f"Cisco CUCM CDR, {len(names)} columns"


def is_type_row(fields: list[str]) -> bool:
    """Row 2 of a CUCM file: every value a column type."""
    return bool(fields) and all(_TYPE_VALUE.fullmatch(value.strip().upper()) for value in fields)


def parse_cisco_cucm(lines: Iterable[str]) -> Iterator[Item]:
    """Read a CUCM CDR file (header row first); one item per following record.

    Raises NotCallsError at once for a CMR file, NotCdrError when the header is no CUCM CDR
    header or lacks a required column.
    """
    return read_columns(lines, _columns, CucmRow, CucmRules)


def _columns(names: list[str]) -> Columns | None:
    if is_cmr_header(names):
        raise NotCallsError("cucm_cmr")
    return Columns(names, plain_key, ALIASES) if is_cucm_header(names) else None


def epoch_time(field: str, value: str) -> datetime | None:
    """Seconds since 1970 (UTC) to an aware datetime; '' and 0 are None."""
    value = value.strip()
    if not value or value == "0":
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 11:
        raise FieldError(field, "not_a_date", value=show(value))
    hours, second = divmod(int(value), 3600)
    return _hour(hours) + seconds(second)


@lru_cache(maxsize=1024)  # the hours of a file's calls, each made once
def _hour(hours: int) -> datetime:
    return _EPOCH + timedelta(hours=hours)


class CucmRules(Rules):
    """CUCM's conventions for one file (a trailing delimiter is a wrong field count)."""

    trailing_delimiter = False

    def __init__(self, columns: Columns):
        super().__init__(columns)
        self.phones: dict[str, bool] = {}

    def odd_count(self, line_number: int, text: str, fields: list[str]) -> CdrSkip | None:
        return CdrSkip(line_number, text, "column types row") if is_type_row(fields) else None

    def skip(self, row: CucmRow, fields: list[str]) -> str:
        """Why the record is no call ('' when it is one): the types row, another record type."""
        first = fields[0]
        if (
            not first[:1].isdigit()  # a type starts with a letter (a record, with its type)
            and _TYPE_VALUE.fullmatch(first.strip().upper())
            and is_type_row(fields)
        ):
            return "column types row"
        record_type = row.cdrrecordtype
        if record_type in ("", "1"):
            return ""
        if not record_type.isascii() or not record_type.isdigit():
            raise FieldError("cdrRecordType", "not_a_number", value=show(record_type))
        return f"cdrRecordType {record_type}: not a call"

    def times(self, row: CucmRow) -> Times:
        start = epoch_time("dateTimeOrigination", row.datetimeorigination)
        if start is None:
            raise FieldError("dateTimeOrigination", "time_empty")
        answered = epoch_time("dateTimeConnect", row.datetimeconnect)
        end = epoch_time("dateTimeDisconnect", row.datetimedisconnect)
        talk = whole_seconds("duration", row.duration)
        return start, answered, end, talk, ring_seconds(start, answered, end)

    def identity(self, row: CucmRow, fields: list[str]) -> tuple[str, str]:
        group = f"cucm:{row.globalcallid_callmanagerid}:{row.globalcallid_callid}"
        if row.pkid:
            return f"{group}:{row.pkid}", group
        legs = f"{row.origlegcallidentifier}-{row.destlegcallidentifier}"
        digest = short_hash(fields)
        return f"{group}:{legs}:{digest}{self.runs.suffix(group, digest)}", group

    def _is_phone(self, device: str) -> bool:
        known = self.phones.get(device)
        if known is None:
            if len(self.phones) >= 4096:
                self.phones.clear()
            known = self.phones[device] = device.upper().startswith(_PHONE_PREFIXES)
        return known

    def parties(self, row: CucmRow) -> Parties:
        orig_device, dest_device = row.origdevicename, row.destdevicename
        orig_phone, dest_phone = self._is_phone(orig_device), self._is_phone(dest_device)
        caller_type = called_type = trunk = ""
        if dest_device and not dest_phone and (not orig_device or orig_phone):
            called_type, caller_type, trunk = "line", "extension", dest_device
        elif orig_device and not orig_phone:
            caller_type, trunk = "line", orig_device
            called_type = "extension" if dest_phone else ""
        elif orig_phone and dest_phone:
            caller_type = called_type = "extension"
        final = row.finalcalledpartynumber
        called = row.originalcalledpartynumber or final
        caller = row.callingpartynumber
        return caller, "", caller_type, called, called_type, called, final, "", trunk

    def outcome(self, row: CucmRow, answered: datetime | None, talk: int) -> tuple[str, str]:
        cause = row.destcause_value
        if answered is not None or talk > 0:
            status = "answered"
        elif cause in _BUSY_CAUSES:
            status = "busy"
        elif cause in _NO_ANSWER_CAUSES:
            status = "no_answer"
        else:
            status = "failed"
        return status, f"cause {cause}" if cause else ""
