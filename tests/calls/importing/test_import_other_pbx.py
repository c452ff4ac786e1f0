"""import_cdr on the other PBXs' files (Cisco CUCM, Avaya, Panasonic, Grandstream, Yeastar):
detected with no option, each call billed to the client of its code, the destination rebuilt
so that '%**123' finds it, the trunk from the record's line, a second import stores nothing."""

import shutil

import pytest

from calls.cdr import NotCallsError
from calls.models import Call
from calls.pattern_queries import destination_q
from tests.calls.cdr.helpers import FIXTURES
from tests.calls.importing.helpers import run_import, write
from tests.factories import make_client, make_trunk

pytestmark = pytest.mark.django_db

AVAYA_TRANSFER = [
    # one outgoing call under Call ID 1000020001, transferred: 300 s, then 180 s (code 123)
    "2024/12/02 10:00:00,00:05:00,5,201,O,93454565678,93454565678,123,0,1000020001,1,"
    "E201,Mario Rossi,T9001,Line 1.1,0,0,,,,,,,,,,,,,\n",
    "2024/12/02 10:00:00,00:03:00,0,201,O,93454565678,93454565678,123,0,1000020001,0,"
    "E202,Anna Bianchi,T9001,Line 1.1,0,0,,,,,,,,,,,,,\n",
]


def _copy(tmp_path, name):
    return shutil.copy(FIXTURES / name, tmp_path / name)


def _calls():
    return list(Call.objects.order_by("source_line", "pbx_call_id"))


def test_an_avaya_transfer_in_two_legs_is_two_records_billed_to_the_client(tmp_path):
    affaroni = make_client("123", "Affaroni S.p.A.")
    trunk = make_trunk("9", "Telecom", identifiers=["T9001"])
    path = write(tmp_path / "smdr.csv", AVAYA_TRANSFER)
    code, out, err = run_import(path)
    assert code == 0, err
    assert "Avaya IP Office SMDR, 30 fields" in out
    first, second = _calls()
    assert (first.talk_seconds, second.talk_seconds) == (300, 180)
    assert first.pbx_call_id != second.pbx_call_id
    assert first.pbx_call_id.startswith("avaya:1000020001:")
    for call in (first, second):
        assert (call.client, call.billing_code, call.trunk) == (affaroni, "123", trunk)
        assert call.destination == "93454565678**123"  # the identifier named the trunk
        assert call.direction == Call.Direction.OUTBOUND
    found = Call.objects.filter(destination_q("%**123", marker="**"))
    assert found.count() == 2
    code, out, _ = run_import(path)
    assert code == 0 and "0 imported, 2 duplicates" in out
    assert Call.objects.count() == 2


def test_cisco_cucm_files_bill_the_client_matter_code_and_skip_what_is_no_call(tmp_path):
    affaroni = make_client("123", "Affaroni S.p.A.")
    gateway = make_trunk("0", "Gateway", identifiers=["10.10.10.1"])
    path = _copy(tmp_path, "cdr_StandAloneCluster_01_202412021000_1")
    code, out, err = run_import(path)
    assert code == 0, err
    assert "3 lines read, 3 imported, 0 duplicates, 0 rejected, 2 skipped (not calls)" in out
    first, second, incoming = _calls()
    assert first.pbx_call_id == "cucm:1:100001:3f5c7ae3-2a11-4a6e-9c1a-5d6b2f1e0a01"
    assert (first.client, first.destination, first.trunk) == (affaroni, "3454565678**123", gateway)
    assert (second.client, second.talk_seconds) == (affaroni, 180)
    assert first.billing_code == "123"  # the client matter code, not the FAC 4321
    assert incoming.direction == Call.Direction.INBOUND
    assert incoming.status == Call.Status.NO_ANSWER
    assert Call.objects.filter(destination_q("%**123", marker="**")).count() == 2
    code, out, _ = run_import(path)
    assert code == 0 and "0 imported, 3 duplicates" in out


def test_a_cucm_cmr_file_is_skipped_with_a_warning_not_an_error(tmp_path):
    path = _copy(tmp_path, "cmr_StandAloneCluster_01_202412021000_1")
    code, _out, err = run_import(path)
    assert code == 0
    assert "CMR file (call quality records)" in err
    assert Call.objects.count() == 0
    assert issubclass(NotCallsError, Exception)


@pytest.mark.parametrize(
    ("fixture", "calls", "coded"),
    [
        ("grandstream-ucm-cdr.csv", 3, "3454565678**123"),
        ("yeastar-cdr.csv", 4, "9283737733**123"),
        ("panasonic-smdr-kx-ns.txt", 7, None),
    ],
)
def test_headered_exports_and_printouts_import_once(tmp_path, fixture, calls, coded):
    affaroni = make_client("123", "Affaroni S.p.A.")
    path = _copy(tmp_path, fixture)
    code, out, err = run_import(path)
    assert code == 0, err
    assert Call.objects.count() == calls
    if coded:
        call = Call.objects.get(billing_code="123")
        assert (call.client, call.destination) == (affaroni, coded)
        assert Call.objects.filter(destination_q("%**123", marker="**")).get() == call
    code, out, _ = run_import(path)
    assert code == 0 and f"0 imported, {calls} duplicates" in out


def test_the_panasonic_page_headers_are_skipped_and_the_account_code_bills(tmp_path):
    client = make_client("98765", "Studio Novanta")
    code, out, err = run_import(_copy(tmp_path, "panasonic-smdr-kx-ns.txt"))
    assert code == 0, err
    assert "4 skipped (not calls)" in out
    call = Call.objects.get(billing_code="98765")
    assert (call.client, call.destination, call.talk_seconds) == (client, "123456XX**98765", 725)


def test_format_insists_on_the_new_names(tmp_path):
    path = _copy(tmp_path, "yeastar-cdr.csv")
    code, _out, err = run_import(path, "--format", "grandstream_ucm")
    assert code == 1 and "--format grandstream_ucm was asked for" in err
    code, _out, err = run_import(path, "--format", "yeastar")
    assert code == 0, err


def test_a_poison_line_is_rejected_with_its_line_and_field(tmp_path):
    lines = [
        AVAYA_TRANSFER[0],
        AVAYA_TRANSFER[1].replace("00:03:00", "00:99:00"),
    ]
    code, _out, err = run_import(write(tmp_path / "smdr.csv", lines))
    assert code == 3
    assert "line 2: field Connected Time '00:99:00' is not a duration (HH:MM:SS)" in err
    assert Call.objects.count() == 1
