"""In a real browser: a lawyer's firm reviews last month before issuing (each
client's PDF and e-mail opened, one client left out), issues without sending, then changes a
rate: the statement page keeps the issued avviso's figures and says that today's differ; the
client summary and the dashboard show the issued figures and lead to the statement, whose
correction then shows the new ones everywhere."""

import base64
import io
from datetime import datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from clients.models import IssuedStatement
from firm.lib.dates import month_days
from firm.models import FirmSettings
from firm.roles import PARTNER
from tests.e2e.pages import log_in, new_page
from tests.e2e.test_partner_prints_a_clients_calls import FETCH
from tests.factories import make_call, make_client, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_partner_reviews_issues_and_keeps_the_issued_figures(
    browser, live_server, smtp_server, worker
):
    make_user("paolo", role=PARTNER, password="segreta-123")
    firm = FirmSettings.load()
    firm.profession = "lawyer"
    firm.save()
    alfa = make_client(
        "101",
        "Alfa S.r.l.",
        hourly_rate=Decimal("100"),
        billing_email="conti@alfa.test",
        withholding_agent=True,
    )
    beta = make_client("202", "Beta Caffè", hourly_rate=Decimal("100"))
    gamma = make_client("303", "Gamma Studi", hourly_rate=Decimal("100"))
    last_month = (timezone.localdate().replace(day=1) - timezone.timedelta(days=1)).replace(day=3)
    start = timezone.make_aware(datetime.combine(last_month, time(10)))
    make_call(client=alfa, billing_code="101", talk_seconds=3600, start=start)
    make_call(client=beta, billing_code="202", talk_seconds=1800, start=start)
    make_call(client=gamma, billing_code="303", talk_seconds=1800, start=start)
    month = f"{last_month:%Y-%m}"

    log_in(browser, live_server, "paolo", "segreta-123")
    with new_page(browser):
        browser.get(f"{live_server.url}/clients/statements/issue/?month={month}")
    assert "145,91" in browser.find_element(By.ID, "client-101").text  # the avviso's total
    banner = browser.find_element(By.ID, "no-address-banner").text
    assert "2 clienti" in banner and "Beta Caffè" in banner and "Gamma Studi" in banner

    # Open Alfa's PDF and e-mail before anything is issued.
    pdf_link = browser.find_element(By.ID, "pdf-101").get_attribute("href")
    content_type, body = browser.execute_async_script(FETCH, pdf_link)
    assert content_type == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(base64.b64decode(body))).pages)
    assert "Avviso di parcella" in text and "122,91" in text
    email_link = browser.find_element(By.ID, "email-101").get_attribute("href")
    with new_page(browser):
        browser.get(email_link)
    assert "conti@alfa.test" in browser.find_element(By.ID, "email-to").text
    assert browser.find_element(By.ID, "email-subject").text
    with new_page(browser):
        browser.back()
    assert not IssuedStatement.objects.exists()

    # Leave Gamma out, issue only.
    browser.find_element(By.ID, "include-303").click()
    with new_page(browser):
        browser.find_element(By.ID, "issue-only").click()
    # Issued by the task worker; the job's page follows it (firm/jobs.py).
    assert "/jobs/" in browser.current_url
    worker.start()
    WebDriverWait(browser, 120).until(
        lambda driver: driver.find_element(By.ID, "job-state").text == "Pronto."
    )
    assert "nessuno inviato" in browser.find_element(By.ID, "job-report").text
    assert sorted(IssuedStatement.objects.values_list("client__code", flat=True)) == [
        "101",
        "202",
    ]
    assert smtp_server.messages == []

    # A rate changes after issuing: the page keeps the issued avviso and says so.
    alfa.hourly_rate = Decimal("300")
    alfa.save()
    first, last = month_days(last_month)
    with new_page(browser):
        browser.get(
            f"{live_server.url}/clients/101/statement/?date_after={first}&date_before={last}"
        )
    assert "Emesso come" in browser.find_element(By.ID, "issued-banner").text
    assert "145,91" in browser.find_element(By.ID, "fee-items").text
    assert "€ 300,00" in browser.find_element(By.ID, "issued-differs").text

    # The client summary of the month: the issued figures, the number, and what changed.
    alfa_issued = IssuedStatement.objects.get(client=alfa)
    with new_page(browser):
        browser.get(f"{live_server.url}/clients/statements/?date_after={first}&date_before={last}")
    row = browser.find_element(
        By.XPATH, "//table[contains(@class, 'summary')]/tbody/tr[td/a[text()='101']]"
    )
    assert f"Emesso n. {alfa_issued.number} del" in row.text
    assert "€ 100,00" in row.text and "€ 300,00" not in row.text
    assert "modificato dopo l'emissione" in row.text
    # Alfa and Beta as issued (€ 100 + € 50), Gamma, not issued, as today (€ 50).
    assert browser.find_element(By.ID, "total-amount").text == "€ 200,00"
    assert "Uno di essi" in browser.find_element(By.ID, "summary-changed").text

    # The dashboard counts last month as issued and leads to the changed statement.
    with new_page(browser):
        browser.get(f"{live_server.url}/")
    months = browser.find_element(By.ID, "dashboard-months").text
    assert "2 clienti contano con i rendiconti emessi" in months and "€ 200,00" in months
    with new_page(browser):
        browser.find_element(By.LINK_TEXT, f"{alfa_issued.number} Alfa S.r.l.").click()
    assert "€ 300,00" in browser.find_element(By.ID, "issued-differs").text

    # The correction, from the statement page: the summary then shows it, unchanged.
    with new_page(browser):
        browser.find_element(By.ID, "issue-correction").click()
    correction = IssuedStatement.objects.get(supersedes=alfa_issued)
    with new_page(browser):
        browser.get(f"{live_server.url}/clients/statements/?date_after={first}&date_before={last}")
    row = browser.find_element(
        By.XPATH, "//table[contains(@class, 'summary')]/tbody/tr[td/a[text()='101']]"
    )
    assert f"Emesso n. {correction.number} del" in row.text and "€ 300,00" in row.text
    assert "modificato" not in row.text
    assert not browser.find_elements(By.ID, "summary-changed")
