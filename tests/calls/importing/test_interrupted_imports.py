"""An import that dies (killed, power loss, database gone) is not left 'running' for ever: the
next import, the admin's list of runs and `mark_interrupted_imports` mark it interrupted, and
importing the file again completes it. When the database goes away mid-import, import_cdr
says so in one line and exits with its own code (4)."""

import subprocess
from datetime import UTC, datetime, timedelta
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from calls.cdr.synthetic import threecx_lines
from calls.importing import services
from calls.importing.files import inspect_cdr_file
from calls.importing.services import (
    ImportSummary,
    cdr_feed_import,
    cdr_import,
    import_run,
    import_runs_mark_interrupted,
)
from calls.models import Call, ImportRun
from tests.calls.importing.helpers import run_import, write

EXIT_DATABASE_UNREACHABLE = 4


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])  # noqa: S607 - coreutils' true, to get a dead pid
    process.wait()
    return process.pid


def _run(**fields) -> ImportRun:
    values = {
        "file_name": "cdr.log",
        "file_size": 0,
        "sha256": "",
        "format_name": "threecx",
        "host": services._HOST,
        "heartbeat_at": timezone.now(),
    }
    values.update(fields)
    return ImportRun.objects.create(**values)


def _lines(count: int) -> list[str]:
    return list(
        threecx_lines(count, start=datetime(2026, 3, 2, 8, tzinfo=UTC), client_codes=["123"])
    )


@pytest.mark.django_db
def test_a_run_whose_process_is_gone_is_marked_interrupted():
    dead = _run(pid=_dead_pid())
    alive = _run(pid=subprocess.os.getpid())
    finished = _run(pid=_dead_pid(), status=ImportRun.Status.FINISHED)
    assert import_runs_mark_interrupted() == 1
    dead.refresh_from_db()
    assert dead.status == ImportRun.Status.INTERRUPTED
    assert "Import the same file again" in dead.error
    assert dead.finished_at is not None
    assert ImportRun.objects.get(pk=alive.pk).status == ImportRun.Status.RUNNING
    assert ImportRun.objects.get(pk=finished.pk).status == ImportRun.Status.FINISHED


@pytest.mark.django_db
def test_a_run_not_heard_of_for_ten_minutes_is_interrupted_even_on_another_machine():
    now = timezone.now()
    silent = _run(host="pbx-importer", pid=1, heartbeat_at=now - timedelta(minutes=11))
    recent = _run(host="pbx-importer", pid=1, heartbeat_at=now - timedelta(minutes=9))
    assert import_runs_mark_interrupted(now=now) == 1
    assert ImportRun.objects.get(pk=silent.pk).status == ImportRun.Status.INTERRUPTED
    assert ImportRun.objects.get(pk=recent.pk).status == ImportRun.Status.RUNNING


@pytest.mark.django_db
def test_the_next_import_marks_the_dead_run_and_importing_the_file_again_completes_it(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(services, "BATCH_SIZE", 1000)
    lines = _lines(3000)
    # What a run killed after its first batch leaves behind: that batch committed, the run
    # still 'running', its process gone.
    first = cdr_import(cdr_file=inspect_cdr_file(write(tmp_path / "cut.log", lines[:1000]))).run
    ImportRun.objects.filter(pk=first.pk).update(status="running", pid=_dead_pid())
    summary = cdr_import(cdr_file=inspect_cdr_file(write(tmp_path / "cdr.log", lines)))
    assert ImportRun.objects.get(pk=first.pk).status == ImportRun.Status.INTERRUPTED
    assert (summary.imported, summary.duplicates, summary.rejected) == (2000, 1000, 0)
    assert summary.run.status == ImportRun.Status.FINISHED
    assert summary.run.pid == subprocess.os.getpid()
    assert Call.objects.count() == 3000


@pytest.mark.django_db
def test_the_admin_list_of_runs_shows_a_dead_run_as_interrupted(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x")  # noqa: S106
    client.force_login(admin)
    dead = _run(pid=_dead_pid())
    response = client.get(reverse("admin:calls_importrun_changelist"))
    assert response.status_code == 200
    assert ImportRun.objects.get(pk=dead.pk).status == ImportRun.Status.INTERRUPTED
    assert "Interrott" in response.content.decode() or "Interrupted" in response.content.decode()


@pytest.mark.django_db
def test_the_daily_command_marks_dead_runs():
    _run(pid=_dead_pid())
    out = StringIO()
    call_command("mark_interrupted_imports", stdout=out)
    assert out.getvalue() == "1 import runs marked interrupted.\n"
    assert ImportRun.objects.get().status == ImportRun.Status.INTERRUPTED


@pytest.mark.django_db
def test_a_quiet_live_feed_says_it_is_alive(monkeypatch):
    monkeypatch.setattr(services, "HEARTBEAT_EVERY", timedelta(0))
    seen = []

    def lines():
        yield None
        seen.append(ImportRun.objects.get().heartbeat_at)
        yield None
        seen.append(ImportRun.objects.get().heartbeat_at)

    cdr_feed_import(lines=lines(), source="feed 192.0.2.1:5000")
    assert seen[0] is not None and seen[1] > seen[0]


def _close_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL server to lose")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_import_cdr_says_when_the_database_goes_away_and_a_rerun_completes_it(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(services, "BATCH_SIZE", 1000)
    monkeypatch.setattr("django.conf.settings.CDR_IMPORT_CONNECTIONS", 1)
    path = write(tmp_path / "cdr.log", _lines(3000))
    settings_dict = connection.settings_dict
    port, database = settings_dict["PORT"], settings_dict["NAME"]
    write_batch = services.batch_writer
    batches = []

    def writer_that_loses_the_database(run_id, *, refused):
        writer = write_batch(run_id, refused=refused)
        original = writer.write

        def write_then_lose(rows, rejects, raws):
            done = original(rows, rejects, raws)
            batches.append(len(rows))
            if len(batches) == 1:  # the server goes away after the first batch
                done += writer.finish()
                settings_dict["PORT"] = str(_close_port())
                with psycopg.connect(host="127.0.0.1", user="postgres", dbname=database) as db:
                    db.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = %s AND pid <> pg_backend_pid()",
                        [database],
                    )
            return done

        writer.write = write_then_lose
        return writer

    monkeypatch.setattr(services, "batch_writer", writer_that_loses_the_database)
    try:
        code, out, err = run_import(path)
    finally:
        settings_dict["PORT"] = port
        connection.close()
    assert code == EXIT_DATABASE_UNREACHABLE
    assert f"database at 127.0.0.1:{port}" not in err  # the closed port is named, not the old
    assert "is not reachable" in err
    assert "nothing more was written; run the same command again." in err
    assert "Traceback" not in err
    run = ImportRun.objects.get()
    assert (run.status, run.lines_read, run.imported) == ("running", 1000, 1000)
    monkeypatch.undo()
    ImportRun.objects.filter(pk=run.pk).update(pid=_dead_pid())  # the command's process ended
    code, out, err = run_import(path)
    assert code == 0, err
    assert "3000 lines read, 2000 imported, 1000 duplicates, 0 rejected" in out
    assert ImportRun.objects.get(pk=run.pk).status == ImportRun.Status.INTERRUPTED
    assert Call.objects.count() == 3000


@pytest.mark.django_db
def test_a_refused_statement_is_one_clear_line_not_a_traceback(tmp_path, monkeypatch):
    from django.db import OperationalError

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("calls.management.commands.import_cdr.cdr_import", locked)
    code, out, err = run_import(write(tmp_path / "cdr.log", _lines(3)))
    assert code == 1
    assert err.endswith("the database refused the import: database is locked")


def test_a_run_whose_layout_holds_a_nul_is_stored_on_every_database(db):
    # A header-driven file names its columns; a damaged header may hold a NUL, which
    # PostgreSQL refuses in text: the run is stored with it written out, not a crash.
    summary = ImportSummary(file_name="cdr.csv", format_description="")
    with import_run(
        summary,
        file_name="cdr\x00.csv",
        file_size=1,
        sha256="",
        format_name="headered_csv",
        format_description="x" * 199 + "\x00",
        layout="start, dst\x00x",
    ) as run:
        pass
    run.refresh_from_db()
    assert run.layout == "start, dst\\x00x"
    assert run.file_name == "cdr\\x00.csv"
    assert len(run.format_description) == 200
