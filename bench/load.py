"""Benchmark: the call log served by gunicorn with the production settings, run by hand.

    .venv/bin/python bench/load.py [--calls 200000] [--clients 20] [--seconds 20]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clientcalls .venv/bin/python bench/load.py
    .venv/bin/python bench/load.py --server runserver     # the same load on runserver
    .venv/bin/python bench/load.py --server both          # both on one database, and ratios
    .venv/bin/python bench/load.py --calls 50000 --packs 8 # pages while 8 month packs run

Makes a throw-away database (bench/_django.py), imports --calls synthetic calls over two
years (as bench/log_reporter.py does: 300 codes, 280 clients), collects the static files and
starts the server as production runs it (DEBUG=0, a secret key, behind a trusted proxy:
``gunicorn -c firm/gunicorn.conf.py``; or ``manage.py runserver`` for comparison) on a free
loopback port. HTTP clients (threads of this process, standard library) log in as a Partner
through the login form, then:

1. one client's call-log pages, warm: client 123 over the two years, its pages and sorts,
   ``--single`` requests after a warm-up, one at a time: p50/p95/max (goal: p95 <= 150 ms);
2. ``--clients`` users at once for ``--seconds``, each requesting call-log pages with
   filters drawn at random (periods, destinations, number patterns, clients, callers,
   statuses, sorts, pages): requests, errors (anything but 200), requests/s, p50/p95/max;
3. packs running (``--packs``, 0 to skip): a task worker (``manage.py db_worker``, as
   deploy/clientcalls-worker.service) beside the server; the partner asks for the month pack
   of ``--packs`` different months (each POST only queues it: its time is printed), then,
   while the worker makes them, /health/ and a call-log page are timed one at a time and
   compared with the same requests before the packs (goal: the same time; in issue 21 a
   /health/ waited 100 s behind 8 packs made in the web workers).

The machine is shared: the load runs on the same cores as the server and the database.
"""

import argparse
import http.client
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from _django import connection, throwaway_database  # sets Django up: import it first
from log_reporter import DAYS, fill

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = secrets.token_urlsafe(12)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--single", type=int, default=200, help="requests of phase 1")
    parser.add_argument("--packs", type=int, default=8, help="month packs of phase 3 (0: none)")
    parser.add_argument(
        "--server",
        choices=["gunicorn", "runserver", "both"],
        default="gunicorn",
        help="both: gunicorn, then runserver on the same database, and their ratios",
    )
    args = parser.parse_args()
    with throwaway_database() as folder:
        fill(args.calls, folder / "cdr.log")
        (folder / "cdr.log").unlink()
        make_partner()
        connection.close()  # the server works on the database from now on
        kinds = ["gunicorn", "runserver"] if args.server == "both" else [args.server]
        figures = {}
        for kind in kinds:
            with server(kind, folder) as running:
                figures[kind] = measure(running.port, args)
                if args.packs:
                    figures[kind].update(packs_running(running, args.packs))
        if len(figures) == 2:
            gunicorn, runserver = figures["gunicorn"], figures["runserver"]
            print(
                "gunicorn / runserver, same database: "
                + ", ".join(f"{name} {gunicorn[name] / runserver[name]:.2f}x" for name in gunicorn)
            )


def make_partner():
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("bench-partner", password=PASSWORD)
    user.groups.add(Group.objects.get(name="Partner"))


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] or ""
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    at = f"{user}{password}@" if user else ""
    return f"postgres://{at}{settings['HOST'] or ''}:{settings['PORT'] or 5432}/{settings['NAME']}"


class server:
    """The server as production runs it, on a free loopback port, stopped at the end."""

    def __init__(self, kind: str, folder: Path):
        self.kind, self.folder = kind, folder

    def __enter__(self) -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "TRUST_PROXY_HEADERS": "1",
            "DATABASE_URL": database_url(),
            "STATIC_ROOT": str(self.folder / "static"),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "CONN_MAX_AGE": "60",  # as deploy/clientcalls.env
            "LOG_LEVEL": "WARNING",
            "MEDIA_ROOT": str(self.folder / "media"),
        }
        self.env = env
        subprocess.run(
            [str(BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        if self.kind == "gunicorn":
            command = [
                str(BIN / "gunicorn"),
                "-c",
                "firm/gunicorn.conf.py",
                "--access-logfile",
                "/dev/null",
            ]
        else:
            command = [str(BIN / "python"), "manage.py", "runserver", "--noreload", str(port)]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.folder / "server.log", "wb"),  # noqa: SIM115
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if Browser(port).get("/health/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            self.__exit__()
            log = (self.folder / "server.log").read_text(errors="replace")
            raise SystemExit(f"the server did not start:\n{log[-3000:]}")
        print(f"{self.kind} on 127.0.0.1:{port} ({connection.vendor}, DEBUG=0)", flush=True)
        self.port = port
        return self

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Browser:
    """One user: a kept-alive connection, cookies, behind an HTTPS proxy."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = None

    def request(self, method, path, body=None, headers=None):
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request(
                    method,
                    path,
                    body=body,
                    headers={
                        "X-Forwarded-Proto": "https",
                        "Referer": f"https://127.0.0.1:{self.port}/",
                        "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                        **(headers or {}),
                    },
                )
                response = self.connection.getresponse()
                content = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server closed meanwhile: once more, anew.
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
                continue
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            if response.getheader("Connection", "").lower() == "close":
                self.connection.close()
                self.connection = None
            return response.status, content

    def get(self, path):
        return self.request("GET", path)

    def log_in(self):
        _status, page = self.get("/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            body=urlencode(
                {"username": "bench-partner", "password": PASSWORD, "csrfmiddlewaretoken": token}
            ),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 302, f"log in: {status}"


def two_years() -> dict[str, str]:
    today = datetime.now(UTC).date()
    return {"date_after": (today - timedelta(days=DAYS)).isoformat(), "date_before": str(today)}


def one_clients_pages() -> list[str]:
    span = two_years()
    pages = []
    for sort in ("", "-talk_seconds", "destination"):
        for page in (1, 2, 3):
            query = {"client": "123", **span, "page": page, **({"sort": sort} if sort else {})}
            pages.append(f"/calls/?{urlencode(query)}")
    pages.append(f"/calls/?{urlencode({'destination': 'numbers', 'number': '%**123', **span})}")
    return pages


def random_filter(rng: random.Random) -> str:
    query: dict[str, str | int] = {}
    if rng.random() < 0.5:
        query["period"] = rng.choice(
            ["today", "yesterday", "this_week", "last_week", "this_month", "last_month"]
        )
    else:
        query.update(two_years())
    choice = rng.randrange(8)
    if choice == 0:
        query["client"] = str(rng.randrange(100, 380))
    elif choice == 1:
        query.update(destination="numbers", number=f"%**{rng.randrange(100, 400)}")
    elif choice == 2:
        query["destination"] = rng.choice(["external", "internal", "all"])
    elif choice == 3:
        query["caller"] = str(rng.randrange(101, 131))
    elif choice == 4:
        query["status"] = rng.choice(["answered", "no_answer", "busy", "failed"])
    elif choice == 5:
        query["min_talk"] = rng.choice([60, 300, 600])
    elif choice == 6:
        query["unknown_code"] = "on"
    if rng.random() < 0.3:
        query["sort"] = rng.choice(["-talk_seconds", "caller", "destination", "start"])
    if rng.random() < 0.3:
        query["page"] = rng.randrange(2, 5)
    return f"/calls/?{urlencode(query)}"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(label: str, times: list[float], errors: int, seconds: float | None = None) -> None:
    line = (
        f"{label}: {len(times)} requests, {errors} errors; p50 {statistics.median(times):.0f} ms, "
        f"p95 {percentile(times, 0.95):.0f} ms, max {max(times):.0f} ms"
    )
    if seconds:
        line += f"; {len(times) / seconds:.1f} requests/s"
    print(line, flush=True)


def measure(port: int, args) -> dict[str, float]:
    user = Browser(port)
    user.log_in()
    pages = one_clients_pages()
    for path in pages:  # warm-up: every worker process and thread has seen these
        for _ in range(3):
            user.get(path)
    times, errors = [], 0
    for n in range(args.single):
        started = time.perf_counter()
        status, _ = user.get(pages[n % len(pages)])
        times.append((time.perf_counter() - started) * 1000)
        errors += status != 200
    report("1 user, client 123's call-log pages (warm)", times, errors)
    p95 = percentile(times, 0.95)
    figures = {"1 user p95": p95}
    print(f"  goal p95 <= 150 ms: {'met' if p95 <= 150 else 'MISSED'} ({p95:.0f} ms)")

    results: list[tuple[float, int]] = []
    lock = threading.Lock()
    users = [Browser(port) for _ in range(args.clients)]
    for browser in users:
        browser.log_in()
    start_line = threading.Barrier(args.clients + 1)

    def work(browser: Browser, seed: int, until: list[float]):
        rng = random.Random(seed)
        start_line.wait()
        while time.perf_counter() < until[0]:
            path = random_filter(rng)
            started = time.perf_counter()
            try:
                status, _ = browser.get(path)
            except OSError:
                status = 0
            with lock:
                results.append(((time.perf_counter() - started) * 1000, status))

    until = [0.0]
    threads = [
        threading.Thread(target=work, args=(browser, seed, until))
        for seed, browser in enumerate(users)
    ]
    for thread in threads:
        thread.start()
    until[0] = time.perf_counter() + args.seconds
    started = time.perf_counter()
    start_line.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    times = [ms for ms, _status in results]
    errors = sum(status != 200 for _ms, status in results)
    report(f"{args.clients} users at once, varied filters, {elapsed:.0f} s", times, errors, elapsed)
    figures[f"{args.clients} users p50"] = statistics.median(times)
    figures[f"{args.clients} users p95"] = percentile(times, 0.95)
    figures["requests/s"] = len(times) / elapsed
    return figures


def timed(browser: "Browser", path: str, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        status, _ = browser.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert status == 200, f"{path}: {status}"
    return times


def packs_running(running: server, packs: int) -> dict[str, float]:
    """Phase 3: pages while ``packs`` month packs are made by a real task worker."""
    user = Browser(running.port)
    user.log_in()
    log_page = f"/calls/?{urlencode({'client': '123', **two_years()})}"
    before = {path: timed(user, path, 20) for path in ("/health/", log_page)}
    worker = subprocess.Popen(
        [str(BIN / "python"), "manage.py", "db_worker", "--no-reload", "--interval", "0.5"],
        cwd=ROOT,
        env=running.env,
        stdout=subprocess.DEVNULL,
        stderr=open(running.folder / "worker.log", "wb"),  # noqa: SIM115
        start_new_session=True,
    )
    try:
        _status, page = user.get("/clients/statements/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        today = datetime.now(UTC).date().replace(day=1)
        asked = []
        for n in range(packs):
            month = today - timedelta(days=31 * (n + 1))
            first = month.replace(day=1)
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            query = urlencode({"date_after": str(first), "date_before": str(last)})
            started = time.perf_counter()
            status, _ = user.request(
                "POST",
                f"/clients/statements/pack/?{query}",
                body=urlencode({"csrfmiddlewaretoken": token}),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            asked.append((time.perf_counter() - started) * 1000)
            assert status == 302, f"asking for a pack: {status}"
        report(f"asking for {packs} month packs (queued, not made)", asked, 0)
        time.sleep(2)  # the worker has taken the first
        during = {path: timed(user, path, 20) for path in ("/health/", log_page)}
        figures = {}
        for path, label in (("/health/", "/health/"), (log_page, "a call-log page")):
            report(f"{label} before the packs", before[path], 0)
            report(f"{label} with {packs} packs running", during[path], 0)
            ratio = statistics.median(during[path]) / statistics.median(before[path])
            print(f"  {label}: p50 with packs / without {ratio:.2f}x", flush=True)
            figures[f"{label} p50 ratio, packs running"] = ratio
        return figures
    finally:
        worker.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        worker.send_signal(signal.SIGTERM)  # hand the pack in hand back: the database goes
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


if __name__ == "__main__":
    main()
