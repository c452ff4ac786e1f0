"""The parsers of the other PBXs on their real samples and on generated lines for each branch."""

import itertools
from datetime import UTC, datetime

import pytest

from calls.cdr import CdrRecord, CdrRejection, CdrSkip, NotCallsError, NotCdrError, detect_format
from calls.cdr import parse as parse_any
from calls.cdr.avaya_smdr import parse_avaya_smdr
from calls.cdr.cisco_cucm import parse_cisco_cucm
from calls.cdr.grandstream_ucm import parse_grandstream_ucm
from calls.cdr.panasonic_smdr import parse_panasonic_smdr
from calls.cdr.yeastar import parse_yeastar
from tests.conftest import ROME

from .helpers import FIXTURES, lines_of


def _read(name):
    path = FIXTURES / name
    with open(path, encoding="utf-8-sig", newline="") as handle:
        fmt = detect_format(list(itertools.islice(handle, 50)))
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return fmt, list(parse_any(handle, fmt, ROME))


def _kinds(items):
    return [type(item).__name__ for item in items]


# --- Avaya ---------------------------------------------------------------------------------


def test_avaya_samples_read_with_direction_trunk_and_one_call_id_for_a_transfer():
    fmt, items = _read("avaya-smdr-examples.csv")
    assert fmt.name == "avaya_smdr"
    assert _kinds(items) == ["CdrRecord"] * 6
    lost, voicemail, first, second, external, internal = items
    assert (lost.status, lost.ring_seconds, lost.caller_type, lost.trunk_identifier) == (
        "no_answer",
        9,
        "line",
        "T9161",
    )
    assert lost.start == datetime(2008, 6, 28, 7, 28, 41, tzinfo=UTC)  # 09:28:41 in Rome
    assert first.leg_group == second.leg_group == "avaya:1000014160"
    assert first.pbx_call_id != second.pbx_call_id
    assert (first.talk_seconds, second.talk_seconds) == (13, 21)
    assert external.trunk_identifier == "T9001"
    assert (internal.caller_type, internal.called_type) == ("extension", "extension")
    assert voicemail.caller_name == "Extn15"


def test_avaya_account_code_is_the_billing_code_and_the_auth_code_is_not():
    line = (
        "2024/12/02 10:00:00,00:01:00,3,201,O,93454565678,93454565678,4321,0,77,0,"
        "E201,Mario,T9001,Line 1.1,0,0,1,999999,,0.50,EUR,,,,,,,,\n"
    )
    (record,) = parse_avaya_smdr([line], ROME)
    assert (record.billing_code, record.cost, record.called_type) == ("4321", 0.5, "line")
    assert record.answered is not None and record.end is not None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("2024/12/02 10:00:00", "2024/13/02 10:00:00"), "Call Start"),
        (("00:01:00", "1 min"), "Connected Time"),
        ((",3,201,", ",x,201,"), "Ring Time"),
        ((",O,", ",X,"), "Direction"),
    ],
)
def test_avaya_poison_values_are_rejected_with_their_field(change, field):
    line = (
        "2024/12/02 10:00:00,00:01:00,3,201,O,3454565678,3454565678,,0,77,0,"
        "E201,Mario,T9001,Line 1.1,0,0\n"
    ).replace(*change)
    items = list(parse_avaya_smdr([line, "a,b,c\n"], ROME))
    assert isinstance(items[0], CdrRejection) and items[0].field == field
    assert items[1].reason == "expected 30 fields, got 3"


# --- Cisco CUCM ----------------------------------------------------------------------------


def test_cucm_file_reads_by_column_names_and_skips_types_row_and_start_records():
    fmt, items = _read("cdr_StandAloneCluster_01_202412021000_1")
    assert fmt.name == "cisco_cucm"
    assert _kinds(items) == ["CdrSkip", "CdrRecord", "CdrRecord", "CdrRecord", "CdrSkip"]
    out, transfer, incoming = items[1:4]
    assert out.leg_group == transfer.leg_group == "cucm:1:100001"
    assert (out.billing_code, out.trunk_identifier, out.talk_seconds) == ("123", "10.10.10.1", 300)
    assert out.start == datetime(2024, 12, 2, 9, 0, tzinfo=UTC)
    assert (incoming.answered, incoming.status, incoming.caller_type) == (None, "no_answer", "line")


def test_cucm_columns_in_another_order_and_a_busy_call():
    header = (
        '"pkid","dateTimeOrigination","cdrRecordType","globalCallID_callId","destCause_value"\n'
    )
    lines = [header, '"abc",1733130000,1,5,17\n', '"abd",1733130000,1,6,38\n']
    busy, failed = parse_cisco_cucm(lines)
    assert (busy.status, busy.pbx_call_id, failed.status) == ("busy", "cucm::5:abc", "failed")


def test_a_cmr_file_is_no_calls():
    with pytest.raises(NotCallsError):
        _read("cmr_StandAloneCluster_01_202412021000_1")
    with pytest.raises(NotCallsError):
        list(parse_cisco_cucm(['"cdrRecordType","globalCallID_callId","x"\n']))
    with pytest.raises(NotCdrError, match="names no call start time"):
        list(parse_cisco_cucm(['"start","dst"\n']))


def test_cucm_poison_times_are_rejected():
    header = '"cdrRecordType","globalCallID_callId","dateTimeOrigination","duration"\n'
    items = list(parse_cisco_cucm([header, "1,5,abc,0\n", "1,5,0,0\n", "x,5,1,0\n", "1,2\n"]))
    assert [item.field for item in items] == [
        "dateTimeOrigination",
        "dateTimeOrigination",
        "cdrRecordType",
        "",
    ]


# --- Panasonic -----------------------------------------------------------------------------


def test_panasonic_printout_skips_headers_and_reads_end_time_ring_and_account_code():
    fmt, items = _read("panasonic-smdr-kx-ns.txt")
    assert fmt.layout == ("dd/mm/yy",)
    assert _kinds(items) == ["CdrSkip"] * 2 + ["CdrRecord"] * 7 + ["CdrSkip"] * 2
    answered = items[3]  # 01/02/02 10:07AM, ring 0'05, 00:01'05: ended at 10:07 in Rome
    assert answered.end == datetime(2002, 2, 1, 9, 7, tzinfo=UTC)
    assert (answered.talk_seconds, answered.ring_seconds, answered.billing_code) == (
        65,
        5,
        "9876543210",
    )
    outgoing = items[4]
    assert (outgoing.caller, outgoing.called, outgoing.called_type) == (
        "1200",
        "1234567890123456",
        "line",
    )


def test_panasonic_month_first_and_intercom_and_bad_lines():
    lines = lines_of(
        "12/31/24 12:52PM 103  05  EXT105                00:00'16\n"
        "12/31/24 12:53PM 103  05  0612345678            00:61'16\n"
        "12/31/24 garbage\n"
        "some noise\n"
    )
    fmt = detect_format(lines)
    assert fmt.layout == ("mm/dd/yy",)
    intercom, bad_duration, bad_line, noise = parse_panasonic_smdr(lines, ROME, month_first=True)
    assert (intercom.called, intercom.called_type) == ("105", "extension")
    assert intercom.end == datetime(2024, 12, 31, 11, 52, tzinfo=UTC)
    assert bad_duration.field == "Duration"
    assert isinstance(bad_line, CdrRejection) and isinstance(noise, CdrRejection)


# --- Grandstream, Yeastar, FreePBX ---------------------------------------------------------


def test_grandstream_reads_accountcode_trunks_and_session():
    fmt, items = _read("grandstream-ucm-cdr.csv")
    assert fmt.name == "grandstream_ucm"
    out, incoming, internal = items
    assert (out.billing_code, out.trunk_identifier, out.called_type) == (
        "123",
        "Telecom SIP",
        "line",
    )
    assert out.leg_group == "ucm:1733130000.1-1000" and out.pbx_call_id == "ucm:5001"
    assert (incoming.caller_type, incoming.status) == ("line", "no_answer")
    assert internal.trunk_identifier == ""


def test_grandstream_bad_values_are_rejected():
    header = "AcctId,src,dst,start,answer,billsec\n"
    items = list(
        parse_grandstream_ucm(
            [header, "1,100,200,,,0\n", "2,100,200,2024-12-02 10:00:00,0000-00-00 00:00:00,x\n"],
            ROME,
        )
    )
    assert [item.field for item in items] == ["start", "billsec"]


def test_yeastar_pin_code_bills_and_call_from_gives_name_and_number():
    fmt, items = _read("yeastar-cdr.csv")
    assert fmt.name == "yeastar"
    out, incoming, internal, missed = items
    assert (out.caller, out.caller_name, out.billing_code) == ("1005", "Leo Ball", "123")
    assert (out.trunk_identifier, out.talk_seconds, out.ring_seconds) == ("SPS-6-36", 3, 3)
    assert (incoming.caller_type, incoming.trunk_identifier) == ("line", "SPS-6-36")
    assert internal.called_type == "extension"
    assert (missed.status, missed.billing_code) == ("no_answer", "456")


def test_yeastar_api_field_names_and_semicolons_read_too():
    lines = [
        "time_start;call_from;call_to;call_duration;talk_duration;status;type;pin_code\n",
        "02/12/2024 10:00:00;1001;3454565678;65;60;ANSWERED;outbound;123\n",
        "02/12/2024 25:00:00;1001;3454565678;65;60;ANSWERED;outbound;123\n",
    ]
    record, rejection = parse_yeastar(lines, ROME)
    assert (record.start, record.billing_code) == (datetime(2024, 12, 2, 9, 0, tzinfo=UTC), "123")
    assert rejection.field == "time_start"


def test_freepbx_master_csv_reads_as_asterisk():
    fmt, (record,) = _read("freepbx-master-excerpt.csv")
    assert fmt.name == "asterisk"
    assert (record.caller, record.caller_name, record.dialled) == (
        "1001",
        "Mario Rossi",
        "3454565678",
    )
    assert record.trunk_identifier == "PJSIP/telecom-00000013"


def test_every_new_record_carries_a_leg_group_field():
    assert CdrRecord.__dataclass_fields__["leg_group"].default == ""
    assert CdrSkip(1, "x", "page header").reason == "page header"
