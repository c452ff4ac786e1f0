"""A call transferred at the PBX (Avaya IP Office: two SMDR records under one Call ID, 300 s then
180 s) in a real browser: one row in the call log with 8 minutes of talk, and the call's page
lists its two records, readable on a phone. With E2E_SCREENSHOTS=DIR the call's page is saved
there, wide and phone-sized."""

import os
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from calls.models import Call
from firm.roles import PARTNER
from tests.calls.importing.helpers import run_import, write
from tests.calls.importing.test_call_legs import FIRST, SECOND
from tests.e2e.pages import log_in, new_page
from tests.factories import make_client, make_trunk, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_partner_sees_one_call_and_its_two_records(browser, live_server, tmp_path):
    make_user("paolo", role=PARTNER, password="segreta-123")
    make_client("123", "Affaroni S.p.A.")
    make_trunk("9", "Telecom", identifiers=["T9001"])
    assert run_import(write(tmp_path / "smdr.csv", [FIRST, SECOND]))[0] == 0
    call = Call.objects.get()

    log_in(browser, live_server, "paolo", "segreta-123")
    browser.get(f"{live_server.url}/calls/?date_after=2024-12-01&date_before=2024-12-31")
    rows = browser.find_elements(By.CSS_SELECTOR, "table tbody tr")
    assert len(rows) == 1 and "0:08:00" in rows[0].text
    with new_page(browser):
        browser.get(f"{live_server.url}/calls/{call.pk}/")
    assert browser.find_element(By.ID, "call-talk").text == "0:08:00"
    records = browser.find_element(By.ID, "legs")
    assert "Record di questa chiamata" in records.text
    assert "Mario Rossi" in records.text and "Anna Bianchi" in records.text
    assert len(records.find_elements(By.CSS_SELECTOR, "tbody tr")) == 2

    folder = os.environ.get("E2E_SCREENSHOTS")
    for width, height in ((1366, 900), (390, 844)):
        browser.set_window_size(width, height)
        browser.execute_script("arguments[0].scrollIntoView()", records)
        # on a phone too, nothing wider than the screen
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0, f"{overflow}px wider than the window at {width}"
        if folder:
            browser.save_screenshot(str(Path(folder) / f"transferred-call-{width}.png"))
