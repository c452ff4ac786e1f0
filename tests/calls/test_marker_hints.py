"""Hints, messages and examples are written with the firm's billing marker, not a fixed
``**``: after the marker became ``##`` the call log's hint says ``%##123``."""

import pytest
from django.urls import reverse

from firm.models import FirmSettings
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def hash_marker():
    firm = FirmSettings.load()
    firm.billing_marker = "##"
    firm.save()


def english(browser, url):
    return browser.get(url, headers={"accept-language": "en"})


def test_the_call_log_hint_uses_the_current_marker(browser, hash_marker):
    page = english(browser, reverse("calls:log")).content.decode()
    assert "%##123: client 123; %##%: every call with a client code" in page
    assert "%**123" not in page


def test_the_call_log_hint_is_italian_with_the_current_marker(browser, hash_marker):
    page = browser.get(reverse("calls:log")).content.decode()
    assert "%##123: cliente 123" in page
    assert "%**" not in page


def test_the_default_marker_still_shows_stars(browser):
    assert "%**123: client 123" in english(browser, reverse("calls:log")).content.decode()


def test_the_empty_pattern_message_uses_the_current_marker(browser, hash_marker):
    response = english(browser, reverse("calls:log") + "?destination=numbers&number=")
    assert "Enter a number or a pattern, e.g. %##123." in response.content.decode()


def test_the_client_admin_code_hint_uses_the_current_marker(anna, hash_marker):
    page = english(logged_in(anna), reverse("admin:clients_client_add")).content.decode()
    assert "e.g. 123 in 93454565678##123." in page
