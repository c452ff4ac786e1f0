"""An administrator types an hourly rate as Italians write it, 150,00, in a real Chromium
(whose number box once read it as 15000), and the client's statement bills € 150 an hour."""

from decimal import Decimal

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from clients.models import Client
from firm.roles import ADMINISTRATOR
from tests.e2e.pages import log_in, new_page
from tests.factories import make_call, make_client, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_administrator_types_150_comma_00_and_the_statement_bills_150_an_hour(
    browser, live_server
):
    make_user("anna", role=ADMINISTRATOR, password="segreta-123")
    affaroni = make_client("123", "Affaroni S.p.A.")
    make_call(  # half an hour this month, billed to Affaroni by its code
        start=timezone.localtime().replace(day=1, hour=9, minute=0, second=0),
        destination="0212345678**123",
        dialled_number="0212345678",
        billing_code="123",
        client=affaroni,
        talk_seconds=1800,
    )

    log_in(browser, live_server, "anna", "segreta-123")
    browser.get(f"{live_server.url}/admin/clients/client/{affaroni.pk}/change/")
    rate = browser.find_element(By.NAME, "hourly_rate")
    assert rate.get_attribute("type") == "text"
    rate.send_keys("150,00")
    with new_page(browser):
        browser.find_element(By.NAME, "_continue").click()
    assert Client.objects.get().hourly_rate == Decimal("150.00")
    assert browser.find_element(By.NAME, "hourly_rate").get_attribute("value") == "150,00"

    browser.get(f"{live_server.url}/clients/123/statement/?period=this_month")
    # 30 minutes at € 150 an hour (the default policy bills in six-minute units).
    assert browser.find_element(By.ID, "total-billable").text == "0:30:00"
    assert browser.find_element(By.ID, "total-amount").text == "€ 75,00"
