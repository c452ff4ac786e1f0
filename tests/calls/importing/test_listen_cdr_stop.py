"""listen_cdr stops on SIGTERM within seconds, even while the PBX keeps its connection open
(deploy/clientcalls-feed.service), and imports what it received before leaving."""

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.calls.importing.helpers import threecx_line


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
    assert output.startswith("Stopped:")
