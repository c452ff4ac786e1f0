"""Behaviour of the Asterisk cdr_csv (Master.csv) parser."""

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from calls.cdr import ASTERISK_LAYOUTS, detect_format, parse_asterisk

from .helpers import FIXTURES, ROME, lines_of, only, split

COLUMNS_18 = ASTERISK_LAYOUTS["18"]
COLUMNS_16 = ASTERISK_LAYOUTS["16"]

# An outbound call from extension 201 through a SIP trunk, Rome time.
OUTBOUND = {
    "accountcode": "",
    "src": "201",
    "dst": "0612345678",
    "dcontext": "from-internal",
    "clid": '"Avv. Bianchi" <201>',
    "channel": "SIP/201-00000001",
    "dstchannel": "SIP/eutelia-00000002",
    "lastapp": "Dial",
    "lastdata": "SIP/eutelia/0612345678,60",
    "start": "2024-01-15 10:00:00",
    "answer": "2024-01-15 10:00:07",
    "end": "2024-01-15 10:02:07",
    "duration": "127",
    "billsec": "120",
    "disposition": "ANSWERED",
    "amaflags": "DOCUMENTATION",
    "uniqueid": "1705309200.17",
    "userfield": "",
    "peeraccount": "",
    "linkedid": "1705309200.17",
    "sequence": "42",
}


def row(columns=COLUMNS_18, **changes):
    values = dict(OUTBOUND, **changes)
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerow(
        [values[name] for name in columns]
    )
    return buffer.getvalue()


def parse_text(text, columns=COLUMNS_18, tz=ROME):
    return split(parse_asterisk(lines_of(text), columns, tz))


def test_the_excerpt_tells_identical_forked_rows_apart_and_rereads_the_same_ids():
    with open(FIXTURES / "asterisk-master-excerpt.csv", encoding="utf-8-sig", newline="") as f:
        records, rejections = split(parse_asterisk(f, COLUMNS_18, ROME))
    with open(FIXTURES / "asterisk-master-excerpt.csv", encoding="utf-8-sig", newline="") as f:
        again, _ = split(parse_asterisk(f, COLUMNS_18, ROME))

    assert rejections == []
    ids = [r.pbx_call_id for r in records]
    assert len(ids) == 9
    assert len(set(ids)) == 9
    assert ids == [r.pbx_call_id for r in again]
    assert records[3].raw == records[4].raw  # lines 11 and 12 of the sample are identical
    assert ids[4] == ids[3] + ":2"
    assert ids[0].startswith("ast:1497952162.0:") and ids[1].startswith("ast:1497952162.0:")


def test_the_same_row_in_another_file_keeps_its_id():
    first = only(parse_text(row(uniqueid="1.1") + row())[0][1:])
    alone = only(parse_text(row())[0])

    assert first.pbx_call_id == alone.pbx_call_id


def test_rows_differing_only_in_one_field_get_different_ids():
    records, _ = parse_text(row() + row(dstchannel="SIP/eutelia-00000003"))

    assert records[0].pbx_call_id != records[1].pbx_call_id
    assert records[0].pbx_call_id.split(":")[1] == records[1].pbx_call_id.split(":")[1]


def test_an_outbound_call_is_read_with_its_trunk_channel_and_account_code():
    record = only(parse_text(row(accountcode="114"))[0])

    assert record.start == datetime(2024, 1, 15, 9, 0, tzinfo=UTC)  # CET is UTC+1
    assert record.answered == datetime(2024, 1, 15, 9, 0, 7, tzinfo=UTC)
    assert (record.talk_seconds, record.ring_seconds) == (120, 7)
    assert (record.caller, record.caller_name) == ("201", "Avv. Bianchi")
    assert record.called == record.dialled == "0612345678"
    assert record.trunk_identifier == "SIP/eutelia-00000002"
    assert record.billing_code == "114"
    assert (record.status, record.termination) == ("answered", "ANSWERED")
    assert record.cost is None


def test_an_inbound_call_keeps_the_full_incoming_channel_as_trunk():
    text = row(
        src="0612345678",
        dst="201",
        dcontext="from-trunk",
        channel="PJSIP/eutelia-0000001a",
        dstchannel="PJSIP/201-0000001b",
    )

    assert only(parse_text(text)[0]).trunk_identifier == "PJSIP/eutelia-0000001a"


def test_an_outbound_context_wins_over_the_number_shapes():
    text = row(src="0698765432", dcontext="outrt-1")

    assert only(parse_text(text)[0]).trunk_identifier == "SIP/eutelia-00000002"


def test_a_word_account_code_is_no_billing_code():
    assert only(parse_text(row(accountcode="studio"))[0]).billing_code == ""


@pytest.mark.parametrize(
    ("disposition", "status"),
    [
        ("ANSWERED", "answered"),
        ("NO ANSWER", "no_answer"),
        ("BUSY", "busy"),
        ("FAILED", "failed"),
        ("CONGESTION", "failed"),
    ],
)
def test_the_disposition_gives_the_status(disposition, status):
    record = only(parse_text(row(disposition=disposition))[0])

    assert record.status == status
    assert record.termination == disposition


def test_sixteen_columns_without_uniqueid_are_detected_and_read():
    text = row(COLUMNS_16) + row(COLUMNS_16, start="2024-01-15 11:00:00")

    fmt = detect_format(lines_of(text))
    records, rejections = parse_text(text, fmt.layout)

    assert fmt.name == "asterisk"
    assert fmt.layout == COLUMNS_16
    assert fmt.description == "Asterisk cdr_csv (Master.csv), 16 columns"
    assert rejections == []
    assert [r.pbx_call_id[:4] for r in records] == ["ast:", "ast:"]
    assert len({r.pbx_call_id for r in records}) == 2


def test_eighteen_columns_are_detected_with_uniqueid_and_userfield():
    fmt = detect_format(lines_of(row()))

    assert fmt.layout == COLUMNS_18
    assert fmt.description == (
        "Asterisk cdr_csv (Master.csv), 18 columns (with uniqueid, userfield)"
    )


@pytest.mark.parametrize(
    ("layout", "extra_value"),
    [("17-uniqueid", "1705309200.17"), ("17-userfield", "pratica 12")],
)
def test_seventeen_columns_are_told_apart_by_the_extra_value(layout, extra_value):
    columns = ASTERISK_LAYOUTS[layout]
    text = row(columns, uniqueid=extra_value, userfield=extra_value)

    assert detect_format(lines_of(text)).layout == columns


def test_twenty_one_columns_with_the_new_cdr_columns_are_detected_and_read():
    columns = ASTERISK_LAYOUTS["21"]

    fmt = detect_format(lines_of(row(columns)))
    record = only(parse_text(row(columns), fmt.layout)[0])

    assert fmt.layout[-3:] == ("peeraccount", "linkedid", "sequence")
    assert record.talk_seconds == 120


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        ("2024-07-15 10:00:00", datetime(2024, 7, 15, 8, 0, tzinfo=UTC)),  # CEST
        ("2024-01-15 10:00:00", datetime(2024, 1, 15, 9, 0, tzinfo=UTC)),  # CET
        # 02:30 happens twice on 27 Oct 2024: fold=0 takes the first, still CEST.
        ("2024-10-27 02:30:00", datetime(2024, 10, 27, 0, 30, tzinfo=UTC)),
        # 02:30 never happens on 31 Mar 2024: fold=0 reads it with the CET offset.
        ("2024-03-31 02:30:00", datetime(2024, 3, 31, 1, 30, tzinfo=UTC)),
    ],
)
def test_local_server_times_are_converted_to_utc_across_dst(local, utc):
    record = only(parse_text(row(start=local, answer="", end=""))[0])

    assert record.start == utc


def test_the_zone_passed_in_is_the_one_used():
    record = only(parse_text(row(), tz=ZoneInfo("UTC"))[0])

    assert record.start == datetime(2024, 1, 15, 10, 0, tzinfo=UTC)


def test_a_bad_start_date_names_its_field_and_value():
    rejection = only(parse_text(row() + row(start="2024-13-01 10:00:00"))[1])

    assert rejection.message() == "line 2: field start '2024-13-01 10:00:00' is not a date"
    assert rejection.field == "start"


def test_bad_seconds_name_their_field_and_value():
    rejection = only(parse_text(row(billsec="2m"))[1])

    assert rejection.message() == "line 1: field billsec '2m' is not a whole number of seconds"


def test_a_row_with_a_missing_column_is_rejected():
    rejection = only(parse_text(row(ASTERISK_LAYOUTS["17-uniqueid"]))[1])

    assert rejection.field == ""
    assert rejection.reason == "expected 18 fields, got 17"


def test_an_unknown_column_name_is_refused_at_once():
    with pytest.raises(ValueError, match="unknown Asterisk CDR column 'calldate'"):
        parse_asterisk([], ("calldate", "src"), ROME)
