"""listen_cdr as the probe treated it (issue 21, 2.5), with real processes, signals and TCP on
127.0.0.1: SIGTERM imports what is spooled before exiting; a connection beyond the limit waits
and is read, never closed unread; a kill -9 loses nothing the process had read; after the
database went away, the runs' status and the counts are true."""

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time

import pytest

from calls.models import Call, ImportRun
from tests.calls.importing.helpers import threecx_line, wait_for
from tests.calls.importing.test_live_feed import (
    WAIT,
    _calls,
    _send,
    _while_the_importer_writes,
    database_down,
    real_commits,
    running_feed,
)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A migrated SQLite file, copied by each test (migrating takes seconds)."""
    path = tmp_path_factory.mktemp("feed") / "db.sqlite3"
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{path}"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], env=env, check=True, timeout=300
    )
    return path


class ListenCdr:
    """``manage.py listen_cdr --listen 127.0.0.1:<port>`` in its own process, on its own
    SQLite file and spool."""

    def __init__(self, tmp_path, migrated, **env):
        self.database = tmp_path / "db.sqlite3"
        if not self.database.exists():
            shutil.copy(migrated, self.database)
        with socket.create_server(("127.0.0.1", 0)) as probe:
            self.port = probe.getsockname()[1]
        self.spool = tmp_path / "spool"
        self.env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{self.database}",
            "CDR_SPOOL_DIR": str(self.spool),
            **env,
        }

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "listen_cdr", "--listen", f"127.0.0.1:{self.port}"],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert "Listening on" in self.process.stdout.readline()
        return self

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=10)

    def stop(self, sig=signal.SIGTERM) -> str:
        self.process.send_signal(sig)
        output, errors = self.process.communicate(timeout=20)
        self.errors = errors
        return output

    def calls(self) -> int:
        with sqlite3.connect(self.database) as database:
            return database.execute("SELECT count(*) FROM calls_call").fetchone()[0]

    def runs(self) -> list[tuple]:
        with sqlite3.connect(self.database) as database:
            return database.execute(
                "SELECT status, lines_read, imported FROM calls_importrun ORDER BY id"
            ).fetchall()

    def spooled_lines(self) -> int:
        return sum(path.read_bytes().count(b"\n") for path in self.spool.glob("feed-*.log"))

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


def _lines(first: int, count: int) -> list[bytes]:
    return [threecx_line(n).encode() for n in range(first, first + count)]


def test_sigterm_imports_every_line_spooled_before_it_exits(tmp_path, migrated):
    feed = ListenCdr(tmp_path, migrated).start()
    try:
        with feed.connect() as pbx:
            pbx.sendall(b"".join(_lines(1, 500)))
            output = feed.stop()  # at once: most lines are spooled, not imported yet
    finally:
        feed.kill()
    assert feed.process.returncode == 0, feed.errors
    assert "500 lines received" in output
    assert "500 imported, 0 duplicates, 0 rejected" in output
    assert feed.calls() == 500
    assert [status for status, _read, _imported in feed.runs()] == ["finished"] * len(feed.runs())


def test_a_connection_beyond_the_limit_waits_and_its_lines_are_imported(tmp_path, migrated):
    feed = ListenCdr(tmp_path, migrated, CDR_FEED_MAX_CONNECTIONS="1").start()
    try:
        with feed.connect() as first, feed.connect() as second:
            first.sendall(b"".join(_lines(1, 2)))  # and stays open, holding the one reader
            second.sendall(b"".join(_lines(3, 5)))  # accepted, held until a reader is free
            assert wait_for(lambda: feed.calls() == 2, WAIT)
            output = feed.stop()  # the held connection's lines are spooled and imported
    finally:
        feed.kill()
    assert feed.process.returncode == 0, feed.errors
    assert "7 lines received on 2 connections" in output
    assert "7 imported" in output
    assert feed.calls() == 7


def test_a_held_connection_is_read_as_soon_as_the_reader_is_free(tmp_path, migrated):
    feed = ListenCdr(tmp_path, migrated, CDR_FEED_MAX_CONNECTIONS="1").start()
    try:
        first, second = feed.connect(), feed.connect()
        second.sendall(b"".join(_lines(1, 4)))
        time.sleep(0.5)
        assert feed.spooled_lines() == 0  # held, unread: the kernel keeps the lines
        first.close()
        assert wait_for(lambda: feed.calls() == 4, WAIT)
        second.close()
        feed.stop()
    finally:
        feed.kill()
    assert feed.process.returncode == 0, feed.errors


def test_after_a_kill_9_every_line_the_process_had_read_is_in_the_spool(tmp_path, migrated):
    feed = ListenCdr(tmp_path, migrated).start()
    try:
        with feed.connect() as pbx:
            for line in _lines(1, 428):
                pbx.sendall(line)
            # The process reads what arrives at once: the kernel holds nothing after a moment.
            assert wait_for(lambda: feed.spooled_lines() == 428, WAIT)
            feed.stop(signal.SIGKILL)
    finally:
        feed.kill()
    assert feed.spooled_lines() == 428
    # The next start imports what the killed one had not: each call once.
    again = ListenCdr(tmp_path, migrated)
    again.port = feed.port
    again.start()
    try:
        assert wait_for(lambda: again.calls() == 428, WAIT)
        again.stop()
    finally:
        again.kill()
    assert again.calls() == 428
    assert "running" not in [status for status, *_counts in again.runs()]


@real_commits
def test_after_the_database_went_away_no_run_stays_running_and_the_counts_are_true(tmp_path):
    with running_feed(tmp_path, importer_options={"pass_quiet_seconds": 60}) as (feed, address):
        _send(address, _lines(1, 50))
        assert wait_for(lambda: _calls() == 50, WAIT)
        first = ImportRun.objects.get()
        assert first.status == "running"  # the pass goes on, waiting for more lines
        with database_down():
            _send(address, _lines(51, 5))
            assert wait_for(lambda: feed.importer.failing, WAIT)
        # The database is back: the 5 lines are imported by a new run, the first one ends.
        assert wait_for(lambda: _calls() == 55, WAIT)
        assert wait_for(
            lambda: _while_the_importer_writes(
                lambda: ImportRun.objects.get(pk=first.pk).status != "running"
            ),
            WAIT,
        )
    first.refresh_from_db()
    assert (first.status, first.imported) == ("interrupted", 50)
    assert not ImportRun.objects.filter(status="running").exists()
    assert sum(ImportRun.objects.values_list("imported", flat=True)) == 55
    totals = feed.importer.totals
    assert (totals.imported, totals.failed_passes) == (55, 1)
    assert Call.objects.count() == 55
