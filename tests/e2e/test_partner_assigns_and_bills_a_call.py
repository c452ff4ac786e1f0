"""In a real browser: a partner gives an uncoded call to the client its
number was billed to before, then sees it on that client's statement, billed in six-minute
units at the client's rate, and prints the statement: one fit to send, without the firm's own
carrier cost."""

import base64
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from calls.models import CallAssignment
from firm.roles import PARTNER
from tests.e2e.pages import log_in, new_page
from tests.e2e.test_partner_prints_a_clients_calls import FETCH
from tests.factories import make_call, make_client, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_partner_assigns_an_uncoded_call_and_bills_it(browser, live_server):
    paolo = make_user("paolo", role=PARTNER, password="segreta-123")
    affaroni = make_client("123", "Affaroni S.p.A.", hourly_rate=Decimal("120.00"))
    first_of_month = timezone.localtime().replace(day=1, hour=9, minute=0, second=0)
    make_call(  # billed to Affaroni with its code: the number's history
        start=first_of_month,
        destination="0212345678**123",
        dialled_number="0212345678",
        billing_code="123",
        client=affaroni,
        talk_seconds=100,
        cost=Decimal("0.0450"),
    )
    uncoded = make_call(  # the same number, dialled without a code
        start=first_of_month + timedelta(hours=1),
        destination="0212345678",
        dialled_number="0212345678",
        talk_seconds=61,
        cost=Decimal("0.0450"),
    )

    log_in(browser, live_server, "paolo", "segreta-123")
    with new_page(browser):
        browser.find_element(By.LINK_TEXT, "Chiamate da assegnare").click()
    row = browser.find_element(By.XPATH, "//tr[td[contains(., '0212345678')]]")
    assert "Affaroni S.p.A." in row.text  # the suggestion
    with new_page(browser):
        row.find_element(By.CSS_SELECTOR, "button[name=one]").click()
    assert "Affaroni S.p.A." in browser.find_element(By.CSS_SELECTOR, ".messages").text
    assert "0212345678" not in browser.find_element(By.ID, "assign-form").text
    assignment = CallAssignment.objects.get()
    assert (assignment.call_id, assignment.new_client, assignment.user) == (
        uncoded.pk,
        affaroni,
        paolo,
    )

    with new_page(browser):
        browser.find_element(By.LINK_TEXT, "Rendiconti clienti").click()
    Select(browser.find_element(By.NAME, "period")).select_by_value("this_month")
    with new_page(browser):
        browser.find_element(By.CSS_SELECTOR, "#period-form button[type=submit]").click()
    with new_page(browser):
        browser.find_element(By.LINK_TEXT, "Affaroni S.p.A.").click()
    assert browser.find_element(By.ID, "total-calls").text == "2"
    # 100 s and 61 s, each billed as one six-minute unit: 12 minutes at 120 €/h.
    assert browser.find_element(By.ID, "total-billable").text == "0:12:00"
    assert "24,00" in browser.find_element(By.ID, "total-amount").text

    link = browser.find_element(By.ID, "statement-pdf").get_attribute("href")
    browser.set_script_timeout(60)
    content_type, body = browser.execute_async_script(FETCH, link)
    assert content_type == "application/pdf"
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(base64.b64decode(body))).pages
    )
    assert "Affaroni S.p.A." in text and "24,00" in text
    assert "0212345678" in text
    assert "Importi IVA esclusa" in text
    # The firm's own telephone cost stays in the internal reports.
    assert "Costo" not in text and "0,045" not in text and "0,09" not in text
