"""The live feed's connections: the sockets 3CX sends its lines over (the PBX connecting to
us, or we to it), which only append each line's bytes to the spool and never touch the
database. Free of Django; see calls.importing.live_feed."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections import deque

from calls.importing.feed_spool import MAX_LINE_BYTES, TICK_SECONDS, Spool

logger = logging.getLogger("calls.importing.live_feed")

RECONNECT_SECONDS = 10.0
CONNECT_SECONDS = 5.0  # --connect: a PBX on the LAN answers at once; a stop waits this long
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


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
    free (``Connections``). On stop, the connections already waiting in the kernel's backlog
    are accepted too (a PBX that connected and sent its lines just before has them spooled),
    then no more."""
    server.settimeout(TICK_SECONDS)
    while True:
        stopping = stop.is_set()
        if stopping:
            server.setblocking(False)
        try:
            connection, (host, port, *_rest) = server.accept()
        except (TimeoutError, BlockingIOError):
            if stopping:
                return
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
