"""Personas, one per role (after healthchecks' alice/bob/charlie), and test-wide settings."""

import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client as BrowserClient
from django.utils import timezone
from hypothesis import settings as hypothesis_settings

from firm.roles import ADMINISTRATOR, PARTNER, RECEPTIONIST
from tests.factories import make_client, make_user

# The firm's time zone (settings.TIME_ZONE), in which tests write local times.
ROME = ZoneInfo("Europe/Rome")
# "Now" for tests that freeze the clock (``frozen_now``), unless the module sets its own NOW.
NOW = datetime(2026, 5, 13, 10, 0, tzinfo=UTC)
# Real CDR files (tests/fixtures/samples/README.md says where each comes from).
SAMPLES = Path(__file__).resolve().parent / "fixtures" / "samples"

# CI runs the property tests with a fixed seed so that a run is repeatable; locally they
# explore new examples each time.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, deadline=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def rita(db):
    """Rita, receptionist: looks up client codes."""
    return make_user("rita", role=RECEPTIONIST)


@pytest.fixture
def paolo(db):
    """Paolo, partner: reads the call log and prints reports."""
    return make_user("paolo", role=PARTNER)


@pytest.fixture
def anna(db):
    """Anna, administrator: trunks, settings, users."""
    return make_user("anna", role=ADMINISTRATOR)


@pytest.fixture
def nora(db):
    """Nora has an account but no role."""
    return make_user("nora")


@pytest.fixture
def affaroni(db):
    """Client 123, Affaroni S.p.A.: the client the tests bill. Modules that want it with a
    rate, matters or calls build on it in a fixture of their own name (``affaroni_in_may``)."""
    return make_client("123", "Affaroni S.p.A.")


def logged_in(user) -> BrowserClient:
    browser = BrowserClient()
    browser.force_login(user)
    return browser


@pytest.fixture
def frozen_now(request, monkeypatch):
    """``timezone.now()`` fixed at the test module's ``NOW`` (else this module's)."""
    now = getattr(request.module, "NOW", NOW)
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


@pytest.fixture
def browser(paolo):
    """A test client logged in as Paolo, the partner (tests/e2e has a real browser)."""
    return logged_in(paolo)


class SmtpInbox:
    """What the test SMTP server received: ``messages`` (``email.message.EmailMessage``s,
    with their envelope recipients in ``rcpt``) and the addresses it is told to refuse."""

    def __init__(self):
        self.messages = []
        self.refuse = set()
        # After this many messages the server answers 421 (going down) to every other one.
        self.accept_only = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        if self.accept_only is not None and len(self.messages) >= self.accept_only:
            return "421 4.3.2 Service shutting down"
        message = message_from_bytes(envelope.content, policy=policy.default)
        message.rcpt = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address):
        return [message for message in self.messages if address in message.rcpt]

    def stop(self):
        """The server goes down: connections are refused."""
        self.controller.stop()

    def start(self):
        """The server comes back on the same port."""
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 (aiosmtpd) and Django's SMTP backend pointed at it;
    yields its ``SmtpInbox``: ``stop()`` it (an outage), ``start()`` it again.
    Tests never reach another server."""
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    inbox.port = port = free_port()
    inbox.controller = Controller(inbox, hostname="127.0.0.1", port=port)
    inbox.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "Studio Legale Rossi <clientcalls@studio.test>"
    settings.SITE_URL = "https://clientcalls.studio.test"
    yield inbox
    try:
        inbox.controller.stop()
    except AssertionError:  # stopped already by the test
        pass


# --- The task worker (firm/jobs.py) -----------------------------------------------------------


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the test database is a file, not memory, so a real ``db_worker`` process
    (the ``worker`` fixture) opens the same database as the test."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folder = tmp_path_factory.mktemp("database")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")


@pytest.fixture
def run_jobs(monkeypatch):
    """Call it to run every queued task now, in this process, with the package's own worker
    loop (``db_worker --batch`` without its signal handlers): for tests of what a job does.
    Connections are kept open: the test's transaction holds its data."""
    from django_tasks_db.management.commands import db_worker

    import firm.jobs

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(firm.jobs, "close_old_connections", lambda: None)

    def run():
        db_worker.Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        ).run()

    return run


def database_url() -> str:
    """The test database as a DATABASE_URL, for a process started by a test."""
    from django.db import connection

    params = connection.settings_dict
    if params["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{params['NAME']}"
    user = params["USER"] or "postgres"
    host = f"{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
    return f"postgres://{user}@{host}/{params['NAME']}"


class Worker:
    """A real ``manage.py db_worker`` process on the test database (see ``worker``)."""

    def __init__(self, env: dict, log):
        self.env = env
        self.log = log
        self.process = None

    def start(self, **env):
        import subprocess
        import sys

        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--interval",
                "0.2",
                "--no-reload",
                "--no-startup-delay",
                "-v",
                "2",
            ],
            cwd=Path(__file__).resolve().parent.parent,
            env={**self.env, **env},
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        return self

    def stop(self, timeout=60):
        import signal

        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except Exception:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@pytest.fixture
def worker(settings, tmp_path):
    """A real task worker process (``manage.py db_worker``) on the test database, with
    MEDIA_ROOT in ``tmp_path``. The test must commit its data (``transaction=True``) so the
    worker sees it; on SQLite the test database is a file for this
    (``django_db_modify_db_settings``). Not started: call ``worker.start()``."""
    settings.MEDIA_ROOT = tmp_path / "media"
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PDF_WORKERS": "1",
    }
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115
    running = Worker(env, log)
    yield running
    running.stop()
    log.close()
    if running.process is not None:
        print((tmp_path / "worker.log").read_text(errors="replace")[-3000:])
