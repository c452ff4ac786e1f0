"""The live CDR feed: 3CX sends one line per call over TCP as each call ends.

3CX's "CDR output: socket" has two modes, and ``listen_cdr`` speaks both:

- **active socket**: the PBX connects to us (``listen_cdr --listen 0.0.0.0:5000 --allow
  <PBX address>``); several connections may come and go;
- **passive socket**: the PBX listens and we connect (``listen_cdr --connect pbx:5000``),
  reconnecting after a pause when the connection drops.

The spool is the queue. Connection threads only append each line's bytes, as received, to
the day's spool file (``CDR_SPOOL_DIR/feed-YYYY-MM-DD.log``, UTC days); they never touch the
database, so no number of connections, idle or hostile, can take the database's connections
away from the web pages. Each line is written as it arrives (a kill -9 loses only what the
kernel held for us), and fsynced within ``FSYNC_LINES`` lines or ``FSYNC_SECONDS`` (a power
loss loses no more), and again on shutdown. Connections beyond the limit are held unread (the
kernel keeps what they send) and read as soon as a connection ends.

On stop (SIGTERM), the connections' last bytes are spooled, and the importer imports what the
spool holds before it returns (within the shutdown's time: the rest waits for the next start).

One importer thread (``SpoolImporter``) reads the spool files in order from a position kept
beside each (``.feed-YYYY-MM-DD.log.pos``: byte offset and line count, written atomically,
and only once the lines before it are committed) and hands the lines to
``calls.importing.services.cdr_feed_import``. It opens a database connection only when there is a
line to import, and closes it after a quiet minute. When the import fails (the database is
down, say) it waits a few seconds and starts again from the position: lines that were
committed after all count as duplicates, so nothing is lost or stored twice; the spool
written meanwhile is imported as soon as the database answers, and at start-up. A poison
line is a rejected line like in any import (the matcher checks what the database would
refuse, and a batch it refuses all the same is split down to the refused line), so it never
blocks the lines after it.

The spool (``feed_spool``) and the connections (``feed_sockets``) are free of Django; this
module holds the importer and the ``Feed`` that runs them all.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from calls.importing.counts import ImportCounts
from calls.importing.feed_sockets import (
    RECONNECT_SECONDS,
    Connections,
    allowed_peers,
    connect_forever,
    parse_address,
    receive,
    serve,
)
from calls.importing.feed_spool import (
    MAX_LINE_BYTES,
    TICK_SECONDS,
    Position,
    Spool,
    flush_every,
    read_position,
    write_position,
)

# What listen_cdr and the tests use, from the two Django-free modules the feed is built on.
__all__ = [
    "Connections",
    "Feed",
    "Position",
    "Spool",
    "SpoolImporter",
    "allowed_peers",
    "flush_every",
    "parse_address",
    "read_position",
    "receive",
    "serve",
    "write_position",
]

logger = logging.getLogger(__name__)


# A quiet feed commits what it received after this many seconds.
QUIET_SECONDS = 1.0
# ... and the importer ends its run and closes its database connection after this many.
PASS_QUIET_SECONDS = 60.0
# After a failed import, the importer tries again after this many seconds.
RETRY_SECONDS = 5.0
# A catching-up importer commits (and saves its position) at least every this many lines.
COMMIT_LINES = 10_000
# On stop, after the shutdown's time: how long the importer has to commit the line in hand.
ABANDON_SECONDS = 2.0


# --- The importer: spool files → cdr_feed_import, one thread -----------------------------


@dataclass
class _Pass:
    """One import run over one spool file: what is committed, and what was handed on."""

    path: Path
    committed: Position
    pending: Position


@dataclass(kw_only=True)
class ImporterTotals(ImportCounts):
    """A live feed's counts since it started (a failed pass's committed lines too), its
    import passes that committed and those that failed."""

    passes: int = 0
    failed_passes: int = 0


class SpoolImporter:
    """Imports the spool files in order from their saved positions (see the module's
    docstring); ``run()`` is the thread's body and returns once ``stop`` is set.
    ``threecx_layout`` is asked for the 3CX field order at the start of every run (it may
    read the database, which is connected by then)."""

    def __init__(
        self,
        spool: Spool,
        *,
        stop: threading.Event,
        threecx_layout: Callable[[], tuple[str, ...] | None] | None = None,
        feed_format=None,  # a DetectedFormat: the feed's format, not detected (feeds.py)
        quiet_seconds: float = QUIET_SECONDS,
        pass_quiet_seconds: float = PASS_QUIET_SECONDS,
        retry_seconds: float = RETRY_SECONDS,
    ):
        self.spool, self.stop, self.threecx_layout = spool, stop, threecx_layout
        self.feed_format = feed_format
        self.quiet_seconds = quiet_seconds
        self.pass_quiet_seconds = pass_quiet_seconds
        self.retry_seconds = retry_seconds
        self.totals = ImporterTotals()
        self.failing = False  # the last pass failed and no pass has committed since
        self._done: set[str] = set()  # files read to their end, with a later file beside
        # After ``stop``: set once nothing more will be spooled; the importer then imports the
        # spool to its end and returns. ``abandon``: return after the line in hand.
        self.received_all = threading.Event()
        self.abandon = threading.Event()
        # Runs a failed pass left 'running' (the database was gone): marked interrupted once
        # it answers again, so that no run claims to go on.
        self._unfinished: set[int] = set()

    def run(self) -> None:
        try:
            while not self.abandon.is_set():
                work = self._next_unread()
                if work is None:
                    if self.stop.is_set() and self.received_all.is_set():
                        break  # everything spooled is imported
                    (self.received_all if self.stop.is_set() else self.stop).wait(TICK_SECONDS)
                    continue
                if not self._import(_Pass(work[0], work[1], work[1])) and self.stop.is_set():
                    break  # stopping with the database away: the spool waits for the next start
            self._finish_unfinished()
        finally:
            self._disconnect()

    def _next_unread(self) -> tuple[Path, Position] | None:
        """The first spool file with a complete line beyond its position."""
        files = [path for path in self.spool.files() if path.name not in self._done]
        for index, path in enumerate(files):
            position = read_position(path)
            try:
                with open(path, "rb") as stream:
                    stream.seek(position.offset)
                    unread = stream.read(MAX_LINE_BYTES + 1)
            except FileNotFoundError:  # removed by hand meanwhile
                continue
            later = index < len(files) - 1
            if b"\n" in unread or (unread and later):
                return path, position
            if later:  # read to its end, and no longer written to
                self._done.add(path.name)
        return None

    def _import(self, run: _Pass) -> bool:
        """One pass; False when it failed. What a failed pass committed counts all the same."""
        from calls.importing.services import ImportSummary, cdr_feed_import

        summary = ImportSummary(file_name=run.path.name, format_description="")
        try:
            self._finish_unfinished(quietly=False)
            cdr_feed_import(
                lines=self._lines(run),
                source=run.path.name,
                threecx_layout=self.threecx_layout() if self.threecx_layout else None,
                fmt=self.feed_format,
                first_line_number=run.committed.lines + 1,
                summary=summary,
            )
            self._committed(run)
        except Exception as error:
            self.totals.failed_passes += 1
            self.totals.add(summary)
            if summary.run is not None:
                self._unfinished.add(summary.run.pk)
            self._failed(run, error)
            return False
        finally:
            self._disconnect()  # no idle connection kept between passes
        self.totals.passes += 1
        self.totals.add(summary)
        return True

    def _finish_unfinished(self, *, quietly: bool = True) -> None:
        """Mark the runs failed passes left 'running' as interrupted (their counts are what
        they committed). ``quietly``: when the database does not answer, leave them to the
        next start (``import_runs_mark_interrupted`` finds this process gone)."""
        if not self._unfinished:
            return
        from calls.importing.services import import_runs_mark_interrupted

        try:
            import_runs_mark_interrupted(ids=self._unfinished)
            self._unfinished.clear()
        except Exception:
            if not quietly:
                raise

    def _lines(self, run: _Pass) -> Iterator[str | None]:
        """The complete lines of ``run.path`` after its position, as text; None to have what
        was handed on committed (the generator goes on only once it is). Ends when the file
        is done (a later day's file exists), after a long quiet spell, or on stop."""
        from calls.importing.files import decode_line

        with open(run.path, "rb") as stream:
            stream.seek(run.committed.offset)
            buffer, uncommitted, last_line = b"", 0, time.monotonic()
            while True:
                block = stream.read(1024 * 1024)
                if not block and not self._later_file_exists(run.path):
                    if self.stop.is_set() and self.received_all.is_set():
                        return  # imported to the end; what was handed on is committed
                    quiet = time.monotonic() - last_line
                    if uncommitted and quiet >= self.quiet_seconds:
                        yield None
                        self._committed(run)
                        uncommitted = 0
                    elif not uncommitted and quiet >= self.pass_quiet_seconds:
                        return
                    (self.received_all if self.stop.is_set() else self.stop).wait(TICK_SECONDS / 2)
                    continue
                if not block:  # read to its end, and a later file exists: it is complete
                    block = stream.read()
                    if not block:
                        if buffer:  # a last line cut by a crash is a line all the same
                            run.pending = Position(
                                run.pending.offset + len(buffer), run.pending.lines + 1
                            )
                            yield decode_line(buffer) + "\n"
                        return
                buffer += block
                start = 0
                while (end := buffer.find(b"\n", start)) >= 0:
                    raw = buffer[start:end]
                    start = end + 1
                    run.pending = Position(run.pending.offset + len(raw) + 1, run.pending.lines + 1)
                    yield decode_line(raw) + "\n"
                    uncommitted += 1
                    if self.abandon.is_set():
                        return  # cdr_feed_import commits what was handed on
                    if uncommitted >= COMMIT_LINES:
                        yield None
                        self._committed(run)
                        uncommitted = 0
                buffer = buffer[start:]
                last_line = time.monotonic()

    def _later_file_exists(self, path: Path) -> bool:
        return any(other.name > path.name for other in self.spool.files())

    def _committed(self, run: _Pass) -> None:
        if run.pending != run.committed:
            write_position(run.path, run.pending)
            run.committed = run.pending
        if self.failing:
            self.failing = False
            logger.warning("CDR feed: the database answers again; importing the spool")

    def _failed(self, run: _Pass, error: Exception) -> None:
        """After a failed run: wait, then read on from the committed position. A poison line
        cannot be the cause (it is a rejected line); the database going away, a lock or a
        deadlock can."""
        self._disconnect()
        name, at = run.path.name, run.committed
        if not self._database_answers():
            if not self.failing:
                logger.error(
                    "CDR feed: cannot import %s after line %d (%s); the feed goes on being "
                    "spooled, and is imported when the database answers (trying every %s s)",
                    name,
                    at.lines,
                    _describe(error),
                    self.retry_seconds,
                )
            self.failing = True
        else:
            logger.warning(
                "CDR feed: importing %s failed after line %d (%s); trying again",
                name,
                at.lines,
                _describe(error),
            )
        self.stop.wait(self.retry_seconds)

    @staticmethod
    def _disconnect() -> None:
        from django.db import connection

        try:
            connection.close()
        except Exception:  # noqa: BLE001 - a broken connection is closed all the same
            pass

    def _database_answers(self) -> bool:
        from django.db import connection

        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return True
        except Exception:  # noqa: BLE001 - any failure means: not now
            return False
        finally:
            self._disconnect()


def _describe(error: BaseException) -> str:
    """The error on one line (PostgreSQL's messages span several)."""
    return f"{type(error).__name__}: {' '.join(str(error).split())}"


# --- The whole feed: spool, flusher, importer, connections ------------------------------


class Feed:
    """What ``listen_cdr`` runs: ``start()``, then ``listen()`` or ``connect()`` (they return
    once ``stop`` is set), then ``shutdown()``."""

    def __init__(
        self,
        spool_folder: Path,
        *,
        threecx_layout: Callable[[], tuple[str, ...] | None] | None = None,
        feed_format=None,
        max_connections: int = 16,
        idle_seconds: float | None = 60.0,
        importer_options: dict | None = None,
    ):
        self.stop = threading.Event()
        self.spool = Spool(spool_folder)
        self.connections = Connections(max_connections)
        self.idle_seconds = idle_seconds
        self.importer = SpoolImporter(
            self.spool,
            stop=self.stop,
            threecx_layout=threecx_layout,
            feed_format=feed_format,
            **(importer_options or {}),
        )
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for target, args in ((flush_every, (self.spool, self.stop)), (self.importer.run, ())):
            thread = threading.Thread(target=target, args=args, daemon=True)
            thread.start()
            self._threads.append(thread)

    def listen(self, server: socket.socket, allowed: set[str]) -> None:
        serve(
            server,
            self.spool,
            allowed=allowed,
            stop=self.stop,
            connections=self.connections,
            idle_seconds=self.idle_seconds,
        )

    def connect(self, address: tuple[str, int], reconnect_seconds=RECONNECT_SECONDS) -> None:
        connect_forever(
            address,
            self.spool,
            stop=self.stop,
            connections=self.connections,
            reconnect_seconds=reconnect_seconds,
        )

    def shutdown(self, timeout: float = 5.0) -> bool:
        """Stop: close the connections (what they and the held ones have sent is spooled),
        fsync the spool, let the importer import the spool to its end. Past ``timeout`` the
        importer commits the line in hand and returns: the rest is imported at the next start.
        True when every thread ended in time."""
        self.stop.set()
        deadline = time.monotonic() + timeout
        self.connections.wait_closed(timeout / 4)
        for connection, peer in self.connections.take_held():
            with connection:
                lines = receive(connection, self.spool, stop=self.stop)
            logger.info("CDR feed: %s closed on stop after %d lines", peer, lines)
        self.spool.sync()
        self.importer.received_all.set()
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        finished = not any(thread.is_alive() for thread in self._threads)
        if not finished:
            self.importer.abandon.set()
            for thread in self._threads:
                thread.join(ABANDON_SECONDS)
        self.spool.close()
        return finished
