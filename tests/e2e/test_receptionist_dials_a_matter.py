"""A receptionist finds a client by one of its matters, sees its matters on the card and
dials one: the string to dial carries the matter's code. No JavaScript needed for the
choice (a plain GET form)."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from firm.roles import RECEPTIONIST
from tests.e2e.pages import log_in, new_page
from tests.factories import make_client, make_matter, make_trunk, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_receptionist_finds_a_client_by_its_matter_and_dials_the_matter(browser, live_server):
    make_user("rita", role=RECEPTIONIST, password="segreta-123")
    affaroni = make_client("123", "Affaroni S.p.A.")
    make_matter(affaroni, "12301", "Causa Rossi c. Bianchi")
    make_matter(affaroni, "12302", "Recupero crediti")
    make_client("456", "Bianchi Costruzioni S.r.l.")
    make_trunk("9", "Gateway cellulare", is_default=True)

    log_in(browser, live_server, "rita", "segreta-123")
    with new_page(browser):
        browser.find_element(By.LINK_TEXT, "Clienti").click()
    search = browser.find_element(By.NAME, "q")
    search.send_keys("recupero")
    with new_page(browser):
        search.submit()
    assert "Recupero crediti" in browser.find_element(By.CSS_SELECTOR, ".found-matters").text
    with new_page(browser):
        browser.find_element(By.LINK_TEXT, "Affaroni S.p.A.").click()

    matters = browser.find_element(By.ID, "matters").text
    assert "Causa Rossi c. Bianchi" in matters and "**12301" in matters
    browser.find_element(By.NAME, "number").send_keys("345 456 5678")
    Select(browser.find_element(By.NAME, "matter")).select_by_visible_text(
        "12302 · Recupero crediti"
    )
    with new_page(browser):
        browser.find_element(By.CSS_SELECTOR, "#dial button[type=submit]").click()
    assert browser.find_element(By.ID, "dial-string").text == "93454565678**12302"
    assert (
        browser.find_element(By.CSS_SELECTOR, "#matter-12301 .dial-string").text
        == "93454565678**12301"
    )
