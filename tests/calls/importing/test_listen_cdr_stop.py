"""listen_cdr stops on SIGTERM within seconds, even while the PBX keeps its connection open
(deploy/clientcalls-feed.service), and imports what it received before leaving."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from calls import live_feed
from tests.calls.importing.helpers import threecx_line


def test_a_stop_ends_an_open_feed_after_what_was_received(tmp_path):
    server = socket.create_server(("127.0.0.1", 0))
    pbx = socket.create_connection(server.getsockname())
    connection, _address = server.accept()
    server.close()
    pbx.sendall(threecx_line(1).encode())
    stop = threading.Event()
    seen = []
    try:
        for line in live_feed.received_lines(
            connection, live_feed.Spool(tmp_path), idle_seconds=0.05, stop=stop
        ):
            seen.append(line)
            if line is not None:
                stop.set()  # the PBX stays connected: only the stop ends the feed
            assert len(seen) < 100, "the feed did not end"
    finally:
        pbx.close()
        connection.close()
    assert [line for line in seen if line is not None] == [threecx_line(1)]


@pytest.mark.parametrize("mode", ["listen", "connect"])
def test_listen_cdr_exits_on_sigterm_with_a_feed_connected(tmp_path, mode):
    pbx_side = socket.create_server(("127.0.0.1", 0))
    port = pbx_side.getsockname()[1]
    if mode == "listen":
        pbx_side.close()
        address = ["--listen", f"127.0.0.1:{port}"]
    else:
        address = ["--connect", f"127.0.0.1:{port}"]
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CDR_SPOOL_DIR": str(tmp_path / "spool"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], env=env, check=True, timeout=120
    )
    feed = subprocess.Popen(
        [sys.executable, "manage.py", "listen_cdr", *address],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        feed.stdout.readline()  # "Listening on …" / "Reading the feed of …"
        if mode == "listen":
            pbx = socket.create_connection(("127.0.0.1", port), timeout=10)
        else:
            pbx_side.settimeout(10)
            pbx, _address = pbx_side.accept()
        pbx.sendall(threecx_line(1).encode())
        time.sleep(0.5)
        started = time.monotonic()
        feed.send_signal(signal.SIGTERM)
        output, _ = feed.communicate(timeout=10)
        assert time.monotonic() - started < 5
        pbx.close()
    finally:
        feed.kill()
        pbx_side.close()
    assert feed.returncode == 0
    assert "1 imported" in output
    assert "Stopped." in output
