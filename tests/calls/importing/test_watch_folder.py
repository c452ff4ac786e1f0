"""listen_cdr --watch DIR (calls/importing/watch.py): real files in a real folder, new, grown,
half-written, the same again, replaced, not call records; a database outage while watching.
A clock the test moves stands for the seconds a file must stay unchanged."""

import os
import shutil
import signal
import threading
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from calls.cdr import CdrRecord, detect_format, parse
from calls.importing import watch
from calls.models import Call, ImportRun, RejectedLine, WatchedFile
from tests.calls.cdr.helpers import FIXTURES
from tests.calls.importing.helpers import threecx_line, wait_for
from tests.calls.importing.test_live_feed import WAIT, _calls, database_down, real_commits
from tests.factories import make_client

pytestmark = pytest.mark.django_db

CUCM = "cdr_StandAloneCluster_01_202412021000_1"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _watch(folder, **options):
    clock = Clock()
    watcher = watch.FolderWatch(
        folder,
        stop=threading.Event(),
        settle_seconds=10,
        final_seconds=3600,
        clock=clock,
        **options,
    )
    return watcher, clock


def _settled(watcher, clock, seconds=10):
    """Two looks ``seconds`` apart: the first sees the files as they are, the second reads
    those that did not change meanwhile."""
    assert watcher.scan()
    clock.now += seconds
    assert watcher.scan()


def _lines(numbers, **options):
    return "".join(threecx_line(n, **options) for n in numbers)


def _ids():
    return sorted(Call.objects.values_list("pbx_call_id", flat=True))


def test_a_new_file_is_imported_once_it_stops_changing_and_only_once(tmp_path):
    client = make_client("123", "Affaroni S.p.A.")
    watcher, clock = _watch(tmp_path)
    path = tmp_path / "cdr.log"
    path.write_text(_lines(range(1, 4), bill_code="123"))
    assert watcher.scan() and Call.objects.count() == 0  # just seen
    clock.now += 9
    assert watcher.scan() and Call.objects.count() == 0  # not quiet long enough
    clock.now += 1
    assert watcher.scan()
    assert _ids() == ["3cx:1", "3cx:2", "3cx:3"]
    assert set(Call.objects.values_list("client", flat=True)) == {client.pk}
    state = WatchedFile.objects.get()
    assert (state.path, state.offset, state.lines) == (str(path), path.stat().st_size, 3)
    assert (state.inode, state.format_name) == (path.stat().st_ino, "threecx")
    run = ImportRun.objects.get()
    assert (run.via, run.imported, run.file_name) == ("watch", 3, "cdr.log")
    # The same file, looked at again and again, or by a new watcher (a restart): nothing.
    clock.now += 100
    assert watcher.scan()
    again, again_clock = _watch(tmp_path)
    _settled(again, again_clock)
    assert ImportRun.objects.count() == 1 and Call.objects.count() == 3
    assert again.totals.unchanged == 1


def test_a_half_written_file_waits_until_it_stops_growing(tmp_path):
    watcher, clock = _watch(tmp_path)
    path = tmp_path / CUCM
    full = (FIXTURES / CUCM).read_bytes()
    cut = len(full) // 2
    path.write_bytes(full[:cut])  # the upload is under way, a line cut
    for step in range(5):  # it goes on growing: every look sees it changed
        assert watcher.scan()
        clock.now += 5
        with open(path, "ab") as out:
            out.write(full[cut + 2 * step : cut + 2 * step + 2])
    assert Call.objects.count() == 0
    with open(path, "ab") as out:
        out.write(full[path.stat().st_size :])
    _settled(watcher, clock)
    assert Call.objects.count() == _cucm_calls()
    run = ImportRun.objects.get()
    assert (run.format_name, run.rejected) == ("cisco_cucm", 0)


def _cucm_calls() -> int:
    """The calls in the CUCM sample, as its parser reads them."""
    lines = (FIXTURES / CUCM).read_text().splitlines(keepends=True)
    items = parse(lines, detect_format(lines[:50]), ZoneInfo("Europe/Rome"))
    return sum(isinstance(item, CdrRecord) for item in items)


def test_a_grown_file_imports_only_its_new_complete_lines(tmp_path):
    watcher, clock = _watch(tmp_path)
    path = tmp_path / "cdr.log"
    third = threecx_line(3)
    path.write_text(_lines(range(1, 3)) + third[:20])  # the third line is being written
    _settled(watcher, clock)
    assert _ids() == ["3cx:1", "3cx:2"]
    assert WatchedFile.objects.get().offset == len(_lines(range(1, 3)))
    with open(path, "a") as out:
        out.write(third[20:] + _lines([4]) + "Call 5,garbage\n")
    _settled(watcher, clock)
    assert _ids() == ["3cx:1", "3cx:2", "3cx:3", "3cx:4"]
    second = ImportRun.objects.latest("pk")
    assert (second.lines_read, second.imported, second.duplicates) == (3, 2, 0)
    garbage = RejectedLine.objects.get()
    assert (garbage.file_name, garbage.line_number) == ("cdr.log", 5)  # the file's own number
    assert WatchedFile.objects.get().lines == 5


def test_a_grown_headered_file_reads_its_new_lines_under_its_column_names(tmp_path):
    watcher, clock = _watch(tmp_path)
    path = tmp_path / CUCM
    lines = (FIXTURES / CUCM).read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:3]))  # names, types, one record
    _settled(watcher, clock)
    first = Call.objects.count()
    with open(path, "ab") as out:
        out.writelines(lines[3:])
    _settled(watcher, clock)
    assert Call.objects.count() == _cucm_calls() > first
    assert ImportRun.objects.latest("pk").rejected == 0


def test_a_last_line_without_its_end_is_read_once_the_file_is_long_unchanged(tmp_path):
    watcher, clock = _watch(tmp_path)
    path = tmp_path / "cdr.log"
    path.write_text(_lines([1]) + threecx_line(2).rstrip("\n"))
    _settled(watcher, clock)
    assert _ids() == ["3cx:1"]
    clock.now += 3600
    assert watcher.scan()
    assert _ids() == ["3cx:1", "3cx:2"]
    assert WatchedFile.objects.get().offset == path.stat().st_size
    clock.now += 3600
    assert watcher.scan() and ImportRun.objects.count() == 2


def test_the_same_bytes_under_another_name_store_nothing(tmp_path):
    watcher, clock = _watch(tmp_path)
    (tmp_path / "cdr-monday.log").write_text(_lines(range(1, 4)))
    _settled(watcher, clock)
    shutil.copy(tmp_path / "cdr-monday.log", tmp_path / "cdr-monday-sent-again.log")
    _settled(watcher, clock)
    (tmp_path / "copy.tmp").write_text(_lines(range(1, 4)))
    os.replace(tmp_path / "copy.tmp", tmp_path / "cdr-monday.log")  # put back: a new inode
    _settled(watcher, clock)
    assert ImportRun.objects.count() == 1 and Call.objects.count() == 3
    assert WatchedFile.objects.count() == 2


def test_a_file_replaced_under_the_same_name_is_read_from_its_start(tmp_path):
    watcher, clock = _watch(tmp_path)
    path = tmp_path / "cdr.log"
    path.write_text(_lines(range(1, 4)))
    _settled(watcher, clock)
    replacement = tmp_path / "new.tmp"  # hidden from the watch by its name
    replacement.write_text(_lines(range(2, 6)))
    os.replace(replacement, path)  # rotated: another inode, other first bytes
    _settled(watcher, clock)
    assert _ids() == [f"3cx:{n}" for n in range(1, 6)]
    run = ImportRun.objects.latest("pk")
    assert (run.imported, run.duplicates) == (2, 2)


def test_a_file_that_is_no_call_record_file_is_noted_once(tmp_path, caplog):
    watcher, clock = _watch(tmp_path)
    (tmp_path / "notes.txt").write_text("remember to call the accountant\n")
    shutil.copy(FIXTURES / "cmr_StandAloneCluster_01_202412021000_1", tmp_path / "cmr_1")
    (tmp_path / ".hidden.log").write_text(_lines([1]))
    (tmp_path / "upload.part").write_text(_lines([2]))
    _settled(watcher, clock)
    _settled(watcher, clock)
    assert Call.objects.count() == 0 and ImportRun.objects.count() == 0
    notes = dict(WatchedFile.objects.values_list("path", "note"))
    assert set(notes) == {str(tmp_path / "notes.txt"), str(tmp_path / "cmr_1")}
    assert "CMR" in notes[str(tmp_path / "cmr_1")]
    assert sum("notes.txt" in message for message in caplog.messages) == 1


@real_commits
def test_a_database_outage_while_watching_loses_nothing(tmp_path):
    watcher = watch.FolderWatch(
        tmp_path,
        stop=threading.Event(),
        settle_seconds=0.2,
        final_seconds=3600,
        poll_seconds=0.05,
        retry_seconds=0.2,
    )
    thread = threading.Thread(target=watcher.run)
    thread.start()
    try:
        path = tmp_path / "cdr.log"
        path.write_text(_lines(range(1, 11)))
        assert wait_for(lambda: _calls() == 10, WAIT)
        with database_down():
            with open(path, "a") as out:
                out.write(_lines(range(11, 41)))
            assert wait_for(lambda: watcher.failing, WAIT)
            assert _calls() == 10
        assert wait_for(lambda: _calls() == 40, WAIT)  # unaided
        assert wait_for(lambda: not watcher.failing, WAIT)
    finally:
        watcher.stop.set()
        thread.join(5)
    assert _ids() == sorted(f"3cx:{n}" for n in range(1, 41))
    assert WatchedFile.objects.get().lines == 40


@real_commits
def test_listen_cdr_watch_imports_the_folder_until_sigterm(tmp_path):
    (tmp_path / "cdr.log").write_text(_lines(range(1, 3)))
    out, err = StringIO(), StringIO()
    before = signal.getsignal(signal.SIGTERM)

    def sigterm_when_imported():
        wait_for(lambda: _calls() == 2, WAIT)
        connection.close()  # this thread's own
        if wait_for(lambda: signal.getsignal(signal.SIGTERM) is not before, 5):
            os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=sigterm_when_imported)
    thread.start()
    call_command(
        "listen_cdr", "--watch", str(tmp_path), "--settle-seconds", "0.2", stdout=out, stderr=err
    )
    thread.join(WAIT)
    assert f"Watching {tmp_path}: a file is read once unchanged for 0.2 s." in out.getvalue()
    assert "Stopped: 1 files read: 2 lines read, 2 imported" in out.getvalue()
    assert err.getvalue() == ""
