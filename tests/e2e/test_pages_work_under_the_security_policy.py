"""The Content-Security-Policy runs only the app's own script and style files: in a real
browser the pages that have behaviour still work, the admin too, and the console reports no
blocked script or style (the ``browser`` fixture fails the test on any)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from firm.roles import ADMINISTRATOR, PARTNER
from tests.e2e.pages import log_in, new_page
from tests.factories import make_call, make_client, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_pages_scripts_work_and_nothing_is_blocked(browser, live_server):
    make_user("anna", role=ADMINISTRATOR, password="segreta-123")
    paolo = make_user("paolo", role=PARTNER)
    make_client("123", "Affaroni S.p.A.")
    start = timezone.localtime().replace(day=1, hour=9, minute=0, second=0)
    for minute in range(3):
        make_call(start=start + timedelta(minutes=minute), destination="0212345678")

    log_in(browser, live_server, "anna", "segreta-123")
    # The language menu submits itself (static/js/app.js).
    with new_page(browser):
        Select(browser.find_element(By.NAME, "language")).select_by_value("en")
    assert browser.find_element(By.LINK_TEXT, "Unassigned calls")

    with new_page(browser):
        browser.find_element(By.LINK_TEXT, "Unassigned calls").click()
    browser.find_element(By.ID, "select-all").click()
    boxes = browser.find_elements(By.CSS_SELECTOR, "#assign-form input[name=calls]")
    assert len(boxes) == 3
    assert all(box.is_selected() for box in boxes)

    browser.get(f"{live_server.url}{reverse('clients:detail', kwargs={'code': '123'})}")
    assert "Affaroni" in browser.find_element(By.TAG_NAME, "h1").text

    # A PDF opens in Chromium's own viewer, under the PDF response's policy (crbug.com/271452).
    browser.get(f"{live_server.url}{reverse('calls:pdf')}?period=this_month")

    # The admin: its own scripts and styles load, forms show.
    for url in [
        reverse("admin:index"),
        reverse("admin:auth_user_change", args=[paolo.pk]),
        reverse("admin:calls_call_changelist"),
        reverse("admin:calls_importrun_upload"),
        reverse("admin:clients_client_add"),
    ]:
        browser.get(f"{live_server.url}{url}")
        assert browser.find_element(By.ID, "content")
