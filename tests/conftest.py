"""Personas, one per role (after healthchecks' alice/bob/charlie), and test-wide settings."""

import os

import pytest
from django.test import Client as BrowserClient
from hypothesis import settings as hypothesis_settings

from firm.roles import ADMINISTRATOR, PARTNER, RECEPTIONIST
from tests.factories import make_user

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
