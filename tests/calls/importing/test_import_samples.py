"""Every real CDR sample in tests/fixtures/samples imports with every line accounted for."""

import pytest

from calls.filters import CallLogFilter
from calls.models import Call, ImportRun, RejectedLine
from firm.models import FirmSettings
from firm.services import firm_settings_save
from tests.calls.importing.helpers import run_import
from tests.conftest import SAMPLES
from tests.factories import make_client, make_trunk

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"no CDR samples at {SAMPLES}"),
]

EXPECTED = {
    "3cx/v16-excel-export-1404-calls.csv": 1404,
    "3cx/active-socket-243-records.log": 243,
    "3cx/cdr-240617055949.288831.log": 1,
    "asterisk/master-218-calls.csv": 218,
}


@pytest.mark.parametrize(("name", "count"), sorted(EXPECTED.items()))
def test_each_sample_imports_every_line(name, count):
    code, out, err = run_import(SAMPLES / name)
    assert code == 0, err
    run = ImportRun.objects.get()
    assert (run.lines_read, run.imported, run.duplicates, run.rejected) == (count, count, 0, 0)
    assert run.status == ImportRun.Status.FINISHED
    assert Call.objects.count() == count
    assert f"{count} lines read, {count} imported, 0 duplicates, 0 rejected" in out


def test_the_whole_samples_folder_imports_in_one_run_with_a_total():
    code, out, err = run_import(SAMPLES)
    assert code == 0, err
    total = sum(EXPECTED.values())
    assert Call.objects.count() == total
    assert f"total: {total} lines read, {total} imported, 0 duplicates, 0 rejected" in out
    assert not RejectedLine.objects.exists()


def test_call_11315_carries_client_code_114_and_finds_its_client():
    client = make_client("114", "Cliente 114")
    run_import(SAMPLES / "3cx/v16-excel-export-1404-calls.csv")
    call = Call.objects.get(pbx_call_id="3cx:11315")
    assert call.billing_code == "114"
    assert call.destination == "700**114"
    assert call.client == client
    assert call.direction == Call.Direction.INTERNAL


def test_after_the_marker_changes_call_11315_keeps_one_code_and_is_still_found():
    client = make_client("114", "Cliente 114")
    firm_settings = FirmSettings.load()
    firm_settings.billing_marker = "##"
    firm_settings_save(firm_settings=firm_settings)
    assert FirmSettings.load().former_marker_list == ("**",)

    code, _out, err = run_import(SAMPLES / "3cx/v16-excel-export-1404-calls.csv")

    assert code == 0, err
    call = Call.objects.get(pbx_call_id="3cx:11315")
    assert (call.destination, call.dialled_number, call.billing_code, call.client) == (
        "700**114",
        "700",
        "114",
        client,
    )
    assert not Call.objects.filter(destination__contains="##").exists()
    day = {"date_after": "2020-05-11", "date_before": "2020-05-11", "destination": "numbers"}
    for pattern in ("%**114", "%##114"):
        found = CallLogFilter({**day, "number": pattern}, queryset=Call.objects.all())
        assert found.is_valid(), found.form.errors
        assert list(found.qs.values_list("pbx_call_id", flat=True)) == ["3cx:11315"], pattern


def test_v16_calls_get_their_trunk_by_its_pbx_identifier():
    cellular = make_trunk("9", "Gateway cellulare", identifiers=["10001"])
    voip = make_trunk("8", "Provider VoIP", identifiers=["10000"])
    run_import(SAMPLES / "3cx/v16-excel-export-1404-calls.csv")
    assert Call.objects.filter(pbx_trunk="10001").exclude(trunk=cellular).count() == 0
    assert Call.objects.filter(pbx_trunk="10000").exclude(trunk=voip).count() == 0
    assert Call.objects.filter(direction=Call.Direction.OUTBOUND, trunk=cellular).count() == 444
    assert Call.objects.filter(direction=Call.Direction.INBOUND, trunk=voip).count() == 376
    # 3CX writes EndCall/MakeCall or the number itself where no trunk was reached.
    assert not Call.objects.filter(pbx_trunk="EndCall", trunk__isnull=False).exists()


def test_the_file_and_the_socket_of_one_pbx_never_store_a_call_twice():
    run_import(SAMPLES / "3cx")
    before = Call.objects.count()
    code, out, _ = run_import(SAMPLES / "3cx")
    assert code == 0
    assert Call.objects.count() == before
    assert f"0 imported, {before} duplicates" in out
