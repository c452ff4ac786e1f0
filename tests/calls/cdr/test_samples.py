"""The real PBX samples in tests/fixtures/samples are read end to end, every line accounted for."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.conftest import SAMPLES

from .helpers import read_file

pytestmark = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"the shared CDR samples folder {SAMPLES} is missing"
)

V16 = SAMPLES / "3cx" / "v16-excel-export-1404-calls.csv"
SOCKET = SAMPLES / "3cx" / "active-socket-243-records.log"
V20 = SAMPLES / "3cx" / "cdr-240617055949.288831.log"
ASTERISK = SAMPLES / "asterisk" / "master-218-calls.csv"


@pytest.mark.parametrize(
    ("path", "name", "field_count", "expected_records"),
    [
        (V16, "threecx", 27, 1404),
        (SOCKET, "threecx", 20, 243),
        (V20, "threecx", 27, 1),
        (ASTERISK, "asterisk", 18, 218),
    ],
    ids=["3cx-v16", "3cx-socket", "3cx-v20", "asterisk"],
)
def test_every_sample_record_is_read_without_rejection_and_with_its_own_id(
    path, name, field_count, expected_records
):
    fmt, records, rejections = read_file(path)

    assert fmt.name == name
    assert len(fmt.layout) == field_count
    assert [rejection.message() for rejection in rejections] == []
    assert len(records) == expected_records
    assert len({record.pbx_call_id for record in records}) == expected_records
    assert all(record.start.tzinfo is UTC for record in records)


def test_the_v16_export_is_read_in_the_default_order():
    fmt, _, _ = read_file(V16)

    assert fmt.description == "3CX CDR, 27 fields (default order)"
    assert fmt.layout[20:23] == ("from-type", "to-type", "final-type")


def test_call_11315_in_the_v16_export_carries_billing_code_114():
    _, records, _ = read_file(V16)

    call = next(record for record in records if record.pbx_call_id == "3cx:11315")
    assert call.billing_code == "114"
    assert call.dialled == "700**114"
    assert call.caller == "114"
    assert call.called == "700"
    assert call.line_number == 1110
    assert [r.pbx_call_id for r in records if r.billing_code] == ["3cx:11315"]


def test_the_first_v16_call_is_an_answered_inbound_call_in_utc():
    _, records, _ = read_file(V16)

    first = records[0]
    assert first.pbx_call_id == "3cx:9744"
    assert first.line_number == 1
    assert first.raw.startswith("Call 9744,")  # the BOM is gone
    assert first.start == datetime(2020, 5, 4, 10, 53, 43, tzinfo=UTC)
    assert first.end == datetime(2020, 5, 4, 10, 58, 59, tzinfo=UTC)
    assert first.talk_seconds == 5 * 60 + 15
    assert (first.caller, first.caller_type) == ("0611360468", "line")
    assert (first.called, first.called_type) == ("610", "extension")
    assert (first.final_number, first.final_type) == ("185", "extension")
    assert first.trunk_identifier == "10000"
    assert first.status == "answered"


def test_an_outbound_v16_call_names_trunk_10001_and_its_cost():
    _, records, _ = read_file(V16)

    call = next(record for record in records if record.pbx_call_id == "3cx:9748")
    assert (call.caller_type, call.called_type) == ("extension", "line")
    assert call.called == "0232354095"
    assert call.trunk_identifier == "10001"
    assert call.cost == Decimal("5.12")
    assert call.ring_seconds == 5
    assert call.talk_seconds == 5 * 60 + 7


def test_unanswered_v16_calls_are_told_apart_by_their_termination():
    _, records, _ = read_file(V16)
    by_id = {record.pbx_call_id: record for record in records}

    assert by_id["3cx:9745"].status == "no_answer"  # Failed_Cancelled
    assert by_id["3cx:9745"].talk_seconds == 0
    assert by_id["3cx:9745"].answered is None
    assert by_id["3cx:10694"].status == "busy"  # RouteBusy
    assert by_id["3cx:9762"].status == "failed"  # Failed


def test_the_socket_sample_infers_types_from_the_ext_notation():
    fmt, records, _ = read_file(SOCKET)

    assert fmt.layout[-1] == "chain"
    first = records[0]
    assert first.pbx_call_id == "3cx:23193"
    assert (first.caller, first.caller_type) == ("114", "extension")
    assert (first.called, first.called_type) == ("0232354095", "line")
    assert first.trunk_identifier == "10001"
    assert first.cost == Decimal("0.95")


def test_the_v20_call_gets_no_billing_code_from_default():
    _, records, _ = read_file(V20)

    call = records[0]
    assert call.pbx_call_id == "3cx:288831"
    assert call.billing_code == ""
    assert (call.caller_type, call.called_type, call.final_type) == ("extension", "line", "line")
    assert call.caller_name == "Backup no2"
    assert call.trunk_identifier == "10020"
    assert call.talk_seconds == 25


def test_the_asterisk_sample_is_converted_from_rome_time_to_utc():
    fmt, records, _ = read_file(ASTERISK)

    assert fmt.layout[16:] == ("uniqueid", "userfield")
    first = records[0]
    assert first.start == datetime(2017, 6, 20, 7, 49, 22, tzinfo=UTC)  # 09:49:22 CEST
    assert first.status == "no_answer"
    assert first.pbx_call_id.startswith("ast:1497952162.0:")
    assert records[1].talk_seconds == 514
    assert records[1].status == "answered"


def test_the_asterisk_sample_statuses_follow_the_dispositions():
    _, records, _ = read_file(ASTERISK)

    statuses = [record.status for record in records]
    assert statuses.count("answered") == 133
    assert statuses.count("no_answer") == 83
    assert statuses.count("busy") == 2
