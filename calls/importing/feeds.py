"""Live SMDR feeds of other PBXs, through the 3CX feed's spool and importer (live_feed.py).

- **Avaya IP Office** pushes SMDR: it connects to us and sends one CSV line per call segment
  (``listen_cdr --format avaya_smdr --listen 0.0.0.0:1150 --allow <PBX>``). That is the 3CX
  active socket over again: ``live_feed.Feed.listen`` serves it, unchanged.
- **Panasonic KX-TDA/TDE/NS** serves SMDR: we connect to its TCP port 2300, answer the
  telnet-style log-in (user ``SMDR``, password ``PCCSMDR`` unless changed in the PBX), and
  read the printout, page headers and all (``listen_cdr --format panasonic_smdr --connect
  pbx:2300``). ``connect_smdr_forever`` does that and, when the connection drops or the PBX
  restarts, connects again after a pause that doubles each time up to a cap, and starts
  again from the shortest once a session has delivered a line.

Each feed's spool is a folder of its own (``CDR_SPOOL_DIR/<format>``), and its importer is
told the format (``feed_format``): a feed is never guessed from one line. The page headers,
log-in lines and other lines that are no call are spooled like the calls (the spool is what
the PBX said) and counted as skipped by the parser. Free of Django.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from dataclasses import dataclass

from calls.cdr import DetectedFormat, panasonic_smdr

from .live_feed import MAX_LINE_BYTES, TICK_SECONDS, Connections, Spool

logger = logging.getLogger(__name__)

# Formats a live feed can carry (3CX is live_feed's own, detected from its lines).
LIVE_FORMATS = ("threecx", "avaya_smdr", "panasonic_smdr")
SMDR_PORTS = {"avaya_smdr": 1150, "panasonic_smdr": 2300}

RECONNECT_FIRST_SECONDS = 2.0
RECONNECT_MAX_SECONDS = 120.0
CONNECT_SECONDS = 5.0
# A log-in that asks nothing for this long is taken as done (a serial-to-LAN box that just
# sends the printout); one that keeps prompting is refused after this many prompts.
LOGIN_SECONDS = 10.0
LOGIN_PROMPTS = 4
# A dead peer (a PBX switched off, a cable pulled) is noticed by TCP keep-alive after
# about IDLE + INTERVAL x COUNT seconds.
KEEPALIVE_IDLE, KEEPALIVE_INTERVAL, KEEPALIVE_COUNT = 60, 10, 3


def feed_format(name: str, *, month_first: bool = False) -> DetectedFormat | None:
    """The format a feed's importer applies; None for 3CX (its layout is detected)."""
    if name == "avaya_smdr":
        return DetectedFormat("avaya_smdr", (), "Avaya IP Office SMDR (live feed)")
    if name == "panasonic_smdr":
        order = "mm/dd/yy" if month_first else "dd/mm/yy"
        description = f"{panasonic_smdr.describe(month_first)} (live feed)"
        return DetectedFormat("panasonic_smdr", (order,), description)
    if name == "threecx":
        return None
    raise ValueError(f"{name!r} is not a live feed format ({', '.join(LIVE_FORMATS)})")


# --- Telnet: the little of it a PBX's SMDR port speaks ---------------------------------

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240


class Telnet:
    """Strips telnet commands from received bytes and refuses every option the peer asks
    for or offers (we want a plain byte stream): ``feed(data)`` returns (text bytes, reply
    bytes to send). Holds a command cut between two receives until its end arrives."""

    def __init__(self) -> None:
        self._held = b""

    def feed(self, data: bytes) -> tuple[bytes, bytes]:
        data = self._held + data
        self._held = b""
        if IAC not in data:
            return data, b""
        text, reply = bytearray(), bytearray()
        index, size = 0, len(data)
        while index < size:
            byte = data[index]
            if byte != IAC:
                text.append(byte)
                index += 1
                continue
            if index + 1 >= size:
                self._held = data[index:]
                break
            command = data[index + 1]
            if command == IAC:  # an escaped 255 byte
                text.append(IAC)
                index += 2
            elif command in (DO, DONT, WILL, WONT):
                if index + 2 >= size:
                    self._held = data[index:]
                    break
                option = data[index + 2]
                if command == DO:
                    reply += bytes((IAC, WONT, option))
                elif command == WILL:
                    reply += bytes((IAC, DONT, option))
                index += 3
            elif command == SB:  # a subnegotiation: skipped to IAC SE
                end = data.find(bytes((IAC, SE)), index + 2)
                if end < 0:
                    self._held = data[index:]
                    break
                index = end + 2
            else:  # NOP, GA, AYT...: nothing to answer
                index += 2
        return bytes(text), bytes(reply)


# --- The log-in and the printout -------------------------------------------------------

_LINE_END = re.compile(rb"\r\n|\r|\n")
_PASSWORD_PROMPT = re.compile(rb"pass\s*word|passwd", re.IGNORECASE)
_REFUSED = re.compile(rb"incorrect|invalid|denied|fail|wrong|refused", re.IGNORECASE)


@dataclass
class Login:
    user: str
    password: str


class LoginRefused(Exception):
    """The PBX asked for the log-in again after the password, or never stopped asking."""


class SmdrSession:
    """One connection's bytes → log-in answers, then lines into the spool.

    Until logged in, a prompt (text after the last line end, ending in ':' or '>') naming a
    password gets the password, any other gets the user; complete lines are the PBX's banner
    and are not spooled — unless one is already a call or a page header (a PBX that asks
    no log-in), which ends the log-in. After the password every line is spooled (CR, LF or
    CR LF end a line; NUL padding after CR is dropped)."""

    def __init__(self, spool: Spool, login: Login):
        self.spool, self.login = spool, login
        self.telnet = Telnet()
        self.logged_in = False
        self.password_sent = False
        self.prompts = 0
        self.pending = b""
        self.lines = 0

    def take(self, data: bytes) -> bytes:
        """Handle received bytes; return what to send back (telnet replies, log-in)."""
        text, reply = self.telnet.feed(data)
        buffer = self.pending + text.replace(b"\x00", b"")
        held = buffer.endswith(b"\r")  # a CR LF may be cut between two receives
        *complete, rest = _LINE_END.split(buffer[:-1] if held else buffer)
        self.pending = rest + b"\r" if held else rest
        for raw in complete:
            self._line(raw)
        while len(self.pending) > MAX_LINE_BYTES:  # a peer that never ends a line
            self._line(self.pending[:MAX_LINE_BYTES])
            self.pending = self.pending[MAX_LINE_BYTES:]
        if not self.logged_in:
            reply += self._answer_prompt()
        return reply

    def finish(self) -> int:
        """The connection ended: a last line without its end is spooled as it is."""
        if self.logged_in and self.pending.strip():
            self._spool(self.pending)
        self.pending = b""
        return self.lines

    def _line(self, raw: bytes) -> None:
        if self.logged_in:
            if raw.strip():
                self._spool(raw)
            return
        text = raw.decode("latin-1")
        if panasonic_smdr.looks_like_panasonic_line(text) or panasonic_smdr.is_page_header(text):
            self.logged_in = True  # no log-in asked: the printout has begun
            self._spool(raw)
        elif self.password_sent and raw.strip():
            if _REFUSED.search(raw):
                raise LoginRefused(
                    f"{raw.strip()[:60]!r}: check PBX_SMDR_USER and PBX_SMDR_PASSWORD"
                )
            # after the password, a line that is no prompt: the PBX's welcome, or the start
            # of the printout
            self.logged_in = True
            self._spool(raw)

    def _answer_prompt(self) -> bytes:
        prompt = self.pending.rstrip()
        if not prompt.endswith((b":", b">")):
            return b""
        self.pending = b""
        self.prompts += 1
        if self.prompts > LOGIN_PROMPTS:
            raise LoginRefused(f"the PBX kept asking for the log-in ({prompt[-40:]!r})")
        if _PASSWORD_PROMPT.search(prompt):
            self.password_sent = True
            return self.login.password.encode() + b"\r\n"
        if self.password_sent:
            raise LoginRefused(
                f"the PBX asked for the log-in again after the password ({prompt[-40:]!r}): "
                "check PBX_SMDR_USER and PBX_SMDR_PASSWORD"
            )
        return self.login.user.encode() + b"\r\n"  # 'Login:', 'User name:', '>'...

    def _spool(self, raw: bytes) -> None:
        self.spool.append(raw)
        self.lines += 1


def _keepalive(connection: socket.socket) -> None:
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for name, value in (
        ("TCP_KEEPIDLE", KEEPALIVE_IDLE),
        ("TCP_KEEPINTVL", KEEPALIVE_INTERVAL),
        ("TCP_KEEPCNT", KEEPALIVE_COUNT),
    ):
        if hasattr(socket, name):
            connection.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)


def read_smdr(
    connection: socket.socket,
    spool: Spool,
    login: Login,
    *,
    stop: threading.Event,
    login_seconds: float = LOGIN_SECONDS,
) -> int:
    """Log in on ``connection`` and spool the printout until the PBX closes it or ``stop``.
    Returns the number of lines spooled; raises LoginRefused."""
    session = SmdrSession(spool, login)
    connection.settimeout(TICK_SECONDS)
    connected_at = time.monotonic()
    while not stop.is_set():
        try:
            data = connection.recv(65536)
        except TimeoutError:
            if not session.logged_in and time.monotonic() - connected_at >= login_seconds:
                session.logged_in = True  # nothing asked: take what comes as the printout
            continue
        except OSError as error:
            logger.warning("SMDR feed: connection lost (%s)", error)
            break
        if not data:
            break
        reply = session.take(data)
        if reply:
            connection.sendall(reply)
    return session.finish()


def connect_smdr_forever(
    address: tuple[str, int],
    spool: Spool,
    login: Login,
    *,
    stop: threading.Event,
    connections: Connections,
    first_pause: float = RECONNECT_FIRST_SECONDS,
    max_pause: float = RECONNECT_MAX_SECONDS,
    login_seconds: float = LOGIN_SECONDS,
) -> None:
    """Connect to the PBX's SMDR port, log in, read; after a drop, a refused connection or
    a refused log-in, wait and connect again, each pause twice the last (up to
    ``max_pause``), back to ``first_pause`` after a session that delivered a line. The PBX is
    never dropped for being quiet; TCP keep-alive notices one that is gone."""
    peer = f"{address[0]}:{address[1]}"
    pause = first_pause
    while not stop.is_set():
        lines = 0
        try:
            connection = socket.create_connection(address, timeout=CONNECT_SECONDS)
        except OSError as error:
            logger.warning("SMDR feed: cannot connect to %s (%s)", peer, error)
        else:
            logger.info("SMDR feed: connected to %s", peer)
            connections.add(connection)
            try:
                with connection:
                    _keepalive(connection)
                    lines = read_smdr(
                        connection, spool, login, stop=stop, login_seconds=login_seconds
                    )
            except LoginRefused as error:
                logger.error("SMDR feed: %s refused the log-in: %s", peer, error)
            except OSError as error:
                logger.warning("SMDR feed: connection to %s lost (%s)", peer, error)
            finally:
                connections.remove(connection)
            logger.info("SMDR feed: %s disconnected after %d lines", peer, lines)
        if lines:
            pause = first_pause
        if stop.wait(pause):
            break
        logger.info("SMDR feed: connecting to %s again (next pause %.0f s)", peer, pause)
        pause = min(pause * 2, max_pause)
