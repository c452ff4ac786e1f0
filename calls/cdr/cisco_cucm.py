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

from ._common import (
    DIGITS_MAX,
    FieldError,
    RawRecord,
    RunCounter,
    digits_only,
    make_record,
    read_records,
    ring_seconds,
    short_hash,
    show,
    unreadable,
    within_a_call,
    wrong_count,
)
from .records import CdrRecord, CdrRejection, CdrSkip, NotCallsError, NotCdrError

# Fields of a CMR (call quality) file that a CDR file never has.
_CMR_FIELDS = {"numberpacketssent", "numberpacketsreceived", "jitter", "varvqmetrics"}
_TYPE_VALUE = re.compile(r"(?:INTEGER|UNIQUEIDENTIFIER|VARCHAR\(\d+\)|TEXT|BOOLEAN|DATETIME)")
_PHONE_PREFIXES = ("SEP", "CSF", "BOT", "TCT", "TAB", "CIPC")
_BUSY_CAUSES = {"17", "21"}
_NO_ANSWER_CAUSES = {"", "0", "16", "18", "19"}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _key(name: str) -> str:
    return name.strip().lstrip("\ufeff").lower()


def is_cucm_header(names: list[str]) -> bool:
    keys = {_key(name) for name in names}
    return "cdrrecordtype" in keys and "globalcallid_callid" in keys


def is_cmr_header(names: list[str]) -> bool:
    keys = {_key(name) for name in names}
    return is_cucm_header(names) and ("datetimeorigination" not in keys or bool(keys & _CMR_FIELDS))


def describe(names: list[str]) -> str:
    return f"Cisco CUCM CDR, {len(names)} columns"


def is_type_row(fields: list[str]) -> bool:
    """Row 2 of a CUCM file: every value a column type."""
    return bool(fields) and all(_TYPE_VALUE.fullmatch(value.strip().upper()) for value in fields)


def parse_cisco_cucm(lines: Iterable[str]) -> Iterator[CdrRecord | CdrRejection | CdrSkip]:
    """Read a CUCM CDR file (header row first); one item per following record.

    Raises NotCallsError at once for a CMR file, NotCdrError when the header is no CUCM CDR
    header or lacks a required column.
    """
    records = read_records(lines)
    header = next(records, None)
    if header is None:
        raise NotCdrError("the file is empty")
    if header.fields is None:
        raise NotCdrError(f"the header line cannot be read: {header.error}")
    names = [name.strip().lstrip("\ufeff") for name in header.fields]
    if is_cmr_header(names):
        raise NotCallsError(
            "this is a Cisco CUCM CMR file (call quality records), not call records: "
            "nothing to import"
        )
    if not is_cucm_header(names):
        raise NotCdrError(
            f"the header names no call start time and destination (columns: {', '.join(names)})"
        )
    index = {_key(name): position for position, name in enumerate(names)}
    return _parse(records, names, index)


def _parse(
    records: Iterator[RawRecord], names: list[str], index: dict[str, int]
) -> Iterator[CdrRecord | CdrRejection | CdrSkip]:
    size = len(names)
    runs = RunCounter()
    wanted = [index.get(key) for key in _WANTED]
    for raw in records:
        if raw.fields is None:
            yield unreadable(raw)
            continue
        fields = raw.fields
        if len(fields) != size:
            if is_type_row(fields):
                yield CdrSkip(raw.line_number, raw.raw, "column types row")
                continue
            yield wrong_count(raw, size)
            continue
        if _TYPE_VALUE.fullmatch(fields[0].strip().upper()) and is_type_row(fields):
            yield CdrSkip(raw.line_number, raw.raw, "column types row")
            continue
        try:
            yield _record(raw, fields, wanted, runs)
        except FieldError as error:
            yield CdrRejection(raw.line_number, raw.raw, error.field, error.reason)


def epoch_time(field: str, value: str) -> datetime | None:
    """Seconds since 1970 (UTC) to an aware datetime; '' and 0 are None."""
    value = value.strip()
    if not value or value == "0":
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 11:
        raise FieldError(field, f"field {field} {show(value)} is not a date")
    return _EPOCH + timedelta(seconds=int(value))


def _seconds(field: str, value: str) -> int:
    value = value.strip()
    if not value:
        return 0
    if not value.isascii() or not value.isdigit() or len(value) > DIGITS_MAX:
        raise FieldError(field, f"field {field} {show(value)} is not a whole number of seconds")
    return within_a_call(field, value, int(value))


# The columns a record is read from, in the order ``_record`` unpacks them.
_WANTED = (
    "cdrrecordtype",
    "datetimeorigination",
    "datetimeconnect",
    "datetimedisconnect",
    "duration",
    "globalcallid_callmanagerid",
    "globalcallid_callid",
    "pkid",
    "origlegcallidentifier",
    "destlegcallidentifier",
    "origdevicename",
    "destdevicename",
    "originalcalledpartynumber",
    "finalcalledpartynumber",
    "destcause_value",
    "callingpartynumber",
    "clientmattercode",
)


def _is_phone(device: str) -> bool:
    return device.upper().startswith(_PHONE_PREFIXES)


def _record(
    raw: RawRecord, fields: list[str], wanted: list[int | None], runs: RunCounter
) -> CdrRecord | CdrSkip:
    (
        record_type,
        origination,
        connect,
        disconnect,
        duration_text,
        manager,
        call_id,
        pkid,
        orig_leg,
        dest_leg,
        orig_device,
        dest_device,
        original,
        final,
        cause,
        calling,
        matter_code,
    ) = [fields[position].strip() if position is not None else "" for position in wanted]

    if record_type not in ("", "1"):
        if not record_type.isascii() or not record_type.isdigit():
            raise FieldError(
                "cdrRecordType",
                f"field cdrRecordType {show(record_type)} is not a number",
            )
        return CdrSkip(raw.line_number, raw.raw, f"cdrRecordType {record_type}: not a call")

    start = epoch_time("dateTimeOrigination", origination)
    if start is None:
        raise FieldError(
            "dateTimeOrigination",
            "field dateTimeOrigination is empty (a date and time is required)",
        )
    answered = epoch_time("dateTimeConnect", connect)
    end = epoch_time("dateTimeDisconnect", disconnect)
    talk = _seconds("duration", duration_text)

    group = f"cucm:{manager}:{call_id}"
    if pkid:
        own = pkid
    else:
        legs = f"{orig_leg}-{dest_leg}"
        digest = short_hash(fields)
        own = f"{legs}:{digest}{runs.suffix(group, digest)}"
    pbx_call_id = f"{group}:{own}"

    caller_type = called_type = ""
    trunk = ""
    if dest_device and not _is_phone(dest_device) and (not orig_device or _is_phone(orig_device)):
        called_type, caller_type, trunk = "line", "extension", dest_device
    elif orig_device and not _is_phone(orig_device):
        caller_type, trunk = "line", orig_device
        called_type = "extension" if _is_phone(dest_device) else ""
    elif _is_phone(orig_device) and _is_phone(dest_device):
        caller_type = called_type = "extension"

    if answered is not None or talk > 0:
        status = "answered"
    elif cause in _BUSY_CAUSES:
        status = "busy"
    elif cause in _NO_ANSWER_CAUSES:
        status = "no_answer"
    else:
        status = "failed"
    return make_record(
        line_number=raw.line_number,
        raw=raw.raw,
        pbx_call_id=pbx_call_id,
        start=start,
        answered=answered,
        end=end,
        talk_seconds=talk,
        ring_seconds=ring_seconds(start, answered, end),
        caller=calling,
        caller_name="",
        caller_type=caller_type,
        called=original or final,
        called_type=called_type,
        dialled=original or final,
        final_number=final,
        final_type="",
        trunk_identifier=trunk,
        billing_code=digits_only(matter_code),
        cost=None,
        status=status,
        termination=f"cause {cause}" if cause else "",
        leg_group=group,
    )
