"""Matters on a statement, in a real browser: a partner opens last month's client statements,
opens a client's matters in place (no script: <details>), goes to its statement, reads it
grouped by matter and prints it to PDF."""

import base64
import io
import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader
from selenium.webdriver.common.by import By

from calls.models import Call
from firm.roles import PARTNER
from tests.e2e.pages import log_in, new_page
from tests.e2e.test_partner_prints_a_clients_calls import FETCH
from tests.factories import make_call, make_client, make_matter, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_partner_prints_a_statement_grouped_by_matter(browser, live_server):
    make_user("paolo", role=PARTNER, password="segreta-123")
    affaroni = make_client("123", "Affaroni S.p.A.", hourly_rate=Decimal("120.00"))
    rossi = make_matter(affaroni, "12301", "Causa Rossi c. Bianchi", hourly_rate=Decimal("150"))
    # Last month: the statements' default period.
    first_of_month = timezone.localtime().replace(day=1, hour=9, minute=0, second=0)
    last_month = (first_of_month - timedelta(days=1)).replace(day=10)
    for n, matter in enumerate([rossi, rossi, None]):
        make_call(
            start=last_month + timedelta(minutes=n),
            destination=f"345456567{n}**{matter.code if matter else '123'}",
            billing_code=matter.code if matter else "123",
            client=affaroni,
            matter=matter,
            talk_seconds=300,
            status=Call.Status.ANSWERED,
        )

    log_in(browser, live_server, "paolo", "segreta-123")
    with new_page(browser):
        browser.find_element(By.LINK_TEXT, "Rendiconti clienti").click()
    matters = browser.find_element(By.CSS_SELECTOR, "details.matters")
    assert not matters.find_element(By.CSS_SELECTOR, "table.matters").is_displayed()
    matters.find_element(By.TAG_NAME, "summary").click()
    shown = matters.find_element(By.CSS_SELECTOR, "table.matters")
    assert shown.is_displayed()
    assert "12301 · Causa Rossi c. Bianchi" in shown.text and "€ 30,00" in shown.text
    assert "Generale" in shown.text and "€ 12,00" in shown.text
    if os.environ.get("SCREENSHOTS"):
        browser.save_screenshot(os.path.join(os.environ["SCREENSHOTS"], "summary.png"))

    with new_page(browser):
        browser.find_element(By.LINK_TEXT, "Affaroni S.p.A.").click()
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "Pratica 12301 · Causa Rossi c. Bianchi · tariffa € 150,00 all'ora" in page
    assert "Generale · tariffa € 120,00 all'ora" in page
    assert browser.find_element(By.ID, "total-amount").text == "€ 42,00"
    if os.environ.get("SCREENSHOTS"):
        browser.save_screenshot(os.path.join(os.environ["SCREENSHOTS"], "statement.png"))

    link = browser.find_element(By.ID, "statement-pdf").get_attribute("href")
    browser.set_script_timeout(60)
    content_type, body = browser.execute_async_script(FETCH, link)
    assert content_type == "application/pdf"
    pages = PdfReader(io.BytesIO(base64.b64decode(body))).pages
    text = " ".join(" ".join(page.extract_text().split()) for page in pages)
    assert "Pratica 12301 · Causa Rossi c. Bianchi" in text
    assert "Totale pratica 12301, 2 chiamate" in text and "€ 30,00" in text
    assert "Totale senza pratica, 1 chiamata" in text
    assert "Totale, 3 chiamate" in text and "€ 42,00" in text
