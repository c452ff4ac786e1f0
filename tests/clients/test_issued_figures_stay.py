"""Issued figures stay wherever an issued month is shown: May is issued (Alfa 2026-05/1 for
€ 200,00, Beta 2026-05/2 for € 12,00), then a matter's rate changes and a call of Alfa's
and one of a new client, Delta, are added. The client summary, its CSV and XLSX, the month
pack (one PDF, and the ZIP) and the dashboard show what was issued, say that Alfa changed
since and link to its statement page; a correction then shows the new figures."""

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from clients.billing.issuing import statement_correct, statements_issue
from clients.billing.printing import month_pack_pdf, month_pack_zip
from clients.billing.selectors import statement_as_issued
from clients.models import BillingPolicy, IssuedStatement
from tests.conftest import ROME, logged_in
from tests.factories import make_call, make_client, make_matter, make_matter_call, make_user

pytestmark = pytest.mark.django_db

# June: May has ended and is last month on the dashboard.
NOW = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
MAY = {"date_after": "2026-05-01", "date_before": "2026-05-31"}
SUMMARY = reverse("clients:statements")
ALFA_STATEMENT = reverse("clients:statement", args=["101"])


@pytest.fixture
def may_issued_then_changed(frozen_now):
    """May issued; afterwards Alfa's matter rate goes from € 150 to € 300/h and Alfa gets one
    more call of 12 min (€ 20,00), Delta one of 30 min at € 40/h (€ 20,00): today Alfa
    would bill € 370,00 instead of € 200,00."""
    alfa = make_client("101", "Alfa S.r.l.", hourly_rate=Decimal("100"))
    beta = make_client("202", "Beta Caffè", hourly_rate=Decimal("60"))
    matter = make_matter(alfa, "10101", "Causa Rossi", hourly_rate=Decimal("150"))
    make_matter_call(matter, talk_seconds=3600, start=datetime(2026, 5, 4, 10, tzinfo=ROME))
    make_call(
        client=alfa,
        billing_code="101",
        talk_seconds=1800,
        start=datetime(2026, 5, 5, 10, tzinfo=ROME),
    )
    make_call(
        client=beta,
        billing_code="202",
        talk_seconds=600,
        start=datetime(2026, 5, 6, 10, tzinfo=ROME),
    )
    partner = make_user("issuer")
    statements_issue(month=date(2026, 5, 1), user=partner)
    matter.hourly_rate = Decimal("300")
    matter.save()
    make_call(
        client=alfa,
        billing_code="101",
        talk_seconds=720,
        start=datetime(2026, 5, 7, 10, tzinfo=ROME),
    )
    delta = make_client("404", "Delta Studi", hourly_rate=Decimal("40"))
    make_call(
        client=delta,
        billing_code="404",
        talk_seconds=1800,
        start=datetime(2026, 5, 8, 10, tzinfo=ROME),
    )
    return alfa, partner


def _row(page: str, code: str) -> str:
    """A client's row of the summary table (from its code's link to the end of the row)."""
    start = page.index(f'href="{reverse("clients:statement", args=[code])}?')
    return re.split(r"\n\s*</tr>", page[start:])[0]  # a matter's table inside ends rows inline


def _summary(user, **extra) -> str:
    response = logged_in(user).get(SUMMARY, {**MAY, **extra})
    assert response.status_code == 200
    return response.content.decode()


def test_the_summary_shows_the_issued_figures_and_says_which_changed(
    paolo, may_issued_then_changed
):
    page = _summary(paolo)
    alfa = _row(page, "101")
    assert "Emesso n. 2026-05/1 del 10/06/2026" in alfa
    assert "€ 200,00" in alfa and "1:30:00" in alfa
    assert "370,00" not in alfa  # today's bill
    assert "modificato dopo l&#x27;emissione" in alfa
    assert f'href="{ALFA_STATEMENT}?date_after=2026-05-01&amp;date_before=2026-05-31' in alfa
    # The matters as issued: at € 150/h, not today's € 300/h.
    assert "10101 · Causa Rossi" in alfa and "€ 150,00" in alfa and "€ 300,00" not in alfa
    beta = _row(page, "202")
    assert "Emesso n. 2026-05/2 del 10/06/2026" in beta and "€ 12,00" in beta
    assert "modificato" not in beta
    delta = _row(page, "404")  # assigned after the issue: today's figures, no mark
    assert "€ 20,00" in delta and "Emesso n." not in delta
    # The totals add the issued figures: 200 + 12 (10 min billed as 12) + 20.
    assert '<dd id="total-amount">€ 232,00</dd>' in page
    assert '<dd id="total-calls">4</dd>' in page  # 2 + 1 issued, Delta's 1
    assert 'id="summary-issued"' in page and 'id="summary-changed"' in page


def test_the_summary_of_a_month_not_issued_has_no_issued_column(paolo, frozen_now):
    make_call(
        client=make_client("101", "Alfa S.r.l.", hourly_rate=Decimal("100")),
        billing_code="101",
        talk_seconds=600,
        start=datetime(2026, 5, 4, 10, tzinfo=ROME),
    )
    page = _summary(paolo)
    assert "Emesso" not in page and 'id="summary-issued"' not in page


def test_the_summary_of_part_of_an_issued_month_is_todays(paolo, may_issued_then_changed):
    page = _summary(paolo, date_before="2026-05-30")
    assert "Emesso n." not in page and "€ 370,00" in _row(page, "101")


def test_the_summary_csv_has_the_issued_figures_number_date_and_changed_flag(
    paolo, may_issued_then_changed
):
    with translation.override("it"):
        response = logged_in(paolo).get(SUMMARY, {**MAY, "_export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][-3:] == ["Numero rendiconto", "Emesso il", "Modificato dopo l'emissione"]
    lines = {(row[0], row[10], row[11]): row for row in rows[1:]}
    alfa = lines[("101", "", "")]
    assert alfa[8] == "5400" and alfa[9] == "200,00"
    assert alfa[-3:] == ["2026-05/1", "2026-06-10", "sì"]
    assert lines[("101", "10101", "10101 · Causa Rossi")][9] == "150,00"  # as issued
    assert lines[("101", "", "Generale")][9] == "50,00"
    assert lines[("202", "", "")][-3:] == ["2026-05/2", "2026-06-10", "no"]
    delta = lines[("404", "", "")]
    assert delta[9] == "20,00" and delta[-3:] == ["", "", ""]


def test_the_summary_xlsx_has_the_issued_figures_number_date_and_changed_flag(
    paolo, may_issued_then_changed
):
    with translation.override("it"):
        response = logged_in(paolo).get(SUMMARY, {**MAY, "_export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-3:] == ("Numero rendiconto", "Emesso il", "Modificato dopo l'emissione")
    alfa = next(row for row in rows[1:] if row[0] == "101" and row[10] is None)
    assert alfa[7] == timedelta(hours=1, minutes=30) and alfa[9] == Decimal("200.00")
    assert alfa[-3] == "2026-05/1" and alfa[-2].date() == date(2026, 6, 10) and alfa[-1] == "sì"
    beta = next(row for row in rows[1:] if row[0] == "202")
    assert beta[9] == Decimal("12.00") and beta[-1] == "no"


def _pdf_text(content: bytes) -> str:
    return "\n".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages
    )


def test_the_month_pack_holds_the_issued_pdfs_and_a_summary_of_issued_figures(
    may_issued_then_changed,
):
    target = io.BytesIO()
    with translation.override("it"):
        result = month_pack_pdf(date(2026, 5, 1), date(2026, 5, 31), target)
    reader = PdfReader(target)
    summary = " ".join(reader.pages[0].extract_text().split())
    assert "Emesso n. 2026-05/1 del 10/06/2026 · modificato dopo l'emissione" in summary
    assert "Emesso n. 2026-05/2 del 10/06/2026" in summary
    assert "€ 200,00" in summary and "€ 370,00" not in summary and "€ 232,00" in summary
    assert result.calls == 4
    pack_text = "\n".join(" ".join(page.extract_text().split()) for page in reader.pages[1:])
    issued = IssuedStatement.objects.get(number="2026-05/1")
    assert _pdf_text(bytes(issued.pdf)) in pack_text  # Alfa's statement as issued
    assert "Rendiconto n. 2026-05/1" in pack_text and "€ 370,00" not in pack_text


def test_the_month_pack_zip_holds_the_exact_pdf_issued(may_issued_then_changed):
    target = io.BytesIO()
    with translation.override("it"):
        month_pack_zip(date(2026, 5, 1), date(2026, 5, 31), target)
    archive = zipfile.ZipFile(target)
    for number, name in (("2026-05/1", "101-alfa-s-r-l"), ("2026-05/2", "202-beta-caffe")):
        issued = IssuedStatement.objects.get(number=number)
        assert archive.read(f"{name}-20260501-20260531.pdf") == bytes(issued.pdf)
    delta = _pdf_text(archive.read("404-delta-studi-20260501-20260531.pdf"))
    assert "Delta Studi" in delta and "Rendiconto n." not in delta  # not issued: drawn up


def test_the_dashboard_counts_last_month_as_issued_and_links_the_changed_statement(
    paolo, may_issued_then_changed
):
    page = logged_in(paolo).get(reverse("home")).content.decode()
    months = page[page.index('id="dashboard-months"') : page.index('id="dashboard-queue"')]
    amounts = months[months.index('<th scope="row">Importo</th>') :].split("</tr>")[0]
    assert "€ 232,00" in amounts and "€ 402,00" not in amounts  # 200 + 12 + 20, not 370 + …
    assert "Maggio 2026: 2 clienti contano con i rendiconti emessi" in months
    link = f"{ALFA_STATEMENT}?date_after=2026-05-01&amp;date_before=2026-05-31#issued-banner"
    assert f'<a href="{link}">2026-05/1 Alfa S.r.l.</a>' in months


def test_a_correction_shows_the_new_figures_everywhere(paolo, may_issued_then_changed):
    alfa, partner = may_issued_then_changed
    statement_correct(client=alfa, month=date(2026, 5, 1), user=partner)
    row = _row(_summary(paolo), "101")
    assert "Emesso n. 2026-05/3" in row and "€ 370,00" in row and "modificato" not in row
    with translation.override("it"):
        response = logged_in(paolo).get(SUMMARY, {**MAY, "_export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    line = next(row for row in rows if row[0] == "101" and not row[10])
    assert line[9] == "370,00" and line[-3:] == ["2026-05/3", "2026-06-10", "no"]
    page = logged_in(paolo).get(reverse("home")).content.decode()
    months = page[page.index('id="dashboard-months"') : page.index('id="dashboard-queue"')]
    assert "€ 402,00" in months and "Modificati dopo l" not in months
    target = io.BytesIO()
    with translation.override("it"):
        month_pack_zip(date(2026, 5, 1), date(2026, 5, 31), target)
    corrected = IssuedStatement.objects.get(number="2026-05/3")
    archive = zipfile.ZipFile(target)
    assert archive.read("101-alfa-s-r-l-20260501-20260531.pdf") == bytes(corrected.pdf)


def test_the_summary_reads_the_issued_statements_in_one_query(paolo, frozen_now):
    partner = make_user("issuer")

    def clients(first, count):
        for n in range(first, first + count):
            client = make_client(f"{500 + n}", f"Cliente {n}", hourly_rate=Decimal("90"))
            make_call(
                client=client,
                billing_code=client.code,
                talk_seconds=600 + n,
                start=datetime(2026, 5, 4, 10, n, tzinfo=ROME),
            )

    clients(0, 1)
    statements_issue(month=date(2026, 5, 1), user=partner)
    browser = logged_in(paolo)
    browser.get(SUMMARY, MAY)
    with CaptureQueriesContext(connection) as few:
        browser.get(SUMMARY, MAY)
    clients(1, 4)
    IssuedStatement.objects.all().delete()
    statements_issue(month=date(2026, 5, 1), user=partner)
    with CaptureQueriesContext(connection) as many:
        page = browser.get(SUMMARY, MAY).content.decode()
    assert page.count("Emesso n. 2026-05/") == 5
    assert len(many) == len(few)


def _billing_amounts(body: str) -> dict[str, Decimal]:
    """Amount per client code of a billing-entries CSV (Italian decimal comma or point)."""
    reader = csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";")
    next(reader)
    amounts: dict[str, Decimal] = {}
    for row in reader:
        amount = Decimal(row[5].replace(",", ".")) if row[5] else Decimal("0")
        amounts[row[0]] = amounts.get(row[0], Decimal("0")) + amount
    return amounts


def test_billing_entries_and_ledes_of_an_issued_month_are_the_issued_ones(
    may_issued_then_changed, paolo
):
    browser = logged_in(paolo)
    summary = browser.get(SUMMARY, {**MAY, "_export": "billing_csv"})
    body = b"".join(summary.streaming_content).decode()
    amounts = _billing_amounts(body)
    assert amounts["101"] == Decimal("200.00")  # as issued, not today's € 370,00
    assert amounts["202"] == Decimal("12.00")
    assert amounts["404"] == Decimal("20.00")  # not issued: today's figures
    assert "07/05/2026" not in body and "2026-05-07" not in body  # the call added after
    page = browser.get(ALFA_STATEMENT, {**MAY, "_export": "billing_csv"})
    assert _billing_amounts(b"".join(page.streaming_content).decode()) == {"101": amounts["101"]}
    ledes = browser.get(SUMMARY, {**MAY, "_export": "ledes"}).content.decode()
    alfa_lines = [line for line in ledes.splitlines() if "|101|" in line]
    assert alfa_lines and not any("20260507" in line for line in alfa_lines)
    assert any("|150.00|" in line for line in alfa_lines)  # the matter's rate as issued
    assert not any("|300.00|" in line for line in alfa_lines)


@pytest.mark.parametrize("rounding", ["per_call", "total"])
def test_an_issued_statement_read_back_bills_its_issued_figures(frozen_now, rounding):
    policy = BillingPolicy.load()
    policy.rounding, policy.increment_minutes = rounding, 15
    policy.save()
    alfa = make_client("101", "Alfa S.r.l.", hourly_rate=Decimal("100"))
    matter = make_matter(alfa, "10101", "Causa Rossi", hourly_rate=Decimal("150"))
    for day, seconds in ((4, 61), (5, 950), (6, 3601)):
        start = datetime(2026, 5, day, 10, tzinfo=ROME)
        make_matter_call(matter, talk_seconds=seconds, start=start)
        make_call(client=alfa, billing_code="101", talk_seconds=seconds + 7, start=start)
    statements_issue(month=date(2026, 5, 1), user=make_user("issuer"))
    issued = IssuedStatement.objects.get(client=alfa)
    matter.hourly_rate = Decimal("300")  # today's rate does not enter what was issued
    matter.save()
    statement = statement_as_issued(issued)
    assert (statement.total.calls, statement.total.billable_seconds, statement.total.amount) == (
        issued.calls,
        issued.billable_seconds,
        issued.amount,
    )
    assert [group.hourly_rate for group in statement.matters] == [Decimal("150"), Decimal("100")]
