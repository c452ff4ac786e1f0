"""Issue #16's promise, in a real browser: a partner issues last month from the client
summary, reads who gets what before confirming, and finds the statements issued, the one with
an address sent (to a real SMTP server on 127.0.0.1) and its PDF the exact one e-mailed."""

import base64
from datetime import datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from calls.models import ClosedPeriod
from clients.models import IssuedStatement
from firm.roles import PARTNER
from tests.e2e.pages import log_in, new_page
from tests.e2e.test_partner_prints_a_clients_calls import FETCH
from tests.factories import make_call, make_client, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_partner_issues_and_sends_last_month(browser, live_server, smtp_server, worker):
    make_user("paolo", role=PARTNER, password="segreta-123")
    alfa = make_client(
        "101", "Alfa S.r.l.", hourly_rate=Decimal("100"), billing_email="conti@alfa.test"
    )
    gamma = make_client("303", "Gamma Studi", hourly_rate=Decimal("60"))
    last_month = (timezone.localdate().replace(day=1) - timezone.timedelta(days=1)).replace(day=3)
    start = timezone.make_aware(datetime.combine(last_month, time(10)))
    make_call(client=alfa, billing_code="101", talk_seconds=600, start=start)
    make_call(client=gamma, billing_code="303", talk_seconds=90, start=start)

    log_in(browser, live_server, "paolo", "segreta-123")
    with new_page(browser):
        browser.find_element(By.LINK_TEXT, "Rendiconti clienti").click()
    with new_page(browser):  # last month is the summary's default period
        browser.find_element(By.ID, "issue-link").click()
    alfa_row = browser.find_element(By.ID, "client-101").text
    gamma_row = browser.find_element(By.ID, "client-303").text
    assert "€ 20,00" in alfa_row and "conti@alfa.test" in alfa_row
    assert "nessun indirizzo: non inviato" in gamma_row
    assert not IssuedStatement.objects.exists()

    with new_page(browser):
        browser.find_element(By.ID, "issue-confirm").click()
    # Issued and sent by the task worker; the job's page follows it (firm/jobs.py).
    assert "/jobs/" in browser.current_url
    worker.start(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_server.port),
        EMAIL_TIMEOUT="5",
        DEFAULT_FROM_EMAIL="Studio Legale Rossi <clientcalls@studio.test>",
    )
    WebDriverWait(browser, 120).until(
        lambda driver: driver.find_element(By.ID, "job-state").text == "Pronto."
    )
    messages = browser.find_element(By.ID, "job-report").text
    assert "rendiconti emessi 2, inviati 1" in messages
    assert "Gamma Studi: nessun indirizzo e-mail di fatturazione, non inviato" in messages
    with new_page(browser):
        browser.find_element(By.ID, "job-back").click()
    assert ClosedPeriod.objects.filter(month=last_month.replace(day=1)).exists()
    sent = IssuedStatement.objects.get(client=alfa)
    row = browser.find_element(By.ID, f"statement-{sent.pk}").text
    assert sent.number in row and "conti@alfa.test" in row
    assert [m.rcpt for m in smtp_server.messages] == [["conti@alfa.test"]]

    link = browser.find_element(By.CSS_SELECTOR, f"#statement-{sent.pk} a[href$='/pdf/']")
    content_type, body = browser.execute_async_script(FETCH, link.get_attribute("href"))
    assert content_type == "application/pdf"
    [attachment] = list(smtp_server.messages[0].iter_attachments())
    assert base64.b64decode(body) == attachment.get_content()
