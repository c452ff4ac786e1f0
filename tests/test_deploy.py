"""deploy/: the systemd units parse, and the daily job runs every step, in order, whatever
fails, with the month pack on the 1st only."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = sorted([*DEPLOY.glob("*.service"), *DEPLOY.glob("*.timer")])
# Being written on main (another engineer's part): the daily job calls it all the same.
NOT_HERE_YET = {"mark_interrupted_imports"}


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="no systemd-analyze here")
def test_the_units_pass_systemd_analyze_verify(tmp_path):
    # The units run the checkout's .venv; here, the interpreter running the tests (whose venv
    # need not be inside this checkout) stands in for it.
    bin_dir = Path(sys.executable).parent
    for unit in UNITS:
        text = unit.read_text().replace("/srv/clientcalls/app/.venv/bin", str(bin_dir))
        text = text.replace("/srv/clientcalls/app", str(ROOT))
        (tmp_path / unit.name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / unit.name) for unit in UNITS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout + result.stderr == ""


def test_every_service_stops_within_10_seconds():
    for unit in DEPLOY.glob("*.service"):
        text = unit.read_text()
        assert "TimeoutStopSec=10" in text, unit.name
        # gunicorn and listen_cdr stop themselves on SIGTERM; the daily job's shell would not
        # pass it on to its step, so there every process gets it.
        mode = "control-group" if unit.name == "clientcalls-daily.service" else "mixed"
        assert f"KillMode={mode}" in text, unit.name


def test_every_manage_py_command_the_deployment_runs_exists():
    named = set()
    for path in [*UNITS, DEPLOY / "daily.sh"]:
        named |= set(re.findall(r"manage\.py (\w+)", path.read_text()))
        named |= set(re.findall(r"^\s*step (\w+)", path.read_text(), re.MULTILINE))
    assert {"listen_cdr", "backup_database", "client_statements", "db_worker"} <= named
    assert named - NOT_HERE_YET <= set(get_commands())


@pytest.fixture
def fake_python(tmp_path):
    """Stands in for the venv's python: logs each manage.py command; one of them fails."""
    log = tmp_path / "commands.log"
    script = tmp_path / "python"
    script.write_text(
        f'#!/bin/sh\necho "$*" >> {log}\n[ "$2" = "$FAIL_COMMAND" ] && exit 1\nexit 0\n'
    )
    script.chmod(0o755)
    return script, log


def _daily(fake_python, day, fail=""):
    script, log = fake_python
    env = {
        **os.environ,
        "PYTHON": str(script),
        "DAILY_DATE": day,
        "FAIL_COMMAND": fail,
        "BACKUP_DIR": "/backups",
        "BACKUP_KEEP_DAYS": "30",
        "STATEMENTS_DIR": "/packs",
    }
    result = subprocess.run(
        [str(DEPLOY / "daily.sh")], env=env, capture_output=True, text=True, check=False
    )
    commands = log.read_text().splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return result.returncode, commands


def test_the_daily_job_cleans_up_backs_up_and_reminds_of_yesterday_every_day(fake_python):
    status, commands = _daily(fake_python, "2026-12-02")
    assert status == 0
    assert commands == [
        "manage.py mark_interrupted_imports",
        "manage.py backup_database --output /backups --keep 30",
        "manage.py delete_old_jobs",
        "manage.py send_reminders --background --day 2026-12-01",
    ]


def test_the_reminder_of_the_first_is_for_the_last_day_of_the_month_before(fake_python):
    _status, commands = _daily(fake_python, "2026-03-01")
    assert "manage.py send_reminders --background --day 2026-02-28" in commands


def test_on_the_first_it_writes_the_month_pack_of_the_month_before(fake_python):
    _status, commands = _daily(fake_python, "2026-01-01")
    assert commands[-1] == (
        "manage.py client_statements --background --month 2025-12 --output /packs"
    )


def test_a_failed_step_does_not_stop_the_others_but_fails_the_job(fake_python):
    status, commands = _daily(fake_python, "2026-12-01", fail="mark_interrupted_imports")
    assert status == 1
    assert [command.split()[1] for command in commands] == [
        "mark_interrupted_imports",
        "backup_database",
        "delete_old_jobs",
        "send_reminders",
        "client_statements",
    ]


def test_the_env_template_reads_the_same_in_the_shell_and_passes_the_deploy_check(tmp_path):
    # deploy/manage.sh reads it with the shell, the units with systemd: quoted values only.
    dump = subprocess.run(
        ["bash", "-c", f"set -a; . {DEPLOY / 'clientcalls.env'}; set +a; env -0"],
        capture_output=True,
        check=True,
        env={"PATH": os.environ["PATH"]},
    )
    env = dict(item.split("=", 1) for item in dump.stdout.decode().split("\0") if "=" in item)
    assert env["DEBUG"] == "0"
    assert env["TRUST_PROXY_HEADERS"] == "1"
    assert env["CDR_FEED_ARGS"] == "--listen 0.0.0.0:5000 --allow 192.168.1.10"
    env.update(SECRET_KEY="k" * 50 + "-Template-Check", STATIC_ROOT=str(tmp_path))
    env["PYTHONPATH"] = str(ROOT)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], env=env, check=True)
    check = subprocess.run(
        [*manage, "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_proxies_and_the_docs_allow_the_same_upload_size_above_the_apps_limit(settings):
    nginx = re.findall(r"client_max_body_size (\d+)m;", (DEPLOY / "nginx.conf").read_text())
    caddy = re.findall(r"max_size (\d+)MiB", (DEPLOY / "Caddyfile").read_text())
    security = (ROOT / "docs" / "security.md").read_text()
    documented = re.findall(r"client_max_body_size (\d+)m", security)
    assert nginx == caddy == [documented[0]] and set(documented) == set(nginx)
    allowed = int(nginx[0]) * 1024 * 1024
    # The app's own limit answers first, with its message; the proxy only stops what is larger.
    assert (
        settings.CDR_UPLOAD_MAX_REQUEST_BYTES
        < allowed
        <= 1.2 * settings.CDR_UPLOAD_MAX_REQUEST_BYTES
    )
