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

Everything above the "importer" section is free of Django.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

logger = logging.getLogger(__name__)

# A quiet feed commits what it received after this many seconds.
QUIET_SECONDS = 1.0
# ... and the importer ends its run and closes its database connection after this many.
PASS_QUIET_SECONDS = 60.0
# The spool is fsynced at least this often while lines arrive, and after this many lines.
FSYNC_SECONDS = 0.2
FSYNC_LINES = 64
# After a failed import, the importer tries again after this many seconds.
RETRY_SECONDS = 5.0
# A catching-up importer commits (and saves its position) at least every this many lines.
COMMIT_LINES = 10_000
# A "line" longer than this is cut: a peer that never sends a newline cannot fill memory.
MAX_LINE_BYTES = 64 * 1024
RECONNECT_SECONDS = 10.0
CONNECT_SECONDS = 5.0  # --connect: a PBX on the LAN answers at once; a stop waits this long
# On stop, after the shutdown's time: how long the importer has to commit the line in hand.
ABANDON_SECONDS = 2.0
# How often blocked threads look at the stop flag.
TICK_SECONDS = 0.2
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


# --- The spool: raw lines on disk, one file per UTC day -----------------------------------


class Position(NamedTuple):
    """How far a spool file has been imported: bytes and lines, both committed."""

    offset: int = 0
    lines: int = 0


class Spool:
    """Appends received lines, as bytes, to one file per day (UTC) in ``folder``.

    Each line is one ``write()`` of its bytes and b"\\n" under a lock, so lines of several
    connections never mix; ``sync()`` fsyncs what was written (the flusher calls it).
    """

    PATTERN = "feed-*.log"

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # several connections write at once
        self._fd: int | None = None
        self._path: Path | None = None
        self._dirty = 0  # lines written since the last fsync
        self.lines_received = 0

    def path_for(self, when: datetime) -> Path:
        return self.folder / f"feed-{when:%Y-%m-%d}.log"

    def files(self) -> list[Path]:
        return sorted(self.folder.glob(self.PATTERN))

    def append(self, raw: bytes) -> None:
        data = memoryview(raw + b"\n")
        with self._lock:
            fd = self._file_for(self.path_for(datetime.now(UTC)))
            while data:
                data = data[os.write(fd, data) :]
            self._dirty += 1
            self.lines_received += 1
            if self._dirty >= FSYNC_LINES:
                os.fsync(fd)
                self._dirty = 0

    def sync(self) -> None:
        """fsync what was appended since the last call."""
        with self._lock:
            if self._fd is not None and self._dirty:
                os.fsync(self._fd)
                self._dirty = 0

    def close(self) -> None:
        with self._lock:
            self._close()

    def _file_for(self, path: Path) -> int:
        if path == self._path:
            return self._fd
        self._close()
        created = not path.exists()
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        if created:
            _fsync_folder(self.folder)  # the new file's name survives a power loss too
        elif os.fstat(fd).st_size and _last_byte(path) != b"\n":
            os.write(fd, b"\n")  # a line cut by a crash stays on its own
        self._fd, self._path = fd, path
        return fd

    def _close(self) -> None:
        if self._fd is not None:
            if self._dirty:
                os.fsync(self._fd)
            os.close(self._fd)
        self._fd, self._path, self._dirty = None, None, 0


def _last_byte(path: Path) -> bytes:
    with open(path, "rb") as stream:
        stream.seek(-1, os.SEEK_END)
        return stream.read(1)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def position_path(spool_file: Path) -> Path:
    """Hidden, so that ``import_cdr <spool folder>`` skips it."""
    return spool_file.with_name(f".{spool_file.name}.pos")


def read_position(spool_file: Path) -> Position:
    try:
        offset, lines = position_path(spool_file).read_text().split()
        return Position(int(offset), int(lines))
    except FileNotFoundError:
        return Position()


def write_position(spool_file: Path, position: Position) -> None:
    """Atomically: a crash leaves the old position or the new one, never half of one."""
    target = position_path(spool_file)
    temporary = target.with_name(target.name + ".tmp")
    with open(temporary, "w") as out:
        out.write(f"{position.offset} {position.lines}\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, target)


def flush_every(spool: Spool, stop: threading.Event, seconds: float = FSYNC_SECONDS) -> None:
    """The flusher: fsync the spool every ``seconds`` until ``stop``, and once more after."""
    while not stop.wait(seconds):
        spool.sync()
    spool.sync()


# --- Connections: read lines, spool them, nothing else -----------------------------------


def receive(
    connection: socket.socket,
    spool: Spool,
    *,
    stop: threading.Event,
    idle_seconds: float | None = None,
) -> int:
    """Spool every line received on ``connection`` until the peer closes it, ``stop`` is set,
    or (when ``idle_seconds`` is given) nothing has arrived for that long. Returns the number
    of lines spooled. On stop, what the kernel already holds for us is read and spooled too;
    a last line without its newline is spooled as it is."""
    connection.settimeout(min(TICK_SECONDS, idle_seconds or TICK_SECONDS))
    lines = _Lines(spool)
    last_data = time.monotonic()
    while not stop.is_set():
        try:
            data = connection.recv(65536)
        except TimeoutError:
            if idle_seconds is not None and time.monotonic() - last_data >= idle_seconds:
                logger.info("CDR feed: closing a connection idle for %s s", idle_seconds)
                break
            continue
        except OSError as error:  # reset by the peer: what was received is kept
            logger.warning("CDR feed: connection lost (%s)", error)
            break
        if not data:
            break
        last_data = time.monotonic()
        lines.take(data)
    else:  # stopping: take what has arrived, without waiting for more
        connection.setblocking(False)
        try:
            while data := connection.recv(65536):
                lines.take(data)
        except OSError:  # nothing more to read now (BlockingIOError), or reset
            pass
    return lines.finish()


class _Lines:
    """Cuts received bytes into lines and spools each complete one."""

    def __init__(self, spool: Spool):
        self.spool, self.pending, self.count = spool, b"", 0

    def take(self, data: bytes) -> None:
        *complete, self.pending = (self.pending + data).split(b"\n")
        while len(self.pending) > MAX_LINE_BYTES:
            complete.append(self.pending[:MAX_LINE_BYTES])
            self.pending = self.pending[MAX_LINE_BYTES:]
        for raw in complete:
            self.spool.append(raw)
        self.count += len(complete)

    def finish(self) -> int:
        if self.pending.strip():
            self.spool.append(self.pending)
            self.count += 1
        self.pending = b""
        return self.count


def parse_address(text: str, default_host: str = "") -> tuple[str, int]:
    """'0.0.0.0:5000', 'pbx.studio.local:5000' or '5000' to (host, port)."""
    host, _, port = text.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{text!r} is not host:port")
    return host.strip("[]") or default_host, int(port)


def allowed_peers(allow: list[str], listen_host: str) -> set[str]:
    """The addresses that may connect: those in ``--allow``; with no ``--allow``, loopback,
    and only when listening on loopback. Loopback is never added to a given list: on the
    PBX's own host, a local process would otherwise read the firm's calls in."""
    if allow:
        return set(allow)
    return set(LOOPBACK) if listen_host in LOOPBACK else set()


class Connections:
    """The open connections: at most ``limit`` read at once, each on its own thread; up to
    ``HELD_PER_SLOT`` times as many more accepted and held unread (the kernel keeps what they
    send, and the peer waits) until a reader is free; beyond that, refused."""

    HELD_PER_SLOT = 4

    def __init__(self, limit: int):
        self.limit = limit
        self._open: set[socket.socket] = set()
        self._held: deque[tuple[socket.socket, str]] = deque()
        self._threads: set[threading.Thread] = set()
        self._lock = threading.Lock()
        self.accepted = 0
        self.held = 0  # connections that waited for a reader
        self.refused = 0

    def add(self, connection: socket.socket, peer: str = "") -> str:
        """'read' (start a reader), 'held' (a reader takes it later) or 'refused'."""
        with self._lock:
            if len(self._open) < self.limit:
                self._open.add(connection)
                self.accepted += 1
                return "read"
            if len(self._held) < self.limit * self.HELD_PER_SLOT:
                self._held.append((connection, peer))
                self.accepted += 1
                self.held += 1
                return "held"
            self.refused += 1
            return "refused"

    def remove(self, connection: socket.socket) -> tuple[socket.socket, str] | None:
        """A reader is done with ``connection``: the next held connection it should read."""
        with self._lock:
            self._open.discard(connection)
            if self._held and len(self._open) < self.limit:
                following = self._held.popleft()
                self._open.add(following[0])
                return following
            return None

    def take_held(self) -> list[tuple[socket.socket, str]]:
        """On stop: the connections still waiting, for their last bytes to be spooled."""
        with self._lock:
            held, self._held = list(self._held), deque()
            return held

    def __len__(self) -> int:
        with self._lock:
            return len(self._open)

    def start(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        with self._lock:
            self._threads = {t for t in self._threads if t.is_alive()}
            self._threads.add(thread)
        thread.start()

    def wait_closed(self, timeout: float) -> None:
        """Wait for the readers, which see ``stop`` within a tick and spool what they hold."""
        with self._lock:
            threads = list(self._threads)
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))


def serve(
    server: socket.socket,
    spool: Spool,
    *,
    allowed: set[str],
    stop: threading.Event,
    connections: Connections,
    idle_seconds: float | None,
) -> None:
    """Accept connections on ``server`` until ``stop`` is set; each allowed peer is read on its
    own thread into the spool. Peers not in ``allowed`` are closed at once (call logs are
    confidential); beyond ``connections.limit`` a connection is held unread until a reader is
    free (``Connections``)."""
    server.settimeout(TICK_SECONDS)
    while not stop.is_set():
        try:
            connection, (host, port, *_rest) = server.accept()
        except TimeoutError:
            continue
        peer = f"{host}:{port}"
        if host not in allowed:
            logger.warning("CDR feed: refused a connection from %s (not in --allow)", peer)
            connection.close()
            continue
        outcome = connections.add(connection, peer)
        if outcome == "refused":
            logger.warning(
                "CDR feed: refused a connection from %s (%d read and as many held as allowed)",
                peer,
                connections.limit,
            )
            connection.close()
            continue
        if outcome == "held":
            logger.warning(
                "CDR feed: %s waits for a reader (%d connections open, the limit)",
                peer,
                connections.limit,
            )
            continue
        logger.info("CDR feed: %s connected", peer)
        connections.start(_read, connection, peer, spool, stop, connections, idle_seconds)


def _read(connection, peer, spool, stop, connections, idle_seconds) -> None:
    """Read ``connection`` to its end, then each held connection handed on, in turn."""
    while connection is not None:
        try:
            with connection:
                lines = receive(connection, spool, stop=stop, idle_seconds=idle_seconds)
        finally:
            following = connections.remove(connection)
        logger.info("CDR feed: %s disconnected after %d lines", peer, lines)
        connection, peer = following or (None, "")


def connect_forever(
    address: tuple[str, int],
    spool: Spool,
    *,
    stop: threading.Event,
    connections: Connections,
    reconnect_seconds: float = RECONNECT_SECONDS,
) -> None:
    """Passive-socket mode: connect to the PBX, read until it closes, connect again. The PBX
    is never dropped for being quiet: a firm may make no call for hours."""
    peer = f"{address[0]}:{address[1]}"
    while not stop.is_set():
        try:
            connection = socket.create_connection(address, timeout=CONNECT_SECONDS)
        except OSError as error:
            logger.warning("CDR feed: cannot connect to %s (%s)", peer, error)
        else:
            logger.info("CDR feed: connected to %s", peer)
            connections.add(connection, peer)
            _read(connection, peer, spool, stop, connections, None)
        stop.wait(reconnect_seconds)


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass (for callers and tests)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


# --- The importer: spool files → cdr_feed_import, one thread -----------------------------


@dataclass
class _Pass:
    """One import run over one spool file: what is committed, and what was handed on."""

    path: Path
    committed: Position
    pending: Position


@dataclass
class ImporterTotals:
    passes: int = 0
    failed_passes: int = 0
    lines_read: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0


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
        quiet_seconds: float = QUIET_SECONDS,
        pass_quiet_seconds: float = PASS_QUIET_SECONDS,
        retry_seconds: float = RETRY_SECONDS,
    ):
        self.spool, self.stop, self.threecx_layout = spool, stop, threecx_layout
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
                first_line_number=run.committed.lines + 1,
                summary=summary,
            )
            self._committed(run)
        except Exception as error:
            self.totals.failed_passes += 1
            self._count(summary)
            if summary.run is not None:
                self._unfinished.add(summary.run.pk)
            self._failed(run, error)
            return False
        finally:
            self._disconnect()  # no idle connection kept between passes
        self.totals.passes += 1
        self._count(summary)
        return True

    def _count(self, summary) -> None:
        for name in ("lines_read", "imported", "duplicates", "rejected"):
            setattr(self.totals, name, getattr(self.totals, name) + getattr(summary, name))

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
        max_connections: int = 16,
        idle_seconds: float | None = 60.0,
        importer_options: dict | None = None,
    ):
        self.stop = threading.Event()
        self.spool = Spool(spool_folder)
        self.connections = Connections(max_connections)
        self.idle_seconds = idle_seconds
        self.importer = SpoolImporter(
            self.spool, stop=self.stop, threecx_layout=threecx_layout, **(importer_options or {})
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
