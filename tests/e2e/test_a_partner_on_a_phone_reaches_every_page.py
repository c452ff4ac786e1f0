"""At phone width (390 px) the menu folds behind its button and every page is reachable;
at desktop width the menu is simply there."""

import pytest
from selenium.webdriver.common.by import By

from firm.roles import PARTNER
from tests.e2e.pages import log_in, new_page
from tests.factories import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _menu_links(browser) -> list[str]:
    return [link.text for link in browser.find_elements(By.CSS_SELECTOR, "#menu a")]


def test_a_partner_on_a_phone_opens_the_menu_and_reaches_the_queue(browser, live_server):
    make_user("paolo", role=PARTNER, password="segreta-123")
    browser.set_window_size(390, 844)
    log_in(browser, live_server, "paolo", "segreta-123")
    toggle = browser.find_element(By.CSS_SELECTOR, ".menu-toggle")
    assert toggle.is_displayed()
    assert not browser.find_element(By.ID, "menu").is_displayed()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert "Chiamate da assegnare" in _menu_links(browser)
    queue = browser.find_element(By.LINK_TEXT, "Chiamate da assegnare")
    assert queue.is_displayed()
    right = queue.rect["x"] + queue.rect["width"]
    assert right <= browser.execute_script("return document.documentElement.clientWidth")
    with new_page(browser):
        queue.click()
    assert browser.current_url.endswith("/calls/unassigned/")
    logout = browser.find_element(By.XPATH, "//button[text()='Esci']")
    assert logout.is_displayed()  # the account line stays on screen, menu folded or not


def test_at_desktop_width_the_menu_is_open_without_a_button(browser, live_server):
    make_user("paolo", role=PARTNER, password="segreta-123")
    browser.set_window_size(1366, 900)
    log_in(browser, live_server, "paolo", "segreta-123")
    assert not browser.find_element(By.CSS_SELECTOR, ".menu-toggle").is_displayed()
    assert browser.find_element(By.LINK_TEXT, "Periodi chiusi").is_displayed()
