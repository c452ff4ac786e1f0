"""Forbidden, missing and broken pages answer in the app's layout, in Italian, with a way
back to the start page (templates/403.html, 404.html, 500.html)."""

import logging
import sys

import pytest
from django.test import Client as BrowserClient
from django.urls import reverse

from firm.log import ForbiddenOneLine
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def test_a_receptionist_opening_the_call_log_gets_the_forbidden_page_with_her_menu(rita):
    response = logged_in(rita).get(reverse("calls:log"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Questa pagina non è per il tuo ruolo" in page
    assert f'href="{reverse("home")}">Torna alla pagina iniziale' in page
    assert f'href="{reverse("clients:search")}"' in page  # her menu is there
    assert "403 Forbidden" not in page


def test_a_missing_page_is_explained_in_italian(paolo):
    response = logged_in(paolo).get("/calls/999999999/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Pagina non trovata" in page
    assert "Torna alla pagina iniziale" in page


def test_in_english_the_pages_speak_english(rita):
    browser = logged_in(rita)
    browser.cookies["django_language"] = "en"  # as the language menu sets it
    response = browser.get(reverse("calls:log"))
    assert response.status_code == 403
    assert "This page is not for your role" in response.content.decode()


def test_a_broken_page_answers_500_in_the_layout_without_anything_that_could_fail(
    paolo, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("the home page broke")

    monkeypatch.setattr("calls.views.dashboard.render", broken)
    browser = BrowserClient(raise_request_exception=False)
    browser.force_login(paolo)
    response = browser.get(reverse("home"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Qualcosa è andato storto" in page
    assert "Torna alla pagina iniziale" in page
    assert "the home page broke" not in page  # no details for the reader


def test_a_forbidden_page_is_logged_in_one_line_without_a_traceback(rita, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert logged_in(rita).get(reverse("calls:log")).status_code == 403
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    line = logging.Formatter().format(record)
    assert line == f"Forbidden (Permission denied): {reverse('calls:log')}"
    assert record.exc_info is None


def test_other_errors_keep_their_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("django.request", 40, "", 0, "x", (), sys.exc_info())
    record.status_code = 500
    assert ForbiddenOneLine().filter(record)
    assert record.exc_info is not None
