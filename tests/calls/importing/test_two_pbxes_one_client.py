"""The outside check, reproduced: a Cisco CUCM CDR file (its names and types rows, the
client matter code 123 in clientMatterCode) and an Avaya IP Office SMDR file (account code
123, a transfer in two records of 300 + 180 s under one Call ID), each imported with plain
``import_cdr FILE``: every record accounted for, none rejected, a second import stores
nothing, every call billed to client 123, the transfer billed as one call of 480 s, and the
call log filtered with ``%**123`` lists the calls of both PBXes. The real CUCM export
(tests/fixtures/cdr/SOURCES.md) imports the same way."""

import re
import shutil
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from calls.models import Call, ImportRun, RejectedLine
from tests.calls.cdr.helpers import FIXTURES
from tests.calls.importing.helpers import write
from tests.conftest import logged_in
from tests.factories import make_client, make_trunk

pytestmark = pytest.mark.django_db

CUCM = "cdr_StandAloneCluster_01_202412021000_1"  # names and types rows, three records
AVAYA = [
    "2024/12/02 11:00:00,00:05:00,5,201,O,93454565678,93454565678,123,0,1000020001,1,"
    "E201,Mario Rossi,T9001,Line 1.1,0,0,,,,,,,,,,,,,\n",
    "2024/12/02 11:00:00,00:03:00,0,201,O,93454565678,93454565678,123,0,1000020001,0,"
    "E202,Anna Bianchi,T9001,Line 1.1,0,0,,,,,,,,,,,,,\n",
]


def import_cdr(path) -> str:
    """``import_cdr FILE`` as typed, with no option; its report."""
    out = StringIO()
    call_command("import_cdr", str(path), stdout=out, stderr=StringIO())
    return out.getvalue()


def counts(report: str) -> tuple[int, ...]:
    found = re.search(r"(\d+) lines read, (\d+) imported, (\d+) duplicates, (\d+) rejected", report)
    return tuple(int(n) for n in found.groups())


def test_a_cucm_file_and_an_avaya_file_bill_client_123_and_the_log_finds_both(tmp_path, paolo):
    client = make_client("123", "Affaroni S.p.A.")
    make_trunk("0", "Gateway", identifiers=["10.10.10.1"])
    make_trunk("9", "Telecom", identifiers=["T9001"])
    cucm = shutil.copy(FIXTURES / CUCM, tmp_path / CUCM)
    avaya = write(tmp_path / "smdr.csv", AVAYA)

    first = {path: import_cdr(path) for path in (cucm, avaya)}
    assert "Cisco CUCM CDR" in first[cucm] and "Avaya IP Office SMDR" in first[avaya]
    assert counts(first[cucm]) == (3, 3, 0, 0)  # and its start records skipped, not calls
    assert counts(first[avaya]) == (2, 2, 0, 0)
    stored = list(Call.records.order_by("pk").values())
    again = {path: import_cdr(path) for path in (cucm, avaya)}
    assert counts(again[cucm]) == (3, 0, 3, 0)
    assert counts(again[avaya]) == (2, 0, 2, 0)
    assert list(Call.records.order_by("pk").values()) == stored  # nothing stored or changed
    assert not RejectedLine.objects.exists()
    assert sum(run.rejected for run in ImportRun.objects.all()) == 0

    billed = Call.objects.filter(client=client)
    assert {call.leg_group for call in billed} == {"cucm:1:100001", "avaya:1000020001"}
    assert all(call.talk_seconds == 480 for call in billed)  # each transfer is one call
    avaya_call = billed.get(leg_group="avaya:1000020001")
    assert avaya_call.destination == "93454565678**123"
    assert Call.records.filter(leg_of=avaya_call).get().leg_talk_seconds == 180

    browser = logged_in(paolo)
    page = browser.get(
        reverse("calls:log"),
        {"date_after": "2024-12-01", "date_before": "2024-12-31", "number": "%**123"},
    )
    assert page.status_code == 200
    listed = {row.record.pk for row in page.context["table"].page.object_list}
    assert listed == {call.pk for call in billed}
    html = page.content.decode()
    assert all(reverse("calls:detail", args=[call.pk]) in html for call in billed)


def test_a_real_cucm_export_imports_every_record_once():
    """An excerpt of a real CUCM 10.5 export (the names row and the first 20 records)."""
    path = FIXTURES / "cucm-10.5-cdr-excerpt.txt"
    report = import_cdr(path)
    assert "Cisco CUCM CDR, 123 columns" in report
    assert counts(report) == (20, 20, 0, 0)
    assert counts(import_cdr(path)) == (20, 0, 20, 0)
    assert Call.records.count() == 20
    call = Call.records.get(pbx_call_id__startswith="cucm:1:22020:")
    assert (call.caller, call.talk_seconds) == ("51002", 1)


def test_a_real_cucm_record_with_a_client_matter_code_is_billed(tmp_path):
    """The real export's names row and one of its records, clientMatterCode set to 123."""
    client = make_client("123", "Affaroni S.p.A.")
    names, record = (FIXTURES / "cucm-10.5-cdr-excerpt.txt").read_text().splitlines()[:2]
    fields = record.split(",")
    fields[names.split(",").index("clientMatterCode")] = "123"
    path = write(tmp_path / "cdr.txt", [names + "\n", ",".join(fields) + "\n"])
    assert counts(import_cdr(path)) == (1, 1, 0, 0)
    call = Call.objects.get()
    assert (call.client, call.billing_code, call.destination) == (client, "123", "42000**123")


def test_the_avaya_knowledge_base_examples_import_every_record_once():
    """Avaya's own sample records (17 fields, and one of 30 written with a trailing comma):
    six records, five calls (the call transferred to voicemail, 13 + 21 s, is one)."""
    path = FIXTURES / "avaya-smdr-examples.csv"
    report = import_cdr(path)
    assert "Avaya IP Office SMDR" in report
    assert counts(report) == (6, 6, 0, 0)
    assert counts(import_cdr(path)) == (6, 0, 6, 0)
    assert (Call.records.count(), Call.objects.count()) == (6, 5)
    assert Call.objects.get(leg_group="avaya:1000014160").talk_seconds == 34
