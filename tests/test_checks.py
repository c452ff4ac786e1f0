"""firm/checks.py: `check --deploy` fails while collectstatic has not run."""

import json

import pytest
from django.core.checks import WARNING, run_checks

MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def _ids(**kwargs):
    return {message.id for message in run_checks(**kwargs)}


def test_deploy_check_fails_without_the_static_manifest(settings, tmp_path):
    settings.STORAGES = MANIFEST_STORAGE
    settings.STATIC_ROOT = tmp_path
    assert "firm.E001" in _ids(include_deployment_checks=True)
    # migrate runs the checks before collectstatic: only the deploy check fails.
    assert "firm.E001" not in _ids()


def test_deploy_check_passes_once_collectstatic_wrote_the_manifest(settings, tmp_path):
    settings.STORAGES = MANIFEST_STORAGE
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "staticfiles.json").write_text(json.dumps({"paths": {}, "version": "1.1"}))
    assert "firm.E001" not in _ids(include_deployment_checks=True)


def test_development_storage_needs_no_manifest(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    assert "firm.E001" not in _ids(include_deployment_checks=True)


@pytest.mark.parametrize(
    "key",
    [
        "change-me",
        "change-me-to-a-long-random-string",
        "dev-only-insecure-key-never-use-in-production",
    ],
)
def test_the_templates_secret_key_is_a_deploy_error(settings, key):
    settings.SECRET_KEY = key
    assert "firm.E002" in _ids(include_deployment_checks=True)
    assert "firm.E002" not in _ids()


def test_a_real_secret_key_passes(settings):
    settings.SECRET_KEY = "k" * 50 + "-Real-Random-Key"
    assert "firm.E002" not in _ids(include_deployment_checks=True)


def test_the_plain_checks_say_nothing_on_either_database(db):
    # `make run` and `migrate` print every warning: a newcomer's first screen stays clean
    # (SQLite ignores the indexes' INCLUDE columns by design: models.W040 is silenced).
    shown = [
        message
        for message in run_checks(databases=["default"])
        if message.level >= WARNING and not message.is_silenced()
    ]
    assert shown == []
