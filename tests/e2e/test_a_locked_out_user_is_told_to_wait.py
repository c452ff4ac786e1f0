"""Login throttling in a real browser: after five wrong passwords the login page says, in
Italian, that the account is locked and for how long, and the right password is refused
until then. With E2E_SCREENSHOTS=DIR the page is saved there, wide and phone-sized."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from selenium.webdriver.common.by import By

from firm.roles import PARTNER
from tests.e2e.pages import new_page
from tests.factories import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def try_password(browser, live_server, password):
    browser.get(f"{live_server.url}/accounts/login/")
    browser.find_element(By.NAME, "username").send_keys("paolo")
    browser.find_element(By.NAME, "password").send_keys(password)
    with new_page(browser):
        browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()


def test_a_partner_who_keeps_mistyping_is_locked_out_for_a_while(browser, live_server):
    make_user("paolo", role=PARTNER, password="segreta-123")
    for _n in range(settings.AXES_FAILURE_LIMIT):
        try_password(browser, live_server, "sbagliata")
    page = browser.find_element(By.ID, "locked-out").text
    assert "Troppi accessi non riusciti" in page
    assert "Riprova tra 15 minuti" in page

    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        for width, height in ((1366, 900), (390, 844)):
            browser.set_window_size(width, height)
            browser.save_screenshot(str(Path(folder) / f"locked-out-{width}.png"))

    try_password(browser, live_server, "segreta-123")
    assert browser.find_element(By.ID, "locked-out")
    assert "/accounts/login/" in browser.current_url
