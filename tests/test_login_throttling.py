"""Login throttling (django-axes, firm/auth.py): repeated failed logins lock a username from
an address for a while, on both login pages; administrators see the attempts and unlock."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.core.management import call_command
from django.test import Client as BrowserClient
from django.urls import reverse
from django.utils import timezone

from tests.conftest import logged_in

pytestmark = pytest.mark.django_db

LOGIN_PAGES = ["login", "admin:login"]


def attempt(page, username, password, address="10.0.0.1"):
    browser = BrowserClient(REMOTE_ADDR=address)
    response = browser.post(reverse(page), {"username": username, "password": password})
    return response, browser


def fail(page, username, times, address="10.0.0.1"):
    """``times`` wrong passwords: the form again with its error, and from the limit on the
    lockout page."""
    for n in range(1, times + 1):
        response, _browser = attempt(page, username, "sbagliata", address)
        assert response.status_code == (429 if n >= settings.AXES_FAILURE_LIMIT else 200)


def is_logged_in(browser) -> bool:
    return "_auth_user_id" in browser.session


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_after_too_many_failures_even_the_right_password_is_refused(anna, page):
    fail(page, "anna", settings.AXES_FAILURE_LIMIT - 1)
    response, _browser = attempt(page, "anna", "sbagliata")
    assert response.status_code == 429
    response, browser = attempt(page, "anna", "pw")
    assert response.status_code == 429
    assert not is_logged_in(browser)
    page_text = response.content.decode()
    assert "Troppi accessi non riusciti" in page_text
    assert "Riprova tra 15 minuti" in page_text


def test_the_lockout_page_speaks_english_on_request(anna):
    fail("login", "anna", settings.AXES_FAILURE_LIMIT)
    browser = BrowserClient(REMOTE_ADDR="10.0.0.1", headers={"accept-language": "en"})
    response = browser.post(reverse("login"), {"username": "anna", "password": "pw"})
    assert response.status_code == 429
    assert "Try again in 15 minutes" in response.content.decode()


def test_a_few_failures_do_not_lock_and_a_success_starts_the_count_again(paolo):
    fail("login", "paolo", settings.AXES_FAILURE_LIMIT - 1)
    response, browser = attempt("login", "paolo", "pw")
    assert response.status_code == 302
    assert is_logged_in(browser)
    fail("login", "paolo", settings.AXES_FAILURE_LIMIT - 1)
    response, browser = attempt("login", "paolo", "pw")
    assert is_logged_in(browser)


def test_the_lock_is_per_username_and_address(paolo, rita):
    fail("login", "paolo", settings.AXES_FAILURE_LIMIT)
    assert attempt("login", "paolo", "pw")[0].status_code == 429
    assert is_logged_in(attempt("login", "rita", "pw")[1])  # another user, same address
    assert is_logged_in(attempt("login", "paolo", "pw", address="10.0.0.2")[1])  # elsewhere


def test_the_lock_ends_after_the_cool_off(paolo):
    fail("login", "paolo", settings.AXES_FAILURE_LIMIT)
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    response, browser = attempt("login", "paolo", "pw")
    assert response.status_code == 302
    assert is_logged_in(browser)


def test_a_management_command_unlocks_a_user(paolo):
    fail("login", "paolo", settings.AXES_FAILURE_LIMIT)
    call_command("axes_reset_username", "paolo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert is_logged_in(attempt("login", "paolo", "pw")[1])


def test_administrators_see_the_attempts_in_admin_and_others_do_not(anna, paolo):
    fail("login", "rita-typo", settings.AXES_FAILURE_LIMIT)
    assert AccessFailureLog.objects.filter(username="rita-typo").count() == (
        settings.AXES_FAILURE_LIMIT
    )
    browser = logged_in(anna)
    for model in ("accessattempt", "accessfailurelog", "accesslog"):
        response = browser.get(reverse(f"admin:axes_{model}_changelist"))
        assert response.status_code == 200
    assert (
        "rita-typo" in browser.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    )
    assert logged_in(paolo).get(reverse("admin:axes_accessattempt_changelist")).status_code == 302


def test_an_administrator_unlocks_by_deleting_the_attempt_in_admin(anna, paolo):
    fail("login", "paolo", settings.AXES_FAILURE_LIMIT)
    locked = AccessAttempt.objects.get(username="paolo")
    response = logged_in(anna).post(
        reverse("admin:axes_accessattempt_delete", args=[locked.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert is_logged_in(attempt("login", "paolo", "pw")[1])


def test_logins_without_a_request_are_not_throttled(paolo):
    """A command or the shell calling authenticate() is no one's login from an address."""
    from django.contrib.auth import authenticate

    assert authenticate(username="paolo", password="pw") == paolo


def test_behind_the_proxy_the_client_is_the_address_the_proxy_saw(paolo, settings):
    settings.TRUST_PROXY_HEADERS = True
    limit = settings.AXES_FAILURE_LIMIT

    def from_client(address, claimed):
        # The proxy connects from 127.0.0.1 and appends the address it saw; whatever the
        # client claimed in its own X-Forwarded-For stays in front and is not trusted.
        browser = BrowserClient(
            REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"{claimed}, {address}"
        )
        return browser.post(reverse("login"), {"username": "paolo", "password": "sbagliata"})

    for n in range(limit):
        response = from_client("203.0.113.5", claimed=f"198.51.100.{n}")  # a new lie each time
    assert response.status_code == 429
    assert from_client("203.0.113.9", claimed="203.0.113.5").status_code == 200
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {
        "203.0.113.5",
        "203.0.113.9",
    }
