"""The foundation's promise, in a real browser: a receptionist finds Affaroni and gets the
string to dial; an administrator changes the marker and the helper follows."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from firm.models import FirmSettings
from firm.roles import RECEPTIONIST
from tests.e2e.pages import log_in, new_page
from tests.factories import make_client, make_trunk, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_receptionist_finds_affaroni_and_gets_the_string_to_dial(browser, live_server):
    make_user("rita", role=RECEPTIONIST, password="segreta-123")
    make_client("123", "Affaroni S.p.A.")
    make_client("456", "Bianchi Costruzioni S.r.l.")
    make_trunk("8", "Provider VoIP")
    make_trunk("9", "Gateway cellulare")

    log_in(browser, live_server, "rita", "segreta-123")
    with new_page(browser):
        browser.find_element(By.LINK_TEXT, "Clienti").click()
    search = browser.find_element(By.NAME, "q")
    search.send_keys("affar")
    with new_page(browser):
        search.submit()
    with new_page(browser):
        browser.find_element(By.LINK_TEXT, "Affaroni S.p.A.").click()

    browser.find_element(By.NAME, "number").send_keys("345 456 5678")
    Select(browser.find_element(By.NAME, "trunk")).select_by_visible_text("Gateway cellulare (9)")
    with new_page(browser):
        browser.find_element(By.CSS_SELECTOR, "#dial button[type=submit]").click()
    assert browser.find_element(By.ID, "dial-string").text == "93454565678**123"
    browser.execute_cdp_cmd(
        "Browser.grantPermissions",
        {
            "origin": live_server.url,
            "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
        },
    )
    browser.find_element(By.CSS_SELECTOR, "[data-copy=dial-string]").click()
    WebDriverWait(browser, 5).until(
        lambda driver: (
            driver.find_element(By.CSS_SELECTOR, ".dial-result [role=status]").text == "Copiato"
        )
    )
    copied = browser.execute_async_script(
        "navigator.clipboard.readText().then(arguments[arguments.length - 1])"
    )
    assert copied == "93454565678**123"

    firm = FirmSettings.load()
    firm.billing_marker = "##"
    firm.save()
    with new_page(browser):
        browser.refresh()
    assert browser.find_element(By.ID, "dial-string").text == "93454565678##123"
