"""The queue and the periods page in a real browser: a refused assignment comes back with
the same calls ticked and the code still typed, in the error's colours; closing a month asks
first, and a No leaves it open."""

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from calls.models import CallAssignment, ClosedPeriod
from firm.roles import PARTNER
from tests.e2e.pages import log_in, new_page
from tests.factories import make_call, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _boxes(browser):
    return browser.find_elements(By.CSS_SELECTOR, "#assign-form input[name=calls]")


def test_a_partners_mistyped_code_keeps_the_ticks_and_the_code(browser, live_server):
    make_user("paolo", role=PARTNER, password="segreta-123")
    first_of_month = timezone.localtime().replace(day=1, hour=9, minute=0, second=0)
    for hour in range(3):
        make_call(start=first_of_month + timedelta(hours=hour))

    log_in(browser, live_server, "paolo", "segreta-123")
    browser.get(f"{live_server.url}/calls/unassigned/")
    boxes = _boxes(browser)
    assert len(boxes) == 3
    boxes[0].click()
    boxes[2].click()
    browser.find_element(By.ID, "id_client_code").send_keys("999")
    browser.find_element(By.ID, "id_note").send_keys("per Rossi")
    with new_page(browser):
        browser.find_element(By.CSS_SELECTOR, "button[name=action][value=client]").click()

    error = browser.find_element(By.CSS_SELECTOR, ".messages li.error")
    assert "999" in error.text
    colour = error.value_of_css_property("background-color")
    assert colour != "rgba(255, 248, 225, 1)"  # not the old yellow of every message
    assert [box.is_selected() for box in _boxes(browser)] == [True, False, True]
    assert browser.find_element(By.ID, "id_client_code").get_attribute("value") == "999"
    assert browser.find_element(By.ID, "id_note").get_attribute("value") == "per Rossi"
    assert not CallAssignment.objects.exists()


def test_closing_a_month_asks_first(browser, live_server):
    make_user("paolo", role=PARTNER, password="segreta-123")
    log_in(browser, live_server, "paolo", "segreta-123")
    browser.get(f"{live_server.url}/calls/periods/")
    close = "form[data-confirm] button[value=close]"

    browser.find_element(By.CSS_SELECTOR, close).click()
    alert = browser.switch_to.alert
    assert "Chiudere" in alert.text
    alert.dismiss()
    assert not ClosedPeriod.objects.exists()
    assert browser.find_elements(By.CSS_SELECTOR, close)  # still the same page

    with new_page(browser):
        browser.find_element(By.CSS_SELECTOR, close).click()
        browser.switch_to.alert.accept()
    assert browser.find_element(By.CSS_SELECTOR, ".messages li.success").text.endswith("chiuso.")
    assert ClosedPeriod.objects.count() == 1
