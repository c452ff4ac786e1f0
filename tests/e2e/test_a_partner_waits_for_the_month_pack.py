"""The month-end pack is made by the task worker: after the click the partner lands on the
job's page, which says it waits for the worker, then shows how far it has got (the page's
script asks the status URL), then the download link; the ZIP is downloaded. A real worker
process (``manage.py db_worker``) and a real Chromium."""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from firm.roles import PARTNER
from tests.e2e.pages import log_in, new_page
from tests.factories import make_call, make_client, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_partner_sees_the_pack_progress_then_downloads_it(browser, live_server, worker, tmp_path):
    make_user("paolo", role=PARTNER, password="segreta-123")
    last_month = timezone.localtime().replace(day=1, hour=9) - timedelta(days=3)
    for number in range(5):
        client = make_client(f"12{number}", f"Cliente {number} S.p.A.", hourly_rate=Decimal(150))
        make_call(start=last_month, billing_code=client.code, client=client, talk_seconds=600)
    downloads = tmp_path / "downloads"
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    log_in(browser, live_server, "paolo", "segreta-123")
    browser.get(f"{live_server.url}/clients/statements/")

    with new_page(browser):
        browser.find_element(By.ID, "pack-zip").click()

    assert "/jobs/" in browser.current_url
    assert browser.find_element(By.ID, "job-state").text == "In attesa del worker…"
    assert not browser.find_element(By.ID, "job-download").is_displayed()
    worker.start()
    seen = set()

    def ready(driver):
        seen.add(driver.find_element(By.ID, "job-progress-text").text)
        return driver.find_element(By.ID, "job-download").is_displayed()

    WebDriverWait(browser, 120, poll_frequency=0.1).until(ready)
    # Written by the page's script from the status URL (the page came with no progress).
    assert browser.find_element(By.ID, "job-progress-text").text == "5/5 clienti"
    assert seen <= {
        "",
        "0/5 clienti",
        "1/5 clienti",
        "2/5 clienti",
        "3/5 clienti",
        "4/5 clienti",
        "5/5 clienti",
    }
    assert browser.find_element(By.ID, "job-state").text == "Pronto."
    assert "5 clienti, 5 chiamate" in browser.find_element(By.ID, "job-report").text
    link = browser.find_element(By.ID, "job-download-link")
    assert link.text.endswith(".zip")
    assert not browser.find_element(By.ID, "job-leave").is_displayed()
    link.click()
    WebDriverWait(browser, 20).until(lambda driver: list(downloads.glob("*.zip")))
    time.sleep(0.2)
