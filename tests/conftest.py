"""Personas, one per role (after healthchecks' alice/bob/charlie), and test-wide settings."""

import os
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client as BrowserClient
from django.utils import timezone
from hypothesis import settings as hypothesis_settings

from firm.roles import ADMINISTRATOR, PARTNER, RECEPTIONIST
from tests.factories import make_user

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
