"""The month-end pack takes seconds per client: after the click the page says it is being
prepared and the links wait, until the file has come; then the page says so."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from firm.roles import PARTNER
from tests.e2e.pages import log_in
from tests.factories import make_call, make_client, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CLICK_AND_LOOK = """
const link = document.getElementById("pack-zip");
link.click();
return [document.getElementById("pack-status").textContent,
        link.getAttribute("aria-disabled"),
        new URL(link.href).searchParams.get("download_token")];
"""


def test_a_partner_sees_the_pack_being_prepared_then_ready(browser, live_server, tmp_path):
    make_user("paolo", role=PARTNER, password="segreta-123")
    client = make_client("123", "Affaroni S.p.A.", hourly_rate=Decimal(150))
    last_month = timezone.localtime().replace(day=1, hour=9) - timedelta(days=3)
    make_call(start=last_month, billing_code="123", client=client, talk_seconds=600)
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    log_in(browser, live_server, "paolo", "segreta-123")
    browser.get(f"{live_server.url}/clients/statements/")

    status, disabled, token = browser.execute_script(CLICK_AND_LOOK)

    assert status == "Preparazione in corso… (può richiedere alcuni secondi)"
    assert disabled == "true"
    assert token
    WebDriverWait(browser, 30).until(
        lambda driver: (
            driver.find_element(By.ID, "pack-status").text
            == "Il pacchetto di fine mese è stato scaricato."
        )
    )
    assert browser.find_element(By.ID, "pack-zip").get_attribute("aria-disabled") is None
    WebDriverWait(browser, 10).until(lambda driver: list(tmp_path.glob("*.zip")))
