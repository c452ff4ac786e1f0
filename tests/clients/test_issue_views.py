"""*Emetti e invia* on the client summary (/clients/statements/issue/), the issued statements
list and the PDF as sent: partners and administrators only."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from calls.models import ClosedPeriod
from clients.models import IssuedStatement
from tests.conftest import ROME, logged_in
from tests.factories import make_call, make_client

pytestmark = pytest.mark.django_db

ISSUE = reverse("clients:issue")
ISSUED = reverse("clients:issued")
SUMMARY = reverse("clients:statements")
MAY = "?date_after=2026-05-01&date_before=2026-05-31"


@pytest.fixture
def may():
    alfa = make_client(
        code="101", name="Alfa S.r.l.", hourly_rate=Decimal("100"), billing_email="conti@alfa.test"
    )
    gamma = make_client(code="303", name="Gamma Studi", hourly_rate=Decimal("60"))
    make_call(
        client=alfa,
        billing_code="101",
        talk_seconds=600,
        start=datetime(2026, 5, 4, 10, 0, tzinfo=ROME),
    )
    make_call(
        client=gamma,
        billing_code="303",
        talk_seconds=90,
        start=datetime(2026, 5, 20, 9, 0, tzinfo=ROME),
    )
    return alfa, gamma


def test_the_summary_of_a_month_offers_issue_and_send_to_partners(browser, may):
    page = browser.get(SUMMARY + MAY).content.decode()
    assert f'href="{ISSUE}?month=2026-05"' in page and "Emetti e invia" in page


def test_the_summary_of_other_periods_does_not(browser, may):
    page = browser.get(SUMMARY + "?date_after=2026-05-01&date_before=2026-05-15").content.decode()
    assert ISSUE not in page


def test_the_confirmation_lists_who_gets_what(browser, may):
    page = browser.get(ISSUE + "?month=2026-05").content.decode()
    alfa = page[page.index('id="client-101"') :].split("</tr>")[0]
    gamma = page[page.index('id="client-303"') :].split("</tr>")[0]
    assert "Alfa S.r.l." in alfa and "€ 20,00" in alfa and "conti@alfa.test" in alfa
    assert "Gamma Studi" in gamma and "€ 6,00" in gamma and "nessun indirizzo: non inviato" in gamma
    assert "2 rendiconti da emettere, 1 e-mail da inviare" in page
    # Looking changes nothing.
    assert not IssuedStatement.objects.exists() and not ClosedPeriod.objects.exists()


def issue(browser, run_jobs, month="2026-05"):
    """Confirm *Emetti e invia* and let the worker issue and send; the job's page."""
    response = browser.post(ISSUE, {"month": month})
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    run_jobs()
    return browser.get(response["Location"])


def test_confirming_issues_closes_and_sends_in_the_worker_then_says_what_it_did(
    browser, may, smtp_server, run_jobs
):
    response = browser.post(ISSUE, {"month": "2026-05"})
    job_page = response["Location"]
    assert not IssuedStatement.objects.exists()  # not in the request: in the worker
    run_jobs()
    page = browser.get(job_page).content.decode()
    assert "Emetti e invia, maggio 2026" in page
    assert f'href="{ISSUED}?month=2026-05"' in page
    assert "Maggio 2026: rendiconti emessi 2, inviati 1." in page
    assert "2026-05/2, 303 · Gamma Studi: nessun indirizzo e-mail di fatturazione" in page
    page = browser.get(f"{ISSUED}?month=2026-05").content.decode()
    assert ClosedPeriod.objects.filter(month="2026-05-01").exists()
    assert [m.rcpt for m in smtp_server.messages] == [["conti@alfa.test"]]
    alfa = IssuedStatement.objects.get(number="2026-05/1")
    row = page[page.index(f'id="statement-{alfa.pk}"') :].split("</tr>")[0]
    assert "conti@alfa.test" in row and "€ 20,00" in row
    # The PDF as it was sent, byte for byte.
    pdf = browser.get(reverse("clients:issued_pdf", kwargs={"pk": alfa.pk}))
    assert pdf["Content-Type"] == "application/pdf"
    assert "rendiconto-2026-05-1-alfa-s-r-l.pdf" in pdf["Content-Disposition"]
    [attachment] = list(smtp_server.messages[0].iter_attachments())
    assert pdf.content == attachment.get_content()


def test_a_client_page_links_to_its_issued_statements(browser, may, smtp_server, run_jobs):
    issue(browser, run_jobs)
    card = browser.get(reverse("clients:detail", kwargs={"code": "101"})).content.decode()
    assert f'href="{ISSUED}?client=101"' in card
    page = browser.get(ISSUED + "?client=101").content.decode()
    assert "2026-05/1" in page and "2026-05/2" not in page


def test_a_month_not_ended_cannot_be_issued(browser, may):
    month = datetime.now(ROME).strftime("%Y-%m")
    page = browser.get(f"{ISSUE}?month={month}").content.decode()
    assert 'id="not-ended"' in page and 'id="issue-confirm"' not in page
    response = browser.post(ISSUE, {"month": month}, follow=True)
    assert "non è ancora finito" in response.content.decode()
    assert not IssuedStatement.objects.exists()


def test_a_bad_month_is_explained(browser):
    page = browser.get(ISSUE + "?month=maggio").content.decode()
    assert "Indica un mese come AAAA-MM" in page


@pytest.mark.parametrize("url", [ISSUE + "?month=2026-05", ISSUED])
def test_receptionists_are_refused_and_anonymous_users_sent_to_log_in(url, rita, client):
    assert logged_in(rita).get(url).status_code == 403
    assert client.get(url).status_code == 302


def test_receptionists_cannot_issue_or_download(rita, may, paolo, smtp_server, run_jobs):
    assert logged_in(rita).post(ISSUE, {"month": "2026-05"}).status_code == 403
    assert not IssuedStatement.objects.exists()
    issue(logged_in(paolo), run_jobs)
    statement = IssuedStatement.objects.first()
    url = reverse("clients:issued_pdf", kwargs={"pk": statement.pk})
    assert logged_in(rita).get(url).status_code == 403


def test_administrators_may_issue(anna, may, smtp_server):
    assert logged_in(anna).get(ISSUE + "?month=2026-05").status_code == 200
    assert logged_in(anna).get(ISSUED).status_code == 200


def test_the_billing_email_is_validated_in_admin(anna):
    from clients.forms import ClientAdminForm

    form = ClientAdminForm(data={"code": "1", "name": "X", "billing_email": "not an address"})
    assert not form.is_valid()
    assert "billing_email" in form.errors


def test_a_correction_is_listed_beside_the_statement_it_replaces(
    browser, may, paolo, smtp_server, run_jobs
):
    from calls.services import period_reopen
    from clients.billing.issuing import statement_correct

    issue(browser, run_jobs)
    period_reopen(month=datetime(2026, 5, 1).date(), user=paolo, reason="Una chiamata mancava")
    corrected = statement_correct(client=may[0], month=datetime(2026, 5, 1).date(), user=paolo)
    page = browser.get(ISSUED + "?client=101").content.decode()
    first = IssuedStatement.objects.get(number="2026-05/1")
    old = page[page.index(f'id="statement-{first.pk}"') :].split("</tr>")[0]
    new = page[page.index(f'id="statement-{corrected.pk}"') :].split("</tr>")[0]
    assert corrected.number == "2026-05/3"
    assert "sostituito da 2026-05/3" in old
    assert "rettifica" in new and "non ancora inviato" in new  # sent by the next run
