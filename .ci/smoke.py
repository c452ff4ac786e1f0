"""Production smoke test, run by .ci/run with the Python of a fresh virtual environment made
from requirements.txt alone (standard library only here):

    python3.11 -m venv /tmp/venv && /tmp/venv/bin/pip install -r requirements.txt
    /tmp/venv/bin/python .ci/smoke.py [--keep]

With the production settings (DEBUG=0, a secret key, behind a trusted proxy), on a throw-away
SQLite database (or DATABASE_URL's): migrate, check --deploy, collectstatic, a user and 600
synthetic calls; then gunicorn with firm/gunicorn.conf.py on a free loopback port:
/health/ 200, the login page 200 and its CSS 200, log in, the call-log PDF of every call
(rendered in chunks by the PDF pool's processes), the month pack asked for on the statements
page and made by the task worker (``manage.py db_worker``, as deploy/clientcalls-worker.service
runs it): its status followed, then downloaded; then SIGTERM to the master and to the worker:
every process of their trees must be gone within 10 s. Exit 0 when all holds, 1 with the
reason otherwise.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CALLS = 600  # more than firm/lib/pdf.py's CHUNK_ROWS, so the PDF pool renders chunks
STOP_WITHIN = 10.0


class SmokeError(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="clientcalls-smoke-"))
    try:
        smoke(folder)
    except SmokeError as error:
        print(f"smoke: FAILED: {error}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            subprocess.run(["rm", "-rf", str(folder)], check=False)
    print("smoke: passed")
    return 0


def smoke(folder: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "TRUST_PROXY_HEADERS": "1",
        "STATIC_ROOT": str(folder / "static"),
        "CDR_SPOOL_DIR": str(folder / "spool"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "PDF_WORKERS": "2",
        # The 600-call PDF stays in the request (chunks in the PDF pool); the pack is a task.
        "PDF_SYNC_MAX_ROWS": "1000",
        "MEDIA_ROOT": str(folder / "media"),
        "LOG_LEVEL": "WARNING",
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{folder / 'db.sqlite3'}")
    password = secrets.token_urlsafe(16)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "check", "--deploy", "--fail-level", "WARNING")
    manage(
        env,
        "createsuperuser",
        "--noinput",
        "--username",
        "smoke",
        "--email",
        "smoke@example.it",
        extra={"DJANGO_SUPERUSER_PASSWORD": password},
    )
    cdr = folder / "cdr.log"
    first_day = write_calls(cdr)
    manage(env, "import_cdr", str(cdr))
    print(f"smoke: database ready ({CALLS} calls); gunicorn on 127.0.0.1:{port}")

    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "firm/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        start_new_session=True,  # its own session: every process of its tree is found by it
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "gunicorn.log", "wb"),  # noqa: SIM115
    )
    worker = subprocess.Popen(
        [str(BIN / "python"), "manage.py", "db_worker", "--no-reload", "--interval", "0.5"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "worker.log", "wb"),  # noqa: SIM115
    )
    try:
        browse(port, password, first_day)
        stop_worker(worker)
        tree = session_processes(server.pid)
        print(f"smoke: requests passed; {len(tree)} processes: {describe(tree)}")
        if len(tree) < 1 + 2 + 2:
            raise SmokeError("expected the master, 2 workers and the PDF pool's processes")
        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        while time.monotonic() - started < STOP_WITHIN:
            server.poll()
            left = session_processes(server.pid)
            if not left:
                break
            time.sleep(0.2)
        else:
            raise SmokeError(f"still running {STOP_WITHIN:.0f} s after SIGTERM: {describe(left)}")
        print(f"smoke: every process gone {time.monotonic() - started:.1f} s after SIGTERM")
    except BaseException:
        worker.kill()
        server.kill()
        subprocess.run(["pkill", "-KILL", "-s", str(server.pid)], check=False)
        print((folder / "gunicorn.log").read_text(errors="replace")[-3000:], file=sys.stderr)
        print((folder / "worker.log").read_text(errors="replace")[-3000:], file=sys.stderr)
        raise
    finally:
        server.wait(timeout=5)


def manage(env, *args, extra=None):
    result = subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env={**env, **(extra or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SmokeError(f"manage.py {args[0]}: {result.stdout}{result.stderr}")
    return result.stdout


def write_calls(path: Path) -> datetime:
    sys.path.insert(0, str(ROOT))
    from calls.cdr.synthetic import threecx_lines  # pure: no Django needed

    start = datetime.now(UTC).replace(hour=6, minute=0, second=0, microsecond=0)
    start = start.replace(day=1)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.writelines(threecx_lines(CALLS, start=start, client_codes=["123", "124"]))
    return start


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """Just enough of a browser behind an HTTPS proxy: cookies, X-Forwarded-Proto, Referer."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        all_headers = {
            "X-Forwarded-Proto": "https",
            "Referer": f"https://127.0.0.1:{self.port}/",
            **({"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}),
            **(headers or {}),
        }
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        connection.close()
        return response, content

    def get(self, path, expect=200):
        response, content = self.request("GET", path)
        if response.status != expect:
            raise SmokeError(f"GET {path}: {response.status}, expected {expect}")
        return response, content


def browse(port: int, password: str, first_day: datetime) -> None:
    browser = Browser(port)
    deadline = time.monotonic() + 60
    while True:
        try:
            browser.get("/health/")
            break
        except (OSError, SmokeError):
            if time.monotonic() > deadline:
                raise SmokeError("gunicorn did not answer /health/ within 60 s") from None
            time.sleep(0.5)
    _response, login_page = browser.get("/accounts/login/")
    css = re.search(rb'href="(/static/css/app\.[0-9a-f]+\.css)"', login_page)
    if not css:
        raise SmokeError("the login page links no hashed app.css (collectstatic's manifest)")
    response, _ = browser.get(css.group(1).decode())
    if not response.getheader("Content-Type", "").startswith("text/css"):
        raise SmokeError(f"{css.group(1)!r} is not served as CSS")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
    form = urlencode(
        {"username": "smoke", "password": password, "csrfmiddlewaretoken": token.decode()}
    )
    response, _ = browser.request(
        "POST",
        "/accounts/login/",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    if response.status != 302:
        raise SmokeError(f"log in: {response.status}, expected 302")
    query = urlencode(
        {"date_after": f"{first_day:%Y-%m-%d}", "date_before": f"{first_day:%Y-%m-%d}"}
    )
    response, pdf = browser.get(f"/calls/pdf/?{query}")
    if response.getheader("Content-Type") != "application/pdf" or not pdf.startswith(b"%PDF"):
        raise SmokeError("the call-log PDF is not a PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    print(f"smoke: call-log PDF of {CALLS} calls, {len(pdf):,} bytes, {pages} pages")
    month_pack(browser, first_day)
    browser.get("/health/")


def month_pack(browser: "Browser", first_day: datetime) -> None:
    """Ask for the month pack as the page's button does; follow the job; download it."""
    last_day = first_day.replace(day=28)
    query = urlencode(
        {"date_after": f"{first_day:%Y-%m-%d}", "date_before": f"{last_day:%Y-%m-%d}"}
    )
    _response, page = browser.get(f"/clients/statements/?{query}")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not token or b'id="pack-zip"' not in page:
        raise SmokeError("the statements page offers no month pack")
    response, _ = browser.request(
        "POST",
        f"/clients/statements/pack/?{query}",
        body=urlencode({"csrfmiddlewaretoken": token.group(1).decode(), "zip": "on"}),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    job = response.getheader("Location", "")
    if response.status != 302 or not re.fullmatch(r"/jobs/\d+/", job):
        raise SmokeError(f"asking for the pack: {response.status} {job!r}, expected a job")
    started = time.monotonic()
    while True:
        _response, body = browser.get(f"{job}status/")
        state = json.loads(body)
        if state["finished"]:
            break
        if time.monotonic() - started > 120:
            raise SmokeError(f"the worker did not make the pack within 120 s: {state}")
        time.sleep(0.5)
    if state["status"] != "done":
        raise SmokeError(f"the pack failed: {state['error']}")
    response, archive = browser.get(state["download_url"])
    if response.getheader("Content-Type") != "application/zip" or not archive.startswith(b"PK"):
        raise SmokeError("the month pack is not a ZIP")
    print(
        f"smoke: month pack made by the worker in {time.monotonic() - started:.1f} s "
        f"({state['progress']}), {len(archive):,} bytes"
    )


def stop_worker(worker: subprocess.Popen) -> None:
    """SIGTERM: the worker (idle now) and its PDF pool must be gone within STOP_WITHIN."""
    started = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    while time.monotonic() - started < STOP_WITHIN:
        worker.poll()
        if not session_processes(worker.pid):
            break
        time.sleep(0.2)
    else:
        left = describe(session_processes(worker.pid))
        raise SmokeError(f"worker still running {STOP_WITHIN:.0f} s after SIGTERM: {left}")
    print(f"smoke: worker gone {time.monotonic() - started:.1f} s after SIGTERM")


def session_processes(session: int) -> dict[int, str]:
    """Live processes of a session (zombies, already dead, are left out): pid → command."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        state, sid = fields[0], int(fields[3])
        if sid == session and state != "Z":
            found[int(entry.name)] = cmdline[:80]
    return found


def describe(processes: dict[int, str]) -> str:
    return "; ".join(f"{pid} {command}" for pid, command in sorted(processes.items()))


if __name__ == "__main__":
    sys.exit(main())
