"""The live 3CX CDR feed (calls/live_feed.py, listen_cdr): real TCP sockets on 127.0.0.1,
every line spooled to disk before it is imported, nothing lost when the import fails."""

import socket
import threading

import pytest
from django.core.management import CommandError, call_command

from calls import live_feed, services
from calls.models import Call, ImportRun, RejectedLine
from tests.calls.importing.helpers import SAMPLES, run_import, threecx_line

SOCKET_SAMPLE = SAMPLES / "3cx" / "active-socket-243-records.log"


def _send_later(address, chunks: list[bytes], pause: float = 0.0):
    """Connect to ``address`` on a thread and send ``chunks``, then hang up."""

    def send():
        with socket.create_connection(address, timeout=10) as pbx:
            for chunk in chunks:
                pbx.sendall(chunk)
                if pause:
                    threading.Event().wait(pause)

    thread = threading.Thread(target=send)
    thread.start()
    return thread


def _accept_one(chunks, pause=0.0):
    """A real server socket; the 'PBX' connects and sends ``chunks``; returns the accepted
    connection, its peer and the sending thread."""
    server = socket.create_server(("127.0.0.1", 0))
    sender = _send_later(server.getsockname(), chunks, pause)
    connection, (host, port) = server.accept()
    server.close()
    return connection, f"{host}:{port}", sender


def _spooled_lines(spool: live_feed.Spool) -> list[str]:
    return [
        line
        for path in sorted(spool.folder.glob("feed-*.log"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def test_lines_are_spooled_before_they_are_handed_on_and_quiet_spells_are_signalled(tmp_path):
    spool = live_feed.Spool(tmp_path)
    connection, _peer, sender = _accept_one([b"one\r\ntw", b"o\n", b"three"], pause=0.3)
    seen = []
    with connection:
        for line in live_feed.received_lines(connection, spool, idle_seconds=0.1):
            if line is not None:
                assert line.rstrip("\n") in _spooled_lines(spool)  # on disk first
            seen.append(line)
    sender.join()
    assert [line for line in seen if line is not None] == ["one\n", "two\n", "three\n"]
    assert None in seen  # the pauses between chunks
    assert _spooled_lines(spool) == ["one", "two", "three"]


def test_a_peer_that_never_sends_a_newline_cannot_fill_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(live_feed, "MAX_LINE_BYTES", 1000)
    connection, _peer, sender = _accept_one([b"x" * 5000])
    with connection:
        lines = [
            line
            for line in live_feed.received_lines(connection, live_feed.Spool(tmp_path))
            if line is not None
        ]
    sender.join()
    assert "".join(line.rstrip("\n") for line in lines) == "x" * 5000
    assert max(len(line) for line in lines) <= 5000 + 1


@pytest.mark.django_db
@pytest.mark.skipif(not SOCKET_SAMPLE.is_file(), reason=f"no CDR samples at {SAMPLES}")
def test_the_real_active_socket_sample_streams_into_calls(tmp_path):
    data = SOCKET_SAMPLE.read_bytes()
    chunks = [data[i : i + 777] for i in range(0, len(data), 777)]  # cut mid-line on purpose
    connection, peer, sender = _accept_one(chunks)
    spool = live_feed.Spool(tmp_path)
    with connection:
        summary = live_feed.import_connection(connection, peer, spool=spool)
    sender.join()
    assert (summary.lines_read, summary.imported, summary.rejected) == (243, 243, 0)
    assert Call.objects.count() == 243
    run = ImportRun.objects.get()
    assert (run.via, run.status, run.format_name) == ("feed", "finished", "threecx")
    assert run.file_name == f"feed {peer}"
    assert run.lines_read == run.imported + run.duplicates + run.rejected == 243
    # The spool holds the feed as sent; importing it again stores nothing twice.
    assert len(_spooled_lines(spool)) == 243
    code, out, _err = run_import(tmp_path)
    assert code == 0
    assert "243 duplicates" in out
    assert Call.objects.count() == 243


@pytest.mark.django_db
def test_a_call_is_committed_in_a_quiet_spell_while_the_connection_stays_open(tmp_path):
    server = socket.create_server(("127.0.0.1", 0))
    pbx = socket.create_connection(server.getsockname())
    connection, _address = server.accept()
    server.close()
    pbx.sendall(threecx_line(1).encode())
    calls_seen_in_quiet_spells = []

    def feed():
        for line in live_feed.received_lines(
            connection, live_feed.Spool(tmp_path), idle_seconds=0.05
        ):
            yield line
            if line is None:  # cdr_feed_import has dealt with the quiet spell
                calls_seen_in_quiet_spells.append(Call.objects.count())
                if calls_seen_in_quiet_spells[-1] or len(calls_seen_in_quiet_spells) > 100:
                    return

    try:
        summary = services.cdr_feed_import(lines=feed(), source="feed test")
    finally:
        pbx.close()
        connection.close()
    assert calls_seen_in_quiet_spells[-1] == 1  # stored while the PBX was still connected
    assert summary.imported == 1


@pytest.mark.django_db
def test_lines_before_the_first_call_record_are_rejected_and_kept(tmp_path):
    connection, peer, sender = _accept_one(
        [b"hello from the PBX\n", threecx_line(1).encode(), threecx_line(2).encode()]
    )
    with connection:
        summary = live_feed.import_connection(connection, peer, spool=live_feed.Spool(tmp_path))
    sender.join()
    assert (summary.lines_read, summary.imported, summary.rejected) == (3, 2, 1)
    rejected = RejectedLine.objects.get()
    assert (rejected.line_number, rejected.raw) == (1, "hello from the PBX")
    assert "no line looks like" in rejected.reason


@pytest.mark.django_db
def test_when_the_import_fails_the_rest_of_the_feed_still_reaches_the_spool(tmp_path, monkeypatch):
    def fails_after_one_line(*, lines, **_options):
        next(iter(lines))
        raise services.Call.DoesNotExist("the database went away")  # any error will do

    monkeypatch.setattr(services, "cdr_feed_import", fails_after_one_line)
    sent = [threecx_line(n) for n in range(1, 6)]
    connection, peer, sender = _accept_one([line.encode() for line in sent], pause=0.05)
    spool = live_feed.Spool(tmp_path)
    with connection:
        assert live_feed.import_connection(connection, peer, spool=spool) is None
    sender.join()
    assert _spooled_lines(spool) == [line.rstrip("\n") for line in sent]
    assert not Call.objects.exists()


def test_the_server_hands_allowed_peers_on_and_closes_the_others():
    server = socket.create_server(("127.0.0.1", 0))
    address = server.getsockname()
    handled, stop = [], threading.Event()

    def handle(connection, peer):
        handled.append((peer, connection.recv(100)))

    allowed = {"192.0.2.1"}  # not us
    thread = threading.Thread(
        target=live_feed.serve, args=(server, handle), kwargs={"allowed": allowed, "stop": stop}
    )
    thread.start()
    try:
        with socket.create_connection(address) as stranger:
            stranger.sendall(b"secret\n")
            try:
                answer = stranger.recv(100)
            except ConnectionResetError:  # closed with our line unread
                answer = b""
            assert answer == b""
        assert handled == []
        allowed.add("127.0.0.1")
        with socket.create_connection(address) as pbx:
            pbx.sendall(b"call\n")
        assert live_feed.wait_for(lambda: handled, 5)
        assert handled[0][1] == b"call\n"
    finally:
        stop.set()
        thread.join(5)
        server.close()


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
def test_listen_cdr_refuses_bad_arguments_clearly(arguments, says):
    with pytest.raises(CommandError, match=says):
        call_command("listen_cdr", *arguments)


def test_addresses_are_read_as_host_and_port():
    assert live_feed.parse_address("0.0.0.0:5000") == ("0.0.0.0", 5000)  # noqa: S104
    assert live_feed.parse_address("[::1]:5000") == ("::1", 5000)
    assert live_feed.parse_address("5000", default_host="127.0.0.1") == ("127.0.0.1", 5000)
    with pytest.raises(ValueError):
        live_feed.parse_address("pbx:0")
