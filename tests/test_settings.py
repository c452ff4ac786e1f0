import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from firm.env import envbool, envint, envlist


@pytest.mark.parametrize(
    ("raw", "value"), [("1", True), ("yes", True), ("0", False), ("off", False), ("", False)]
)
def test_envbool_reads_the_usual_spellings(monkeypatch, raw, value):
    monkeypatch.setenv("FLAG", raw)
    assert envbool("FLAG", not value) is value


def test_envbool_fails_loudly_on_a_typo(monkeypatch):
    monkeypatch.setenv("FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        envbool("FLAG", False)


def test_envint_fails_loudly_on_a_typo(monkeypatch):
    monkeypatch.setenv("NUMBER", "6O")
    with pytest.raises(ImproperlyConfigured, match="NUMBER"):
        envint("NUMBER", 1)


def test_envlist_splits_on_commas(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, b.example,")
    assert envlist("HOSTS", []) == ["a.example", "b.example"]


def _manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = _manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_debug_is_off_unless_set():
    result = _manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 60 + "-Production-Key-For-The-Check",
    "ALLOWED_HOSTS": "clientcalls.example.it",
}


def test_production_settings_pass_the_deploy_check_once_static_files_are_collected(tmp_path):
    static_root = str(tmp_path / "static")
    deploy_check = ("check", "--deploy", "--fail-level", "WARNING")
    result = _manage(*deploy_check, **PRODUCTION, STATIC_ROOT=static_root)
    assert result.returncode != 0
    assert "firm.E001" in result.stderr
    collected = _manage("collectstatic", "--noinput", **PRODUCTION, STATIC_ROOT=static_root)
    assert collected.returncode == 0, collected.stderr
    result = _manage(*deploy_check, **PRODUCTION, STATIC_ROOT=static_root)
    assert result.returncode == 0, result.stdout + result.stderr


def _setting(name, **env):
    code = f"from django.conf import settings; print(getattr(settings, {name!r}, None))"
    result = _manage("shell", "-c", code, **PRODUCTION, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_proxy_header_is_trusted_only_when_asked():
    assert _setting("SECURE_PROXY_SSL_HEADER") == "None"
    trusted = _setting("SECURE_PROXY_SSL_HEADER", TRUST_PROXY_HEADERS="1")
    assert trusted == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_the_env_templates_secret_key_fails_the_deploy_check(tmp_path):
    static_root = str(tmp_path / "static")
    collected = _manage("collectstatic", "--noinput", **PRODUCTION, STATIC_ROOT=static_root)
    assert collected.returncode == 0, collected.stderr
    env = {**PRODUCTION, "SECRET_KEY": "change-me", "STATIC_ROOT": static_root}
    result = _manage("check", "--deploy", **env)
    assert result.returncode != 0
    assert "firm.E002" in result.stderr
