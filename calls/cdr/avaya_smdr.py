"""Avaya IP Office SMDR (Station Message Detail Reporting) records.

Vendor documentation: "IP Office SMDR" fields (Administering Avaya IP Office Platform with
Manager R11.1, "SMDR Fields",
https://documentation.avaya.com/bundle/AdministeringAvayaIPOfficePlatformManagerR11_1/page/SMDR_Fields.html)
and the IP Office knowledge base "SMDR Examples"
(https://ipofficekb.avaya.com/basic/english/tech/simplified/smdr_examples.htm), whose sample
records are in tests/fixtures/cdr/avaya-smdr-examples.csv.

IP Office sends SMDR as CSV without a header (to an IP address and TCP port, or a file the
receiver writes), one record per call segment: 30 fields (35 from R11; early releases wrote
17). The fields used here, by position:

 0 Call Start 'YYYY/MM/DD HH:MM:SS' (local time of the PBX; every segment of a call has the
   call's start), 1 Connected Time 'HH:MM:SS' (talk time of this segment), 2 Ring Time
   (seconds), 3 Caller, 4 Direction ('I' inbound, 'O' outbound; internal calls are 'O'),
 5 Called Number, 6 Dialled Number, 7 Account (the account code: ``billing_code``),
 8 Is Internal (1 internal), 9 Call ID, 10 Continuation (1 while the call goes on in
   another record), 11 Party1Device, 12 Party1Name, 13 Party2Device, 14 Party2Name
   ('E201' an extension, 'T9001' a trunk line, 'V9501' voicemail), 15 Hold Time,
 16 Park Time, 17 AuthValid, 18 AuthCode (an authorisation code, never a client code),
 20 Call Charge.

Times are local: read in the zone the caller passes (the firm's) and converted to UTC, a time
that occurs twice when DST ends taken with fold=0, like the Asterisk parser. The segment is
taken to be answered ``ring`` seconds after the start and to end ``ring + connected`` seconds
after it (IP Office gives no end time).

Direction: Is Internal 1 -> both parties are extensions; else 'I' -> the caller is a line
(inbound); 'O' -> the called party is a line (outbound). The trunk is the device of the
party that is a line ('T…'): ``trunk_identifier`` (configure 'T9001' among a Trunk's PBX
identifiers). The caller's name is Party1Name for outbound calls (the extension's user).

Identity: a transferred call is several records with one Call ID. ``pbx_call_id`` is
'avaya:' + Call ID + ':' + 12 hex digits of the sha1 of the record's fields (so each segment
is its own record and reading it again gives the same id), with ':2', ':3'… for identical
records next to each other; ``leg_group`` is 'avaya:' + Call ID.

Status: answered when the connected time is not zero, else no_answer (SMDR has no busy).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, tzinfo

from ._common import (
    FieldError,
    LocalTimes,
    RunCounter,
    convert_records,
    digits_only,
    fast_time,
    hms_seconds,
    make_record,
    money,
    required_time,
    seconds,
    show,
    stripped_hash,
    unreadable_line,
    whole_seconds,
)
from .records import CdrRecord, CdrRejection

FIELDS_MIN = 17  # early releases
FIELDS_MAX = 35  # R11
FIELDS_USUAL = 30
_START = re.compile(r"\s*\d{4}/\d{2}/\d{2} \d{1,2}:\d{2}:\d{2}\s*")
_CONNECTED = re.compile(r"\s*\d+:\d{2}:\d{2}\s*")
# What str.strip() takes away besides the space (ASCII), which the plain checks miss.
_ODD_SPACE = re.compile(r"[\t\n\r\x0b\x0c\x1c-\x1f]").search


def looks_like_avaya_fields(fields: list[str]) -> bool:
    return (
        FIELDS_MIN <= len(fields) <= FIELDS_MAX
        and _START.fullmatch(fields[0]) is not None
        and _CONNECTED.fullmatch(fields[1]) is not None
        and fields[4].strip() in ("I", "O")
    )


def describe(count: int) -> str:
    return f"Avaya IP Office SMDR, {count} fields"


def parse_avaya_smdr(lines: Iterable[str], tz: tzinfo) -> Iterator[CdrRecord | CdrRejection]:
    """Read IP Office SMDR records; one CdrRecord or CdrRejection per non-blank record."""
    runs = RunCounter()
    local = LocalTimes(tz).convert
    talks: dict[str, int] = {}

    def convert(line_number: int, text: str, fields: list[str]) -> CdrRecord | CdrRejection:
        if not FIELDS_MIN <= len(fields) <= FIELDS_MAX:
            return CdrRejection(
                line_number, text, "", "wrong_count", {"expected": FIELDS_USUAL, "got": len(fields)}
            )
        try:
            return _fast(line_number, text, fields) or _record(line_number, text, fields, tz, runs)
        except FieldError as error:
            return error.rejection(line_number, text)

    def _fast(line_number: int, text: str, fields: list[str]) -> CdrRecord | None:
        """``_record`` for the usual shapes (a 'YYYY/MM/DD HH:MM:SS' start, a connected time
        and ring seconds seen before or plain, I/O, no charge); None for the others."""
        # fields with no space around them need no strip (the id hashes stripped fields)
        if (
            text.isascii()
            and ", " not in text
            and " ," not in text
            and text[:1] != " "
            and text[-1:] != " "
            and not _ODD_SPACE(text)
        ):
            values = fields
        else:
            values = [field.strip() for field in fields]
        (
            start_text,
            connected,
            ring_text,
            caller,
            direction,
            called,
            dialled,
            account,
            internal,
            call_id,
            _continuation,
            party1_device,
            party1_name,
            party2_device,
        ) = values[:14]
        if direction != "O" and direction != "I":  # noqa: PLR1714 - the faster test
            return None
        if len(values) > 20 and values[20]:
            return None
        if len(start_text) != 19 or start_text[4] != "/" or start_text[7] != "/":
            return None
        start = local(start_text.replace("/", "-"))
        if start is None:
            return None
        talk = talks.get(connected)
        if talk is None:
            talk = hms_seconds("Connected Time", connected)
            if len(talks) >= 4096:
                talks.clear()
            talks[connected] = talk
        if ring_text.isdigit() and ring_text.isascii() and len(ring_text) <= 5:
            ring = int(ring_text)
        elif ring_text:
            return None
        else:
            ring = 0
        digest = stripped_hash(values)
        if internal == "1":
            caller_type = called_type = "extension"
        elif direction == "I":
            caller_type, called_type = "line", "extension"
        else:
            caller_type, called_type = "extension", "line"
        if party2_device[:1] == "T":
            trunk = party2_device
        elif party1_device[:1] == "T":
            trunk = party1_device
        else:
            trunk = ""
        return make_record(
            line_number,
            text,
            f"avaya:{call_id}:{digest}{runs.suffix(call_id, digest)}",
            start,
            start + seconds(ring) if talk else None,
            start + seconds(ring + talk),
            talk,
            ring,
            caller,
            party1_name if direction == "O" and internal != "1" else "",
            caller_type,
            called,
            called_type,
            dialled or called,
            "",
            "",
            trunk,
            account if account.isdigit() and account.isascii() else "",
            None,
            "answered" if talk else "no_answer",
            "",
            f"avaya:{call_id}" if call_id else "",
        )

    return convert_records(lines, convert, unreadable_line)


def local_time(field: str, value: str, tz: tzinfo) -> datetime:
    """'YYYY/MM/DD HH:MM:SS' (or any date parse_time reads) local to ``tz``, as UTC."""
    if len(value) == 19 and value[4] == "/" and value[7] == "/":
        fast = fast_time(f"{value[:4]}-{value[5:7]}-{value[8:]}", tz)
        if fast is not None:
            return fast
    return required_time(field, value, tz)


def _record(
    line_number: int, text: str, fields: list[str], tz: tzinfo, runs: RunCounter
) -> CdrRecord:
    values = [field.strip() for field in fields]
    digest = stripped_hash(values)
    (
        start_text,
        connected,
        ring_text,
        caller,
        direction,
        called,
        dialled,
        account,
        internal,
        call_id,
        _continuation,
        party1_device,
        party1_name,
        party2_device,
        _party2_name,
    ) = values[:15]
    start = local_time("Call Start", start_text, tz)
    talk = hms_seconds("Connected Time", connected)
    ring = whole_seconds("Ring Time", ring_text)
    if direction not in ("I", "O"):
        raise FieldError("Direction", "not_one_of", value=show(direction), allowed="I, O")
    cost = money("Call Charge", values[20]) if len(values) > 20 else None

    if internal == "1":
        caller_type = called_type = "extension"
    elif direction == "I":
        caller_type, called_type = "line", "extension"
    else:
        caller_type, called_type = "extension", "line"
    if party2_device.startswith("T"):
        trunk = party2_device
    elif party1_device.startswith("T"):
        trunk = party1_device
    else:
        trunk = ""
    answered = start + timedelta(seconds=ring) if talk else None
    end = start + timedelta(seconds=ring + talk)
    return CdrRecord(
        line_number=line_number,
        raw=text,
        pbx_call_id=f"avaya:{call_id}:{digest}{runs.suffix(call_id, digest)}",
        start=start,
        answered=answered,
        end=end,
        talk_seconds=talk,
        ring_seconds=ring,
        caller=caller,
        caller_name=party1_name if direction == "O" and internal != "1" else "",
        caller_type=caller_type,
        called=called,
        called_type=called_type,
        dialled=dialled or called,
        final_number="",
        final_type="",
        trunk_identifier=trunk,
        billing_code=digits_only(account),
        cost=cost,
        status="answered" if talk else "no_answer",
        termination="",
        leg_group=f"avaya:{call_id}" if call_id else "",
    )
