"""The Log Reporter's promise, in a real browser: a partner filters this month's calls with
the Destination pattern %**123, sees that client's calls and totals, and prints them to PDF."""

import base64
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader
from selenium.webdriver.common.by import By

from firm.roles import PARTNER
from tests.e2e.pages import log_in, new_page
from tests.factories import make_call, make_client, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Fetch a URL with the browser's own session and hand back its type and body (base64).
FETCH = """
const done = arguments[arguments.length - 1];
fetch(arguments[0]).then(async (response) => {
  const bytes = new Uint8Array(await response.arrayBuffer());
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  done([response.headers.get("content-type"), btoa(text)]);
});
"""


def test_a_partner_finds_client_123s_calls_and_prints_them(browser, live_server):
    make_user("paolo", role=PARTNER, password="segreta-123")
    affaroni = make_client("123", "Affaroni S.p.A.")
    today = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    first_of_month = today.replace(day=1)
    for n in range(3):
        make_call(
            start=first_of_month + timedelta(minutes=n),
            destination=f"345456567{n}**123",
            billing_code="123",
            client=affaroni,
            talk_seconds=100,
        )
    make_call(start=first_of_month, destination="0298765432**456", billing_code="456")

    log_in(browser, live_server, "paolo", "segreta-123")
    with new_page(browser):
        browser.find_element(By.LINK_TEXT, "Registro chiamate").click()
    browser.find_element(By.CSS_SELECTOR, "input[name=destination][value=numbers]").click()
    browser.find_element(By.NAME, "number").send_keys("%**123")
    with new_page(browser):
        browser.find_element(By.CSS_SELECTOR, ".call-filter button[type=submit]").click()

    page = browser.find_element(By.TAG_NAME, "main").text
    assert "3454565670**123" in page and "Affaroni S.p.A." in page
    assert "0298765432**456" not in page
    assert browser.find_element(By.ID, "total-calls").text == "3"
    assert browser.find_element(By.ID, "total-talk").text == "0:05:00"

    link = browser.find_element(By.ID, "print-pdf").get_attribute("href")
    browser.set_script_timeout(60)
    content_type, body = browser.execute_async_script(FETCH, link)
    assert content_type == "application/pdf"
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(base64.b64decode(body))).pages
    )
    assert "numeri %**123" in text
    assert "3454565672**123" in text
    assert "0298765432**456" not in text
