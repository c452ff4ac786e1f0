"""A partner opens ClientCalls and reads the firm's month on the home page, in Italian: the
figures, the charts (SVG) with their numbers beside them, and the way to the queue. A
receptionist's home page has none of it."""

import os
from datetime import timedelta
from decimal import Decimal

import pytest
from selenium.webdriver.common.by import By

from calls.models import Call
from calls.periods import month_start
from firm.lib.dates import local_midnight, today_local
from firm.roles import PARTNER, RECEPTIONIST
from tests.e2e.pages import log_in, new_page
from tests.factories import make_call, make_client, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def screenshot(browser, name):
    """With SCREENSHOTS=<folder>, keep a picture of the page (to look at the layout)."""
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(browser.get_window_size()["width"], height + 100)
        browser.save_screenshot(os.path.join(folder, f"{name}.png"))


def test_a_partner_reads_the_dashboard_in_italian(browser, live_server):
    make_user("paolo", role=PARTNER, password="segreta-123")
    affaroni = make_client("123", "Affaroni S.p.A.", hourly_rate=Decimal("120.00"))
    bianchi = make_client("456", "Bianchi Costruzioni S.r.l.", hourly_rate=Decimal("90.00"))
    first = local_midnight(month_start(today_local())) + timedelta(hours=9)
    for minutes, talk in enumerate((100, 200, 400)):
        make_call(
            start=first + timedelta(minutes=minutes),
            talk_seconds=talk,
            billing_code="123",
            client=affaroni,
        )
    make_call(start=first + timedelta(hours=1), talk_seconds=30, billing_code="456", client=bianchi)
    make_call(start=first + timedelta(hours=2), talk_seconds=50, billing_code="987")
    make_call(start=first + timedelta(hours=3), talk_seconds=70)  # no code: the queue
    make_call(start=first + timedelta(hours=4), direction=Call.Direction.INBOUND)

    for width in (1366, 390):
        browser.set_window_size(width, 900)
        log_in(browser, live_server, "paolo", "segreta-123") if width == 1366 else None
        browser.get(f"{live_server.url}/")
        dashboard = browser.find_element(By.CSS_SELECTOR, "section.dashboard")
        assert "Lo studio in sintesi" in dashboard.text
        screenshot(browser, f"dashboard-{width}")

    months = browser.find_element(By.ID, "dashboard-months")
    rows = {
        row.find_element(By.TAG_NAME, "th").text: row.find_elements(By.TAG_NAME, "td")[0].text
        for row in months.find_elements(By.CSS_SELECTOR, "tbody tr")
    }
    # 7 calls, 910 s; 6-minute units per call: Affaroni 6 + 6 + 12 min at € 120 (€ 48),
    # Bianchi 6 min at € 90 (€ 9).
    assert rows == {
        "Chiamate": "7",
        "Conversazione": "0:15:10",
        "Tempo fatturabile": "0:30:00",
        "Importo": "€ 57,00",
    }, rows

    queue = browser.find_element(By.ID, "dashboard-queue")
    assert queue.find_element(By.CLASS_NAME, "figure").text == "2"  # 987 and no code
    clients = browser.find_element(By.ID, "dashboard-clients")
    names = [cell.text for cell in clients.find_elements(By.CSS_SELECTOR, "tbody td:first-child")]
    assert names == ["Affaroni S.p.A. 123", "Bianchi Costruzioni S.r.l. 456"]
    chart = clients.find_element(By.CSS_SELECTOR, "svg[role=img]")
    assert (
        chart.get_attribute("aria-label") == "Clienti principali per tempo fatturabile questo mese"
    )
    assert chart.size["width"] > 100 and chart.size["height"] > 20  # drawn, not collapsed
    coded = browser.find_element(By.ID, "dashboard-coded")
    assert coded.find_element(By.CSS_SELECTOR, "svg[role=img]").size["height"] > 50
    last_row = coded.find_elements(By.CSS_SELECTOR, "tbody tr")[-1].text
    assert last_row.endswith("5 6 83%"), last_row  # 5 of 6 outgoing calls with a code
    unknown = browser.find_element(By.ID, "dashboard-unknown")
    assert "987" in unknown.text

    with new_page(browser):
        queue.find_element(By.LINK_TEXT, "Apri la coda").click()
    assert browser.current_url.endswith("/calls/unassigned/")


def test_a_receptionists_home_page_has_no_dashboard(browser, live_server):
    make_user("rita", role=RECEPTIONIST, password="segreta-123")
    make_call(talk_seconds=100)
    log_in(browser, live_server, "rita", "segreta-123")
    assert browser.find_elements(By.CSS_SELECTOR, "section.dashboard") == []
    assert browser.find_elements(By.TAG_NAME, "svg") == []
    assert "Clienti" in browser.find_element(By.CSS_SELECTOR, "ul.tiles").text
