"""Uploading CDR files in admin, the import runs and rejected lines, and their retry."""

import importlib
import threading

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from calls.models import Call, ImportRun, RejectedLine
from tests.calls.importing.helpers import EXIT_REJECTED, run_import, threecx_line, write
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def _upload(user, *files):
    uploads = [SimpleUploadedFile(name, content) for name, content in files]
    return logged_in(user).post(reverse("admin:calls_importrun_upload"), {"files": uploads})


def test_an_administrator_uploads_cdr_files_and_sees_a_summary_per_file(anna):
    good = "".join(threecx_line(n) for n in range(1, 4)).encode()
    bad_line = threecx_line(9, start="2020/13/04 10:00:00").encode()
    response = _upload(anna, ("cdr.log", good), ("altro.log", good + bad_line))
    assert response.status_code == 200
    summaries = [result["summary"] for result in response.context["results"]]
    assert [(s.lines_read, s.imported, s.duplicates, s.rejected) for s in summaries] == [
        (3, 3, 0, 0),
        (4, 0, 3, 1),
    ]
    page = response.content.decode()
    # Stored in English as the parser wrote it, shown in the administrator's language.
    assert (
        "altro.log, riga 4: il campo time-start &#x27;2020/13/04 10:00:00&#x27; non è una data"
        in page
    )
    assert (
        RejectedLine.objects.get().reason == "field time-start '2020/13/04 10:00:00' is not a date"
    )
    runs = ImportRun.objects.order_by("pk")
    assert [(run.file_name, run.via, run.user) for run in runs] == [
        ("cdr.log", "upload", anna),
        ("altro.log", "upload", anna),
    ]
    assert Call.objects.count() == 3


def test_an_upload_that_is_not_a_cdr_file_is_refused_with_its_name(anna):
    response = _upload(anna, ("clienti.pdf", b"%PDF-1.7\n"))
    assert response.status_code == 200
    error = response.context["results"][0]["error"]
    assert error == "clienti.pdf: questo è un documento PDF, non un file CDR (contenuto binario)"
    assert not ImportRun.objects.exists()


def test_receptionists_and_partners_cannot_upload(rita, paolo):
    for user in (rita, paolo):
        response = logged_in(user).get(reverse("admin:calls_importrun_upload"))
        assert response.status_code == 302  # no admin site for them


def test_runs_and_rejected_lines_are_listed_in_admin(anna, tmp_path):
    path = write(tmp_path / "cdr.log", [threecx_line(1), threecx_line(2, start="2020/13/04")])
    assert run_import(path)[0] == EXIT_REJECTED
    browser = logged_in(anna)
    runs = browser.get(reverse("admin:calls_importrun_changelist"))
    assert str(path) in runs.content.decode()
    lines = browser.get(reverse("admin:calls_rejectedline_changelist"))
    assert "il campo time-start &#x27;2020/13/04&#x27; non è una data" in lines.content.decode()
    english = browser.get(
        reverse("admin:calls_rejectedline_changelist"), headers={"accept-language": "en"}
    )
    assert "field time-start &#x27;2020/13/04&#x27; is not a date" in english.content.decode()
    rejected = RejectedLine.objects.get()
    detail = browser.get(reverse("admin:calls_rejectedline_change", args=[rejected.pk]))
    assert "2020/13/04" in detail.content.decode()  # the raw line is kept and shown
    assert "non è una data" in detail.content.decode()


def test_the_retry_action_imports_lines_that_now_fit(anna, tmp_path):
    path = write(tmp_path / "cdr.log", [threecx_line(1, caller="Ext." + "1" * 70)])
    assert run_import(path)[0] == EXIT_REJECTED
    rejected = RejectedLine.objects.get()
    assert rejected.field == "from-no"
    fixed = threecx_line(1, caller="Ext.114").rstrip("\n")
    RejectedLine.objects.filter(pk=rejected.pk).update(raw=fixed)  # as if the rule were fixed
    response = logged_in(anna).post(
        reverse("admin:calls_rejectedline_changelist"),
        {"action": "retry", "_selected_action": [rejected.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert not RejectedLine.objects.exists()
    assert Call.objects.get().caller == "114"
    retry_run = ImportRun.objects.get(via="retry")
    assert (retry_run.lines_read, retry_run.imported, retry_run.user) == (1, 1, anna)


def test_the_database_refuses_a_run_whose_counts_do_not_add_up():
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportRun.objects.create(
            file_name="x",
            file_size=1,
            sha256="",
            format_name="threecx",
            format_description="",
            lines_read=5,
            imported=3,
        )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lets one writer at a time: no concurrent import to race",
)
def test_two_processes_importing_the_same_file_at_once_store_each_call_once(tmp_path):
    path = write(tmp_path / "cdr.log", [threecx_line(n) for n in range(1, 3001)])
    results, start = [], threading.Barrier(2)

    def import_once():
        try:
            start.wait()
            results.append(run_import(path))
        finally:
            connection.close()

    workers = [threading.Thread(target=import_once) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert [code for code, _out, _err in results] == [0, 0]
    assert Call.objects.count() == 3000
    runs = ImportRun.objects.all()
    assert sum(run.imported for run in runs) == 3000
    assert sum(run.duplicates for run in runs) == 3000


def test_an_upload_when_the_database_goes_away_says_so_instead_of_an_error_page(anna, monkeypatch):
    # The database going away in the middle of an upload cannot be staged inside a test's
    # transaction; tests/calls/importing/test_interrupted_imports.py loses a real server.
    from django.db import OperationalError

    def lost(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("calls.admin.cdr_import", lost)
    monkeypatch.setattr("calls.admin.database_unreachable", lambda error: True)
    response = _upload(anna, ("cdr.log", threecx_line(1).encode()))
    assert response.status_code == 200
    error = response.context["results"][0]["error"]
    assert error.startswith("cdr.log: il database su ")
    assert "non risponde (server closed the connection unexpectedly)" in error
    assert "Carica di nuovo lo stesso file" in error


def test_a_file_over_the_size_limit_is_refused_with_a_message(anna, settings):
    settings.CDR_UPLOAD_MAX_FILE_BYTES = 1024 * 1024
    line = threecx_line(1).encode()
    big = line * (1024 * 1024 // len(line) + 1)
    response = _upload(anna, ("small.log", line), ("grande.log", big))
    assert response.status_code == 200
    assert response.context["form"].errors["files"] == [
        "grande.log supera 1 MB: i file così grandi si importano con il comando import_cdr."
    ]
    assert not response.context["results"]
    assert not ImportRun.objects.exists()


def test_files_over_the_limit_of_one_upload_are_refused_with_a_message(anna, settings):
    settings.CDR_UPLOAD_MAX_REQUEST_BYTES = 1024 * 1024
    line = threecx_line(1).encode()
    half = line * (600 * 1024 // len(line))
    response = _upload(anna, ("uno.log", half), ("due.log", half))
    assert "insieme superano 1 MB" in response.context["form"].errors["files"][0]
    assert not ImportRun.objects.exists()


def test_a_line_stored_before_reasons_had_codes_reads_in_italian_after_the_migration(
    anna, tmp_path
):
    path = write(tmp_path / "cdr.log", [threecx_line(1), threecx_line(2, start="2020/13/04")])
    run_import(path)
    # As the line was stored before migration 0028: its English sentence, no code.
    RejectedLine.objects.update(reason_code="", reason_params={})
    lines = reverse("admin:calls_rejectedline_changelist")
    shown = logged_in(anna).get(lines).content.decode()
    assert "field time-start &#x27;2020/13/04&#x27; is not a date" in shown  # never lost
    migration = importlib.import_module("calls.migrations.0028_rejection_reason_codes")

    migration.codes_for_stored_reasons(django_apps, None)

    rejected = RejectedLine.objects.get()
    assert (rejected.reason_code, rejected.reason_params) == (
        "not_a_date",
        {"field": "time-start", "value": "'2020/13/04'"},
    )
    shown = logged_in(anna).get(lines).content.decode()
    assert "il campo time-start &#x27;2020/13/04&#x27; non è una data" in shown


def test_a_message_that_starts_with_a_file_name_shows_the_name_as_it_is(anna):
    response = _upload(anna, ("random.bin", bytes(range(256)) * 8))
    page = response.content.decode()
    assert '<ul class="messagelist">' in page
    assert '<li class="error">random.bin: ' in page
    assert "Random.bin" not in page
