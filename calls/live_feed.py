"""The live CDR feed: 3CX sends one line per call over TCP as each call ends.

3CX's "CDR output: socket" has two modes, and ``listen_cdr`` speaks both:

- **active socket**: the PBX connects to us (``listen_cdr --listen 0.0.0.0:5000 --allow
  <PBX address>``); several connections may come and go;
- **passive socket**: the PBX listens and we connect (``listen_cdr --connect pbx:5000``),
  reconnecting after a pause when the connection drops.

Nothing is lost on the way: every line received is first appended to a spool file
(``CDR_SPOOL_DIR/feed-YYYY-MM-DD.log``, flushed to disk) and only then imported. If the
database is down the lines are still on disk, and ``import_cdr`` of the spool folder imports
them later: imports are idempotent, so lines already stored count as duplicates.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

logger = logging.getLogger(__name__)

# A quiet feed commits what it received after this many seconds.
IDLE_SECONDS = 1.0
# A "line" longer than this is cut: a peer that never sends a newline cannot fill memory.
MAX_LINE_BYTES = 64 * 1024
RECONNECT_SECONDS = 10.0


class Spool:
    """Appends received lines to one file per day (UTC) in ``folder``, on disk before import."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # several connections may write at once

    def path_for(self, when: datetime) -> Path:
        return self.folder / f"feed-{when:%Y-%m-%d}.log"

    def write(self, line: str) -> None:
        with self._lock, open(self.path_for(datetime.now(UTC)), "a", encoding="utf-8") as out:
            out.write(line if line.endswith("\n") else line + "\n")
            out.flush()
            os.fsync(out.fileno())


def received_lines(
    connection: socket.socket,
    spool: Spool,
    *,
    idle_seconds: float = IDLE_SECONDS,
    stop: threading.Event | None = None,
) -> Iterator[str | None]:
    """Each line received on ``connection`` (spooled first), and None whenever nothing has
    arrived for ``idle_seconds``; ends when the peer closes the connection, or once ``stop``
    is set (SIGTERM: within ``idle_seconds``, with what was received)."""
    connection.settimeout(idle_seconds)
    pending = b""
    while stop is None or not stop.is_set():
        try:
            data = connection.recv(65536)
        except TimeoutError:
            yield None
            continue
        except OSError as error:  # reset by the peer: what was received is kept
            logger.warning("CDR feed: connection lost (%s)", error)
            break
        if not data:
            break
        pending += data
        *complete, pending = pending.split(b"\n")
        if len(pending) > MAX_LINE_BYTES:
            complete.append(pending)
            pending = b""
        for raw in complete:
            yield _spooled(raw, spool)
    if pending.strip():
        yield _spooled(pending, spool)


def _spooled(raw: bytes, spool: Spool) -> str:
    line = raw.rstrip(b"\r").decode("utf-8", errors="replace") + "\n"
    spool.write(line)
    return line


def import_connection(
    connection: socket.socket,
    peer: str,
    *,
    spool: Spool,
    threecx_layout: tuple[str, ...] | None = None,
    idle_seconds: float = IDLE_SECONDS,
    stop: threading.Event | None = None,
):
    """Import one connection's calls as they arrive; returns the ImportSummary, or None when
    the import failed (the database is down, say): then the rest of the feed is still read
    and spooled until the peer hangs up, for ``import_cdr`` of the spool folder later. Once
    ``stop`` is set, what was received is imported and the connection is left."""
    from calls.services import cdr_feed_import

    lines = received_lines(connection, spool, idle_seconds=idle_seconds, stop=stop)
    try:
        return cdr_feed_import(lines=lines, source=f"feed {peer}", threecx_layout=threecx_layout)
    except Exception:
        logger.exception(
            "CDR feed from %s: import failed; lines go on being kept in %s for import_cdr",
            peer,
            spool.folder,
        )
        for _line in lines:  # drain: every line still reaches the spool
            pass
        return None


def parse_address(text: str, default_host: str = "") -> tuple[str, int]:
    """'0.0.0.0:5000', 'pbx.studio.local:5000' or '5000' to (host, port)."""
    host, _, port = text.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{text!r} is not host:port")
    return host.strip("[]") or default_host, int(port)


def serve(
    server: socket.socket,
    handle: Callable[[socket.socket, str], None],
    *,
    allowed: set[str],
    stop: threading.Event,
) -> None:
    """Accept connections on ``server`` until ``stop`` is set; each allowed peer is handled on
    its own thread by ``handle(connection, peer)``. Peers not in ``allowed`` are closed at
    once: call logs are confidential."""
    server.settimeout(0.5)
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
        logger.info("CDR feed: %s connected", peer)
        threading.Thread(target=_handle_and_close, args=(handle, connection, peer)).start()


def _handle_and_close(handle, connection: socket.socket, peer: str) -> None:
    with connection:
        handle(connection, peer)
    logger.info("CDR feed: %s disconnected", peer)


def connect_forever(
    address: tuple[str, int],
    handle: Callable[[socket.socket, str], None],
    *,
    stop: threading.Event,
    reconnect_seconds: float = RECONNECT_SECONDS,
) -> None:
    """Passive-socket mode: connect to the PBX, read until it closes, connect again."""
    peer = f"{address[0]}:{address[1]}"
    while not stop.is_set():
        try:
            connection = socket.create_connection(address, timeout=10)
        except OSError as error:
            logger.warning("CDR feed: cannot connect to %s (%s)", peer, error)
        else:
            logger.info("CDR feed: connected to %s", peer)
            _handle_and_close(handle, connection, peer)
        stop.wait(reconnect_seconds)


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass (for callers and tests)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
