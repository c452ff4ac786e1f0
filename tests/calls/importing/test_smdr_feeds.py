"""The other PBXs' live feeds (calls/importing/feeds.py, listen_cdr --format): Avaya IP Office
pushes SMDR to our listening port; a Panasonic PBX serves SMDR on its port 2300, asks for the
log-in, prints pages, and drops or restarts. Real TCP peers on 127.0.0.1, the same spool and
importer as the 3CX feed, a database outage while feeding."""

import os
import re
import signal
import socket
import threading
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection as database

from calls.importing import feeds, live_feed
from calls.models import Call, ImportRun
from tests.calls.importing.helpers import wait_for
from tests.calls.importing.test_live_feed import (
    FAST,
    WAIT,
    _calls,
    database_down,
    real_commits,
)
from tests.factories import make_client, make_trunk

HEADER = b"Date     Time    Ext   CO  Dial Number          Ring Duration  Acc code   CD"
RULE = b"-" * 76


def panasonic(minute: int, number: str = "3454565678", code: str = "123") -> bytes:
    """One Panasonic SMDR line (dd/mm/yy), an outgoing call that ended at 10:<minute>."""
    return f"04/12/24 10:{minute:02d}AM 201   01  {number:<20} 00:05'00  {code}".encode()


def avaya(call_id: int, talk: str = "00:05:00", code: str = "123") -> bytes:
    """One Avaya IP Office SMDR record (30 fields), outgoing on trunk line T9001."""
    fields = [
        "2024/12/02 10:00:00",
        talk,
        "5",
        "201",
        "O",
        "93454565678",
        "93454565678",
        code,
        "0",
        str(call_id),
        "0",
        "E201",
        "Mario Rossi",
        "T9001",
        "Line 1.1",
        "0",
        "0",
    ] + [""] * 13
    return ",".join(fields).encode()


class PanasonicPbx:
    """A small Panasonic-style SMDR server: telnet options, 'Login:', 'Password:', then
    the pages of the printout (a header and its records) with CR LF. ``sessions[n]`` is
    what the n-th connection prints (None: it hangs up after the log-in); a session whose
    ``drop`` is set ends by closing the connection (a drop, a PBX restart), the others stay
    open until ``close()``."""

    def __init__(self, sessions, *, drop=(), user="SMDR", password="PCCSMDR"):
        self.sessions, self.drop = list(sessions), set(drop)
        self.user, self.password = user, password
        self.server = socket.create_server(("127.0.0.1", 0))
        self.address = self.server.getsockname()
        self.logins: list[tuple[str, str]] = []
        self.accepted_at: list[float] = []
        self.replies = b""
        self.current: socket.socket | None = None  # the logged-in connection, to push to
        self.done = threading.Event()
        self._open: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def push(self, lines):
        """Print more lines on the open session (calls that end later)."""
        self.current.sendall(b"".join(line + b"\r\n" for line in lines))

    def close(self):
        self.done.set()
        self.server.close()
        for client in self._open:
            client.close()
        self._thread.join(5)

    def _serve(self):
        self.server.settimeout(0.1)
        count = 0
        while not self.done.is_set():
            try:
                connection, _peer = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted_at.append(time.monotonic())
            self._open.append(connection)
            threading.Thread(target=self._session, args=(connection, count), daemon=True).start()
            count += 1

    def _read_line(self, connection) -> str:
        data = b""
        while b"\r\n" not in data:
            block = connection.recv(100)
            if not block:
                raise ConnectionError("closed")
            data += block
        self.replies += data
        return re.sub(rb"\xff[\xfb-\xfe].", b"", data).split(b"\r\n")[0].decode()

    def _session(self, connection, number):
        try:
            # IAC WILL ECHO, IAC WILL SUPPRESS-GO-AHEAD, IAC DO TERMINAL-TYPE, then the banner
            connection.sendall(b"\xff\xfb\x01\xff\xfb\x03\xff\xfd\x18\r\n-=- KX-NS1000 -=-\r\n")
            connection.sendall(b"Login:")
            user = self._read_line(connection)
            connection.sendall(b"Password:")
            password = self._read_line(connection)
            self.logins.append((user, password))
            if (user, password) != (self.user, self.password):
                connection.sendall(b"\r\nLogin incorrect\r\nLogin:")
                self.done.wait(0.5)
                connection.close()
                return
            connection.sendall(b"\r\n")
            lines = self.sessions[number] if number < len(self.sessions) else None
            if lines is None:  # restarting: hangs up at once
                connection.close()
                return
            page = b"".join(line + b"\r\n" for line in [HEADER, RULE, *lines])
            for start in range(0, len(page), 7):  # in small pieces, cut anywhere
                connection.sendall(page[start : start + 7])
            self.current = connection
            if number in self.drop or number >= len(self.sessions):
                connection.close()
        except OSError:
            connection.close()


# --- The telnet log-in, no database ------------------------------------------------------


def test_telnet_commands_are_stripped_and_every_option_refused():
    telnet = feeds.Telnet()
    text, reply = telnet.feed(b"\xff\xfb\x01ab\xff\xfd\x18c\xff\xffd\xff")
    assert text == b"abc\xffd"
    assert reply == b"\xff\xfe\x01\xff\xfc\x18"  # DONT echo, WONT terminal type
    # a command cut between two receives is held until its end arrives
    text, reply = telnet.feed(b"\xfd\x1fe\xff\xfa\x18\x01\xff\xf0f")
    assert (text, reply) == (b"ef", b"\xff\xfc\x1f")


def test_the_session_answers_the_prompts_then_spools_every_line(tmp_path):
    spool = live_feed.Spool(tmp_path)
    session = feeds.SmdrSession(spool, feeds.Login("SMDR", "secret"))
    assert session.take(b"\r\n-=- KX-TDE -=-\r\nLog") == b""
    assert session.take(b"in:") == b"SMDR\r\n"
    assert session.take(b"Password: ") == b"secret\r\n"
    assert session.take(HEADER + b"\r\n" + panasonic(7) + b"\r") == b""
    assert session.take(b"\n" + panasonic(8) + b"\r\x00") == b""  # CR NUL, as telnet may
    assert session.finish() == 3
    spool.close()
    assert _spooled(tmp_path) == [HEADER, panasonic(7), panasonic(8)]


def test_a_login_asked_again_after_the_password_is_refused(tmp_path):
    session = feeds.SmdrSession(live_feed.Spool(tmp_path), feeds.Login("SMDR", "wrong"))
    session.take(b"Login:")
    session.take(b"Password:")
    with pytest.raises(feeds.LoginRefused, match="PBX_SMDR_PASSWORD"):
        session.take(b"\r\nLogin incorrect\r\nLogin:")


def test_a_pbx_that_asks_no_login_is_read_from_its_first_line(tmp_path):
    spool = live_feed.Spool(tmp_path)
    session = feeds.SmdrSession(spool, feeds.Login("SMDR", "PCCSMDR"))
    assert session.take(HEADER + b"\r\n" + panasonic(7) + b"\r\n") == b""
    assert session.finish() == 2
    spool.close()
    assert _spooled(tmp_path) == [HEADER, panasonic(7)]


def _spooled(folder) -> list[bytes]:
    return b"".join(p.read_bytes() for p in live_feed.Spool(folder).files()).splitlines()


def test_after_drops_it_connects_again_with_a_growing_pause_up_to_the_cap(tmp_path):
    pbx = PanasonicPbx([None] * 6)  # logs in, prints nothing, hangs up
    stop = threading.Event()
    thread = threading.Thread(
        target=feeds.connect_smdr_forever,
        args=(pbx.address, live_feed.Spool(tmp_path), feeds.Login("SMDR", "PCCSMDR")),
        kwargs={
            "stop": stop,
            "connections": live_feed.Connections(2),
            "first_pause": 0.1,
            "max_pause": 0.4,
        },
    )
    thread.start()
    try:
        assert wait_for(lambda: len(pbx.accepted_at) >= 5, WAIT)
    finally:
        stop.set()
        thread.join(5)
        pbx.close()
    gaps = [b - a for a, b in zip(pbx.accepted_at, pbx.accepted_at[1:], strict=False)]
    assert gaps[0] < gaps[2]  # 0.1, 0.2, 0.4, 0.4 s, give or take the machine's load
    assert min(gaps[2:4]) >= 0.35
    assert max(gaps) < 0.4 + 1.0
    assert pbx.logins[0] == ("SMDR", "PCCSMDR")


# --- The whole feed: spool, importer, database -------------------------------------------


def _pana_feed(tmp_path):
    return live_feed.Feed(
        tmp_path,
        feed_format=feeds.feed_format("panasonic_smdr"),
        importer_options=FAST,
    )


def _run_smdr(feed, pbx, **options):
    thread = threading.Thread(
        target=feeds.connect_smdr_forever,
        args=(pbx.address, feed.spool, feeds.Login("SMDR", "PCCSMDR")),
        kwargs={"stop": feed.stop, "connections": feed.connections, **options},
    )
    feed.start()
    thread.start()
    return thread


@real_commits
def test_panasonic_pages_are_imported_across_a_drop_and_headers_skipped(tmp_path):
    client = make_client("123", "Affaroni S.p.A.")
    make_trunk("9", "Telecom", identifiers=["01"])
    first = [panasonic(1), panasonic(2), panasonic(3, code="")]
    second = [panasonic(4), panasonic(5, number="0612345678", code="456")]
    pbx = PanasonicPbx([first, second], drop={0})
    feed = _pana_feed(tmp_path)
    thread = _run_smdr(feed, pbx, first_pause=0.1, max_pause=0.2)
    try:
        assert wait_for(lambda: _calls() == 5, WAIT)
    finally:
        feed.stop.set()
        thread.join(5)
        pbx.close()
        assert feed.shutdown()
    assert pbx.logins == [("SMDR", "PCCSMDR")] * 2  # logged in again after the drop
    assert b"\xff\xfe\x01" in pbx.replies  # its telnet options were refused
    calls = list(Call.objects.order_by("start"))
    assert [call.talk_seconds for call in calls] == [300] * 5
    assert [call.billing_code for call in calls] == ["123", "123", "", "123", "456"]
    assert calls[0].client == client and calls[0].destination == "3454565678**123"
    runs = ImportRun.objects.filter(via="feed")
    assert {run.format_name for run in runs} == {"panasonic_smdr"}
    assert sum(run.rejected for run in runs) == 0  # the page headers were skipped, not rejected
    spooled = _spooled(tmp_path)
    assert spooled.count(HEADER) == 2 and b"Login:" not in b"".join(spooled)


@real_commits
def test_a_database_outage_while_the_panasonic_feeds_loses_nothing(tmp_path):
    pbx = PanasonicPbx([[panasonic(minute) for minute in range(1, 11)]])
    feed = _pana_feed(tmp_path)
    thread = _run_smdr(feed, pbx)
    try:
        assert wait_for(lambda: _calls() == 10, WAIT)
        with database_down():
            pbx.push([panasonic(minute) for minute in range(11, 31)])
            assert wait_for(lambda: feed.spool.lines_received == 2 + 30, WAIT)
            assert wait_for(lambda: feed.importer.failing, WAIT)
            assert _calls() == 10
        assert wait_for(lambda: _calls() == 30, WAIT)  # unaided, once each
    finally:
        feed.stop.set()
        thread.join(5)
        pbx.close()
        assert feed.shutdown()
    assert not feed.importer.failing


@real_commits
def test_avaya_pushes_smdr_to_listen_cdr_which_imports_it(tmp_path, settings):
    client = make_client("123", "Affaroni S.p.A.")
    trunk = make_trunk("9", "Telecom", identifiers=["T9001"])
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    out, err = StringIO(), StringIO()
    settings.CDR_SPOOL_DIR = tmp_path
    before = signal.getsignal(signal.SIGTERM)

    def ip_office_then_sigterm():
        try:
            if wait_for(lambda: "Listening on" in out.getvalue(), WAIT):
                lines = [avaya(1000020001), avaya(1000020002, talk="00:03:00", code="")]
                with socket.create_connection(("127.0.0.1", port)) as pbx:
                    pbx.sendall(b"".join(line + b"\r\n" for line in lines))
                wait_for(lambda: _calls() == 2, WAIT)
        finally:
            database.close()  # this thread's own
            if wait_for(lambda: signal.getsignal(signal.SIGTERM) is not before, 5):
                os.kill(os.getpid(), signal.SIGTERM)

    pbx = threading.Thread(target=ip_office_then_sigterm)
    pbx.start()
    call_command(
        "listen_cdr",
        "--format",
        "avaya_smdr",
        "--listen",
        f"127.0.0.1:{port}",
        stdout=out,
        stderr=err,
    )
    pbx.join(WAIT)
    assert f"spooling to {tmp_path / 'avaya_smdr'}" in out.getvalue()
    assert "2 imported, 0 duplicates, 0 rejected" in out.getvalue(), out.getvalue()
    first, second = Call.objects.order_by("talk_seconds")
    assert (second.talk_seconds, second.client, second.trunk) == (300, client, trunk)
    assert second.destination == "93454565678**123"
    assert (first.talk_seconds, first.client) == (180, None)
    assert ImportRun.objects.get().format_name == "avaya_smdr"


@real_commits
def test_listen_cdr_connects_to_a_panasonic_with_the_login_from_the_settings(tmp_path, settings):
    settings.PBX_SMDR_USER, settings.PBX_SMDR_PASSWORD = "CALLS", "s3cret"
    pbx = PanasonicPbx([[panasonic(1), panasonic(2)]], user="CALLS", password="s3cret")
    out, err = StringIO(), StringIO()
    before = signal.getsignal(signal.SIGTERM)

    def sigterm_when_imported():
        wait_for(lambda: _calls() == 2, WAIT)
        database.close()  # this thread's own
        if wait_for(lambda: signal.getsignal(signal.SIGTERM) is not before, 5):
            os.kill(os.getpid(), signal.SIGTERM)

    watcher = threading.Thread(target=sigterm_when_imported)
    watcher.start()
    try:
        call_command(
            "listen_cdr",
            "--format",
            "panasonic_smdr",
            "--connect",
            f"{pbx.address[0]}:{pbx.address[1]}",
            "--spool",
            str(tmp_path),
            stdout=out,
            stderr=err,
        )
    finally:
        watcher.join(WAIT)
        pbx.close()
    assert pbx.logins == [("CALLS", "s3cret")]
    assert "Reading the Panasonic SMDR of 127.0.0.1" in out.getvalue()
    assert "2 imported, 0 duplicates, 0 rejected" in out.getvalue(), out.getvalue()


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (["--format", "avaya_smdr", "--connect", "pbx:1150"], "use --listen"),
        (["--format", "panasonic_smdr", "--listen", "127.0.0.1:2300"], "use --connect"),
        (["--watch", "/no/such/folder"], "no such folder"),
    ],
)
@pytest.mark.django_db
def test_listen_cdr_refuses_a_feed_the_pbx_cannot_make(arguments, says, tmp_path):
    with pytest.raises(CommandError, match=says):
        call_command("listen_cdr", *arguments, "--spool", str(tmp_path))
