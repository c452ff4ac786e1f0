"""The live 3CX CDR feed (calls/importing/live_feed.py, listen_cdr): real TCP sockets on 127.0.0.1.
Connections only spool raw lines; one importer thread imports the spool from saved
positions, at start-up and again when the database answers after an outage. Tests where the
importer thread commits with its own connection use real transactions (transaction=True)."""

import os
import select
import signal
import socket
import sqlite3
import threading
from contextlib import contextmanager
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, connections

from calls.importing import feed_sockets, live_feed
from calls.models import Call, ImportRun, RejectedLine
from tests.calls.importing.helpers import run_import, threecx_line, wait_for
from tests.conftest import SAMPLES, logged_in

SOCKET_SAMPLE = SAMPLES / "3cx" / "active-socket-243-records.log"
POSTGRESQL = connection.vendor == "postgresql"


real_commits = pytest.mark.django_db(transaction=True, serialized_rollback=True)
# Short timings, so that a test takes a second or two, not minutes.
FAST = {"quiet_seconds": 0.1, "pass_quiet_seconds": 0.5, "retry_seconds": 0.2}
WAIT = 15  # seconds any one condition may take before a test fails


def _today_spool(folder):
    return live_feed.Spool(folder).path_for(datetime.now(UTC))


def _connected_pair():
    """(our end, the PBX's end) of a real TCP connection on loopback."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        pbx = socket.create_connection(server.getsockname())
        ours, _address = server.accept()
    return ours, pbx


def _closed_by_server(client: socket.socket, seconds: float = WAIT) -> bool:
    """True when the server closes ``client`` (EOF or reset) within ``seconds``."""
    client.settimeout(seconds)
    try:
        return client.recv(100) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


@contextmanager
def running_feed(folder, *, allowed=("127.0.0.1",), **options):
    """A whole feed (spool, flusher, importer, listener) on an ephemeral loopback port;
    yields (feed, address). Stops it, and its threads' database connections, afterwards."""
    importer_options = {**FAST, **options.pop("importer_options", {})}
    feed = live_feed.Feed(folder, importer_options=importer_options, **options)
    server = socket.create_server(("127.0.0.1", 0))
    listener = threading.Thread(target=feed.listen, args=(server, set(allowed)))
    feed.start()
    listener.start()
    try:
        yield feed, server.getsockname()
    finally:
        feed.stop.set()
        listener.join(5)
        server.close()
        assert feed.shutdown(), "a feed thread did not stop within 5 s"


def _send(address, lines: list[bytes], chunk: int = 0) -> None:
    data = b"".join(lines)
    with socket.create_connection(address, timeout=10) as pbx:
        if chunk:
            for start in range(0, len(data), chunk):
                pbx.sendall(data[start : start + chunk])
        else:
            pbx.sendall(data)


def _spooled_bytes(folder) -> bytes:
    return b"".join(path.read_bytes() for path in live_feed.Spool(folder).files())


def _calls() -> int:
    return _while_the_importer_writes(Call.objects.count)


def _while_the_importer_writes(read):
    """SQLite's in-memory test database is shared between threads with table locks (a file
    database has WAL instead), so a read that meets the importer's write is tried again."""
    for _attempt in range(100):
        try:
            return read()
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            wait_for(lambda: False, 0.01)
    return read()


@contextmanager
def database_down():
    """New database connections fail, as when the server is stopped; on PostgreSQL the open
    ones are terminated too, and new ones go to a port where nothing listens."""
    wrapper = type(connections["default"])
    with pytest.MonkeyPatch.context() as patch:
        if POSTGRESQL:
            _postgresql_down(patch, wrapper)
        else:
            _sqlite_down(patch, wrapper)
        yield


def _postgresql_down(patch, wrapper):
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]  # free once closed: connections are refused
    real_params = wrapper.get_connection_params

    def params(self):
        return {**real_params(self), "host": "127.0.0.1", "port": port}

    patch.setattr(wrapper, "get_connection_params", params)
    with connection.cursor() as cursor:  # the test's own connection stays
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def _sqlite_down(patch, wrapper):
    # Django never really closes an in-memory test database's connections: their cursors
    # fail instead, but for the test's own thread.
    def refuse(*args, **kwargs):
        raise sqlite3.OperationalError("unable to open database file")

    def cursor_unless_the_test(self, *args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            refuse()
        return real_cursor(self, *args, **kwargs)

    real_cursor = wrapper.create_cursor
    patch.setattr(wrapper, "get_new_connection", refuse)
    patch.setattr(wrapper, "create_cursor", cursor_unless_the_test)


# --- Spool and connections (no database) ------------------------------------------------


def test_lines_are_spooled_as_the_bytes_received_whatever_their_encoding(tmp_path):
    spool = live_feed.Spool(tmp_path)
    ours, pbx = _connected_pair()
    sent = [b"one\r\n", "Niccol\u00f2\n".encode(), "Niccol\u00f2\r\n".encode("cp1252"), b"last"]
    data = b"".join(sent)
    with pbx:
        for start in range(0, len(data), 3):  # cut mid-line, mid-character
            pbx.sendall(data[start : start + 3])
    with ours:
        count = live_feed.receive(ours, spool, stop=threading.Event())
    spool.close()
    assert count == 4
    assert _spooled_bytes(tmp_path) == data + b"\n"  # a last line without newline gets one
    assert spool.lines_received == 4


def test_a_peer_that_never_sends_a_newline_cannot_fill_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(feed_sockets, "MAX_LINE_BYTES", 1000)
    spool = live_feed.Spool(tmp_path)
    ours, pbx = _connected_pair()
    with pbx:
        pbx.sendall(b"x" * 5500)
    with ours:
        live_feed.receive(ours, spool, stop=threading.Event())
    spool.close()
    lines = _spooled_bytes(tmp_path).splitlines()
    assert b"".join(lines) == b"x" * 5500
    assert max(len(line) for line in lines) == 1000


def test_on_stop_what_the_kernel_already_holds_is_read_and_spooled(tmp_path):
    spool = live_feed.Spool(tmp_path)
    ours, pbx = _connected_pair()
    stop = threading.Event()
    stop.set()
    with pbx, ours:
        pbx.sendall(b"a\nb\n")
        assert select.select([ours], [], [], 5)[0]  # arrived, not yet read
        assert live_feed.receive(ours, spool, stop=stop) == 2
    spool.close()
    assert _spooled_bytes(tmp_path) == b"a\nb\n"


def test_the_spool_is_fsynced_within_a_second_and_on_close(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    spool = live_feed.Spool(tmp_path)
    stop = threading.Event()
    flusher = threading.Thread(target=live_feed.flush_every, args=(spool, stop, 0.05))
    flusher.start()
    try:
        spool.append(b"call 1")  # creating the file fsyncs the folder at once
        assert wait_for(lambda: len(synced) == 2, 1.0)  # and the file within 1 s
        count = len(synced)
        wait_for(lambda: False, 0.2)
        assert len(synced) == count  # nothing new written, nothing synced
    finally:
        stop.set()
        flusher.join(5)
    spool.append(b"call 2")
    synced.clear()
    spool.close()
    assert synced  # what was written since is synced when the spool closes


def test_a_line_cut_by_a_crash_stays_on_its_own_when_the_spool_reopens(tmp_path):
    _today_spool(tmp_path).write_bytes(b"whole\nhalf a li")
    spool = live_feed.Spool(tmp_path)
    spool.append(b"next")
    spool.close()
    assert _spooled_bytes(tmp_path) == b"whole\nhalf a li\nnext\n"


def test_positions_are_saved_beside_the_spool_file_and_hidden_from_import_cdr(tmp_path):
    path = _today_spool(tmp_path)
    assert live_feed.read_position(path) == live_feed.Position(0, 0)
    live_feed.write_position(path, live_feed.Position(1234, 5))
    assert live_feed.read_position(path) == (1234, 5)
    assert [p.name for p in tmp_path.iterdir()] == [f".{path.name}.pos"]


@pytest.mark.parametrize(
    ("allow", "host", "allowed"),
    [
        ([], "127.0.0.1", {"127.0.0.1", "::1", "localhost"}),
        ([], "localhost", {"127.0.0.1", "::1", "localhost"}),
        ([], "0.0.0.0", set()),  # the command refuses to listen then
        (["192.168.1.10"], "127.0.0.1", {"192.168.1.10"}),  # loopback only when listed
        (["192.168.1.10"], "0.0.0.0", {"192.168.1.10"}),
        (["192.168.1.10", "127.0.0.1"], "0.0.0.0", {"192.168.1.10", "127.0.0.1"}),
    ],
)
def test_loopback_may_connect_only_when_listed_or_when_no_allow_is_given_on_loopback(
    allow, host, allowed
):
    assert live_feed.allowed_peers(allow, host) == allowed


def _serving(tmp_path, allowed, *, limit=16, idle_seconds=None):
    server = socket.create_server(("127.0.0.1", 0))
    spool, stop, connections = live_feed.Spool(tmp_path), threading.Event(), None
    connections = live_feed.Connections(limit)
    thread = threading.Thread(
        target=live_feed.serve,
        args=(server, spool),
        kwargs={
            "allowed": allowed,
            "stop": stop,
            "connections": connections,
            "idle_seconds": idle_seconds,
        },
    )
    thread.start()

    def finish():
        stop.set()
        thread.join(5)
        connections.wait_closed(5)
        server.close()
        spool.close()

    return server.getsockname(), connections, finish


def test_peers_not_allowed_are_closed_unread(tmp_path):
    address, connections, finish = _serving(tmp_path, allowed={"192.0.2.1"})  # not us
    try:
        with socket.create_connection(address) as stranger:
            stranger.sendall(b"secret\n")
            assert _closed_by_server(stranger, 5)
        assert connections.accepted == 0
    finally:
        finish()
    assert _spooled_bytes(tmp_path) == b""


def test_connections_beyond_the_limit_wait_unread_and_are_read_when_a_reader_is_free(tmp_path):
    address, connections, finish = _serving(
        tmp_path, allowed={"127.0.0.1"}, limit=3, idle_seconds=1.0
    )
    clients = [socket.create_connection(address) for _ in range(5)]
    try:
        assert wait_for(lambda: connections.held == 2, 5)
        read, waiting = clients[:3], clients[3:]  # accepted in the order they connected
        assert connections.refused == 0
        waiting[1].sendall(b"sent while waiting\n")  # the kernel keeps it
        assert not select.select(clients, [], [], 0)[0]  # all open, nothing to read
        read[0].sendall(b"still here\n")
        # Each is closed once idle for 1 s; the waiting ones are read in the freed slots.
        assert all(_closed_by_server(client, 5) for client in clients)
        assert wait_for(lambda: len(connections) == 0, 5)
    finally:
        for client in clients:
            client.close()
        finish()
    assert sorted(_spooled_bytes(tmp_path).splitlines()) == [
        b"sent while waiting",
        b"still here",
    ]


def test_beyond_the_connections_held_a_connection_is_refused(tmp_path):
    address, connections, finish = _serving(tmp_path, allowed={"127.0.0.1"}, limit=1)
    clients = [socket.create_connection(address) for _ in range(1 + 4 + 1)]
    try:
        assert wait_for(lambda: connections.refused == 1, 5)
        assert _closed_by_server(clients[-1], 1)
        assert (len(connections), connections.held) == (1, 4)
    finally:
        for client in clients:
            client.close()
        finish()


def test_in_connect_mode_a_quiet_pbx_is_not_dropped(tmp_path, monkeypatch):
    monkeypatch.setattr(feed_sockets, "TICK_SECONDS", 0.05)
    feed = live_feed.Feed(tmp_path, idle_seconds=0.1)  # would drop a --listen peer
    with socket.create_server(("127.0.0.1", 0)) as pbx_server:
        reader = threading.Thread(target=feed.connect, args=(pbx_server.getsockname(), 0.1))
        reader.start()
        pbx, _address = pbx_server.accept()
        try:
            assert not _closed_by_server(pbx, 0.5)  # five times the idle time
            pbx.sendall(b"a call\n")
            assert wait_for(lambda: _spooled_bytes(tmp_path) == b"a call\n", 5)
        finally:
            feed.stop.set()
            reader.join(5)
            pbx.close()
            feed.spool.close()
    assert not reader.is_alive()


def test_addresses_are_read_as_host_and_port():
    assert live_feed.parse_address("0.0.0.0:5000") == ("0.0.0.0", 5000)  # noqa: S104
    assert live_feed.parse_address("[::1]:5000") == ("::1", 5000)
    assert live_feed.parse_address("5000", default_host="127.0.0.1") == ("127.0.0.1", 5000)
    with pytest.raises(ValueError):
        live_feed.parse_address("pbx:0")


# --- The importer, with the database -----------------------------------------------------


@real_commits
@pytest.mark.skipif(not SOCKET_SAMPLE.is_file(), reason=f"no CDR samples at {SAMPLES}")
def test_the_real_active_socket_sample_streams_into_calls(tmp_path):
    data = SOCKET_SAMPLE.read_bytes()
    with running_feed(tmp_path) as (feed, address):
        _send(address, [data], chunk=777)  # cut mid-line on purpose
        assert wait_for(lambda: _calls() == 243, WAIT)
    assert _spooled_bytes(tmp_path) == data  # as received, byte for byte
    run = ImportRun.objects.get()
    assert (run.via, run.status, run.format_name) == ("feed", "finished", "threecx")
    assert run.file_name == _today_spool(tmp_path).name
    assert run.lines_read == run.imported == 243
    assert feed.importer.totals.imported == 243
    # Importing the spool again (the reconciliation path) stores nothing twice.
    code, out, _err = run_import(tmp_path)
    assert code == 0
    assert "243 duplicates" in out
    assert _calls() == 243


@real_commits
def test_a_call_is_committed_in_a_quiet_spell_while_the_connection_stays_open(tmp_path):
    with running_feed(tmp_path) as (_feed, address):
        with socket.create_connection(address) as pbx:
            pbx.sendall(threecx_line(1).encode())
            assert wait_for(lambda: _calls() == 1, WAIT)
            pbx.sendall(threecx_line(2).encode())
            assert wait_for(lambda: _calls() == 2, WAIT)


@real_commits
def test_rejected_lines_carry_the_spool_files_own_line_numbers(tmp_path):
    path = _today_spool(tmp_path)
    earlier = (threecx_line(1) + threecx_line(2)).encode()
    path.write_bytes(earlier)
    live_feed.write_position(path, live_feed.Position(len(earlier), 2))  # imported before
    with running_feed(tmp_path) as (_feed, address):
        _send(address, [b"hello from the PBX\n", threecx_line(3).encode()])
        assert wait_for(lambda: _calls() == 1, WAIT)
    rejected = RejectedLine.objects.get()
    assert (rejected.file_name, rejected.line_number) == (path.name, 3)
    assert rejected.raw == "hello from the PBX"
    assert live_feed.read_position(path) == (path.stat().st_size, 4)


@real_commits
def test_at_start_up_it_imports_what_the_spool_holds_beyond_its_positions(tmp_path):
    folder = tmp_path
    yesterday = folder / "feed-2026-05-04.log"
    today = folder / "feed-2026-05-05.log"
    yesterday.write_bytes(
        (threecx_line(1) + threecx_line(2) + threecx_line(3)).encode() + b"cut by a cr"
    )
    live_feed.write_position(yesterday, live_feed.Position(len(threecx_line(1)), 1))
    today.write_bytes(threecx_line(4).encode() + b"Call 5,cut by a crash")  # no newline
    with running_feed(folder) as (feed, _address):
        assert wait_for(lambda: _calls() == 3, WAIT)  # lines 2, 3 and 4
        assert wait_for(lambda: feed.importer.totals.passes == 2, WAIT)
    assert set(Call.objects.values_list("source_line", flat=True)) == {2, 3, 1}
    finished = ImportRun.objects.filter(status="finished").order_by("pk")  # a run may fail
    assert [run.file_name for run in finished] == [
        yesterday.name,
        today.name,
    ]
    assert live_feed.read_position(yesterday) == (yesterday.stat().st_size, 4)
    cut = RejectedLine.objects.get()  # yesterday's file is complete: its cut line is a line
    assert (cut.file_name, cut.line_number, cut.raw) == (yesterday.name, 4, "cut by a cr")
    # Today's cut line waits for its end (it is the file still being written).
    assert live_feed.read_position(today) == (len(threecx_line(4)), 1)


@real_commits
def test_after_an_outage_300_calls_and_poison_lines_are_imported_once_unaided(tmp_path):
    with running_feed(tmp_path) as (feed, address):
        _send(address, [threecx_line(n).encode() for n in range(1, 11)])
        assert wait_for(lambda: _calls() == 10, WAIT)
        # The importer ends its run after a quiet spell and holds no connection.
        finished = ImportRun.objects.filter(status="finished").exists
        assert wait_for(lambda: _while_the_importer_writes(finished), WAIT)
        with database_down():
            lines = [threecx_line(n).encode() for n in range(11, 311)]
            poison = {
                # The parser rejects it: a rejected line with its spool line number.
                100: b"Call 999,garbage,not a call record\n",
                # Ends before it starts: the database's check constraint refuses it.
                200: threecx_line(
                    998, start="2026/05/04 10:00:00", end="2026/05/04 09:00:00"
                ).encode(),
                # NUL bytes: PostgreSQL refuses them in text.
                250: b"\x00\x00Call 997,\x00\n",
            }
            for index in sorted(poison, reverse=True):
                lines.insert(index, poison[index])
            _send(address, lines, chunk=1000)
            assert wait_for(lambda: feed.spool.lines_received == 313, WAIT)
            assert wait_for(lambda: feed.importer.failing, WAIT)
            assert _calls() == 10
        # The database is back: no operator step.
        assert wait_for(lambda: _calls() == 310, WAIT)
        assert wait_for(lambda: not feed.importer.failing, WAIT)
    ids = set(Call.objects.values_list("pbx_call_id", flat=True))
    assert ids == {f"3cx:{n}" for n in range(1, 311)}  # each once, and no poison
    garbage = RejectedLine.objects.get(raw__startswith="Call 999")
    assert (garbage.file_name, garbage.line_number) == (_today_spool(tmp_path).name, 10 + 101)
    path = _today_spool(tmp_path)
    assert live_feed.read_position(path) == (path.stat().st_size, 313)
    reasons = dict(
        RejectedLine.objects.filter(file_name=path.name).values_list("line_number", "reason")
    )
    assert reasons[10 + 101] == "expected 27 fields, got 3"
    assert reasons[212].startswith("field time-end gives 2026-05-04 09:00:00 UTC, before")
    assert reasons[263] == "expected 27 fields, got 2"  # its NUL bytes kept, escaped
    assert RejectedLine.objects.get(line_number=263).raw == "\\x00\\x00Call 997,\\x00"


@real_commits
def test_idle_connections_never_reach_the_database_and_pages_still_answer(
    tmp_path, paolo, settings
):
    def server_connections():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            )
            return cursor.fetchone()[0]

    browser = logged_in(paolo)
    with running_feed(tmp_path, max_connections=16, idle_seconds=1.0) as (feed, address):
        before = server_connections() if POSTGRESQL else None
        idle = [socket.create_connection(address) for _ in range(100)]
        try:
            # 16 read, 4 × 16 held for a reader, the other 20 refused.
            assert wait_for(lambda: feed.connections.refused == 20, WAIT)
            assert (len(feed.connections), feed.connections.held) == (16, 64)
            assert browser.get("/calls/").status_code == 200
            if POSTGRESQL:
                assert server_connections() == before  # the feed opened none
            # refused, or read in turn and closed once idle for 1 s
            assert all(_closed_by_server(client, WAIT) for client in idle)
            assert wait_for(lambda: len(feed.connections) == 0, 5)
        finally:
            for client in idle:
                client.close()
        # A line opens the importer's connection; the run ends and closes it after a while.
        _send(address, [threecx_line(1).encode()])
        assert wait_for(lambda: _calls() == 1, WAIT)
        if POSTGRESQL:
            assert wait_for(lambda: server_connections() == before, WAIT)


@real_commits
def test_sigterm_stops_listen_cdr_after_importing_and_it_prints_a_summary(tmp_path, settings):
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    out, err = StringIO(), StringIO()
    path = _today_spool(tmp_path)  # its position says what is committed
    before = signal.getsignal(signal.SIGTERM)

    def pbx_then_sigterm():
        try:
            if wait_for(lambda: "Listening on" in out.getvalue(), WAIT):
                _send(("127.0.0.1", port), [threecx_line(1).encode(), threecx_line(2).encode()])
                wait_for(lambda: live_feed.read_position(path).lines == 2, WAIT)
        finally:
            if wait_for(lambda: signal.getsignal(signal.SIGTERM) is not before, 5):
                os.kill(os.getpid(), signal.SIGTERM)

    pbx = threading.Thread(target=pbx_then_sigterm)
    pbx.start()
    call_command(
        "listen_cdr",
        "--listen",
        f"127.0.0.1:{port}",
        "--spool",
        str(tmp_path),
        stdout=out,
        stderr=err,
    )
    pbx.join(WAIT)
    assert signal.getsignal(signal.SIGTERM) is before  # put back
    assert _calls() == 2
    assert (
        f"Listening on 127.0.0.1:{port} for 127.0.0.1, ::1, localhost (at most 16 connections)"
        in out.getvalue()
    )
    assert "Stopped: 2 lines received on 1 connections" in out.getvalue()
    assert "2 imported, 0 duplicates, 0 rejected" in out.getvalue()
    assert err.getvalue() == ""
    assert _spooled_bytes(tmp_path) == (threecx_line(1) + threecx_line(2)).encode()


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (["--listen", "0.0.0.0:5000"], "needs --allow"),
        (["--listen", "nonsense"], "is not host:port"),
        (["--connect", "5000"], "needs the PBX's host"),
        (["--connect", "pbx:99999"], "is not host:port"),
        (["--listen", "127.0.0.1:5000", "--layout", "nope"], "no layout of that name"),
    ],
)
@pytest.mark.django_db
def test_listen_cdr_refuses_bad_arguments_clearly(arguments, says, tmp_path):
    with pytest.raises(CommandError, match=says):
        call_command("listen_cdr", *arguments, "--spool", str(tmp_path))
