"""At phone width (390 px) the call log's and the client summary's rows are cards: every
cell, the amounts included, is on screen under its column's name, and the page never
scrolls sideways. At desktop width the tables stay tables."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from firm.roles import PARTNER
from tests.e2e.pages import log_in
from tests.factories import make_call, make_client, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _within_the_screen(browser, element) -> bool:
    width = browser.execute_script("return document.documentElement.clientWidth")
    rect = element.rect
    return element.is_displayed() and rect["x"] >= 0 and rect["x"] + rect["width"] <= width


def _no_sideways_scroll(browser) -> bool:
    return browser.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.fixture
def calls():
    make_user("paolo", role=PARTNER, password="segreta-123")
    client = make_client("123", "Affaroni Costruzioni Generali S.p.A.", hourly_rate=Decimal(150))
    today = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    last_month = today.replace(day=1) - timedelta(days=3)
    for start in (today.replace(day=1), last_month):
        make_call(
            start=start,
            caller="114",
            caller_name="Avv. Maria Giovanna Rossi",
            destination="00443454565678**123",
            billing_code="123",
            client=client,
            talk_seconds=1800,
            cost=Decimal("12.3456"),
        )


def test_a_partner_on_a_phone_reads_each_call_as_a_card(browser, live_server, calls):
    browser.set_window_size(390, 844)
    log_in(browser, live_server, "paolo", "segreta-123")
    browser.get(f"{live_server.url}/calls/")

    for label in ("Data e ora", "Destinazione", "Cliente", "Conversazione", "Costo"):
        cell = browser.find_element(By.CSS_SELECTOR, f"table.cards td[data-label='{label}']")
        browser.execute_script("arguments[0].scrollIntoView()", cell)
        assert _within_the_screen(browser, cell), label
    cost = browser.find_element(By.CSS_SELECTOR, "td[data-label='Costo']")
    assert cost.text == "12,3456"
    assert _no_sideways_scroll(browser)


def test_a_partner_on_a_phone_sees_each_clients_amount(browser, live_server, calls):
    browser.set_window_size(390, 844)
    log_in(browser, live_server, "paolo", "segreta-123")
    browser.get(f"{live_server.url}/clients/statements/")

    amount = browser.find_element(By.CSS_SELECTOR, "table.cards td[data-label='Importo']")
    browser.execute_script("arguments[0].scrollIntoView()", amount)
    assert _within_the_screen(browser, amount)
    assert amount.text == "€ 75,00"
    assert _no_sideways_scroll(browser)


def test_at_desktop_width_the_call_log_is_a_table(browser, live_server, calls):
    browser.set_window_size(1366, 900)
    log_in(browser, live_server, "paolo", "segreta-123")
    browser.get(f"{live_server.url}/calls/")

    header = browser.find_element(By.CSS_SELECTOR, "table.cards thead th")
    assert header.value_of_css_property("display") == "table-cell"
    cells = browser.find_elements(By.CSS_SELECTOR, "table.cards tbody tr:first-child td")
    assert len({cell.rect["y"] for cell in cells}) == 1  # one line, side by side


def _last_month_issued():
    from django.contrib.auth.models import User

    from calls.periods import month_start, previous_month
    from clients.billing.issuing import statements_issue
    from firm.lib.dates import today_local

    month = previous_month(month_start(today_local()))
    statements_issue(month=month, user=User.objects.get(username="paolo"))


@pytest.mark.parametrize(
    ("path", "label", "shown"),
    [
        ("/clients/123/statement/?period=last_month", "Tempo fatturabile", "0:30:00"),
        ("/clients/statements/issued/", "Importo", "€ 75,00"),
        ("/", "", ""),
    ],
    ids=["statement", "issued", "home"],
)
def test_a_partner_on_a_phone_reads_statements_and_the_dashboard_without_scrolling_sideways(
    browser, live_server, calls, path, label, shown
):
    _last_month_issued()
    browser.set_window_size(390, 844)
    log_in(browser, live_server, "paolo", "segreta-123")
    browser.get(f"{live_server.url}{path}")

    tables = browser.find_elements(By.CSS_SELECTOR, "main table")
    assert tables
    for table in tables:
        for cell in table.find_elements(By.CSS_SELECTOR, "tbody td, tbody th"):
            if cell.is_displayed():
                browser.execute_script("arguments[0].scrollIntoView()", cell)
                assert _within_the_screen(browser, cell), cell.text
    if label:
        cell = browser.find_element(By.CSS_SELECTOR, f"table.cards td[data-label='{label}']")
        assert cell.text == shown
    assert _no_sideways_scroll(browser)
