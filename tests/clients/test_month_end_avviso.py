"""The month-end the Italian way, as the outside check does it: a lawyer's firm, a client
that is a sostituto d'imposta with 1 h of calls at € 100/h and one that is not with 30 min;
both statement pages, ``client_statements --issue``, the issued PDF, ``invoice_xml``."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from calls.models import ClosedPeriod
from clients.models import IssuedStatement
from firm.models import FirmSettings
from tests.clients.fatturapa_schema import text, validated
from tests.conftest import ROME, logged_in
from tests.factories import make_call, make_client, make_user

pytestmark = pytest.mark.django_db

MAY = {"date_after": "2026-05-01", "date_before": "2026-05-31"}


@pytest.fixture
def lawyers_may():
    firm = FirmSettings.load()
    firm.firm_name = "Studio Legale Rossi"
    firm.profession = "lawyer"
    firm.vat_number = "01234567897"
    firm.tax_code = "RSSMRA80A01H501U"
    firm.street = "Via Manzoni 1"
    firm.postal_code = "20121"
    firm.city = "Milano"
    firm.province = "MI"
    firm.country = "IT"
    firm.full_clean()
    firm.save()
    agent = make_client(
        code="101",
        name="Alfa S.r.l.",
        hourly_rate=Decimal("100"),
        withholding_agent=True,
        vat_number="11111111115",
        street="Via Roma 1",
        postal_code="10121",
        city="Torino",
        province="TO",
        sdi_code="M5UXCR1",
        billing_email="amministrazione@alfa.example",
    )
    private = make_client(
        code="202",
        name="Bruno Bianchi",
        hourly_rate=Decimal("100"),
        tax_code="RSSMRA80A01H501U",
        street="Via Po 2",
        postal_code="00187",
        city="Roma",
        province="RM",
    )
    make_call(
        client=agent,
        billing_code="101",
        talk_seconds=3600,
        start=datetime(2026, 5, 4, 10, tzinfo=ROME),
    )
    make_call(
        client=private,
        billing_code="202",
        talk_seconds=1800,
        start=datetime(2026, 5, 5, 10, tzinfo=ROME),
    )
    return agent, private


def _page(user, code):
    response = logged_in(user).get(reverse("clients:statement", args=[code]), MAY)
    assert response.status_code == 200
    return response.content.decode()


def test_the_statement_pages_show_the_avviso_items(paolo, lawyers_may):
    agent_page = _page(paolo, "101")
    for figure in ("145,91", "23,00", "122,91", "15,00", "4,60", "119,60", "26,31"):
        assert figure in agent_page
    assert "Avviso di parcella" in agent_page
    assert "non costituisce fattura" in agent_page
    private_page = _page(paolo, "202")
    assert "72,96" in private_page
    assert "Ritenuta" not in private_page


def issue_may():
    """``client_statements --month 2026-05 --issue``, as the first administrator."""
    admin = make_user("admin")
    admin.is_superuser = True
    admin.save()
    out = io.StringIO()
    call_command("client_statements", "--month", "2026-05", "--issue", stdout=out)
    return out.getvalue()


def test_issue_only_numbers_freezes_and_closes_without_sending(lawyers_may, smtp_server):
    assert "2 issued" in issue_may()
    assert smtp_server.messages == []
    assert ClosedPeriod.objects.filter(month=date(2026, 5, 1)).exists()
    agent_issued = IssuedStatement.objects.get(client__code="101")
    assert agent_issued.number == "2026-05/1"
    assert agent_issued.notice_number.endswith("/2026") and agent_issued.sent_at is None
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(agent_issued.pdf)).pages)
    assert f"Avviso di parcella n. {agent_issued.notice_number}" in text
    for figure in ("145,91", "23,00", "122,91"):
        assert figure in text
    assert "non costituisce fattura" in text


def test_invoice_xml_writes_the_fatturapa_of_the_paid_avviso(lawyers_may, tmp_path):
    issue_may()
    out = io.StringIO()
    call_command(
        "invoice_xml",
        "--statement",
        "2026-05/1",
        "--number",
        "15",
        "--date",
        "2026-06-10",
        "--output",
        str(tmp_path),
        stdout=out,
    )
    path = tmp_path / "IT01234567897_00015.xml"
    assert str(path) in out.getvalue()
    root = validated(path.read_bytes())
    values = {
        tag: text(root, f".//{tag}")
        for tag in (
            "TipoCassa",
            "AlCassa",
            "ImponibileCassa",
            "ImportoContributoCassa",
            "AliquotaRitenuta",
            "ImportoRitenuta",
            "ImponibileImporto",
            "Imposta",
            "ImportoTotaleDocumento",
            "CodiceDestinatario",
        )
    }
    assert values == {
        "TipoCassa": "TC01",
        "AlCassa": "4.00",
        "ImponibileCassa": "115.00",
        "ImportoContributoCassa": "4.60",
        "AliquotaRitenuta": "20.00",
        "ImportoRitenuta": "23.00",
        "ImponibileImporto": "119.60",
        "Imposta": "26.31",
        "ImportoTotaleDocumento": "145.91",
        "CodiceDestinatario": "M5UXCR1",
    }
    statement = IssuedStatement.objects.get(number="2026-05/1")
    assert (statement.invoice_number, statement.invoice_date) == ("15", date(2026, 6, 10))


def test_invoice_xml_says_what_is_missing(lawyers_may, tmp_path):
    issue_may()
    IssuedStatement.objects.get(number="2026-05/2").client.__class__.objects.filter(
        code="202"
    ).update(street="")
    with pytest.raises(CommandError, match="Bruno Bianchi"):
        call_command(
            "invoice_xml",
            "--statement",
            "2026-05/2",
            "--number",
            "16",
            "--date",
            "2026-06-10",
            "--output",
            str(tmp_path),
        )
    with pytest.raises(CommandError, match="no such issued statement"):
        call_command("invoice_xml", "--statement", "2026-05/9", "--output", str(tmp_path))


def test_a_partner_records_the_payment_and_downloads_the_xml_from_the_issued_list(
    paolo, lawyers_may
):
    issue_may()
    browser = logged_in(paolo)
    listing = browser.get(reverse("clients:issued"), {"month": "2026-05"}).content.decode()
    assert "145,91" in listing and "72,96" in listing  # the avvisi's totals, frozen
    statement = IssuedStatement.objects.get(number="2026-05/1")
    url = reverse("clients:issued_invoice", args=[statement.pk])
    assert url in listing
    refused = browser.post(url, {"number": "", "date": "2026-06-10"})
    assert refused.status_code == 200 and "IT01234567897_" not in refused.get(
        "Content-Disposition", ""
    )
    response = browser.post(url, {"number": "15", "date": "10/06/2026"})
    assert response["Content-Disposition"].endswith('"IT01234567897_00015.xml"')
    root = validated(response.content)
    assert text(root, ".//ImportoTotaleDocumento") == "145.91"
    again = browser.get(url, {"download": "1"})
    assert again.content == response.content


def test_after_a_rate_change_the_page_and_print_keep_the_issued_figures_and_say_so(
    paolo, lawyers_may
):
    agent, _private = lawyers_may
    issue_may()
    agent.hourly_rate = Decimal("300")
    agent.save()
    page = _page(paolo, "101")
    assert "Emesso come 2026-05/1" in page
    for figure in ("145,91", "23,00", "122,91"):
        assert figure in page
    assert "437,74" not in page  # 300 € of fees would be a total of 437,74
    assert 'id="issued-differs"' in page and "€ 300,00" in page
    issued = IssuedStatement.objects.get(number="2026-05/1")
    printed = logged_in(paolo).get(reverse("clients:statement_pdf", args=["101"]), MAY)
    assert printed.content == bytes(issued.pdf)
    # The correction: a new statement from today's rate, the old one kept.
    browser = logged_in(paolo)
    browser.post(reverse("clients:statement_correct", args=["101"]), {"month": "2026-05"})
    correction = IssuedStatement.objects.get(supersedes=issued)
    assert correction.number == "2026-05/3"
    page = _page(paolo, "101")
    assert "Emesso come 2026-05/3" in page and "437,74" in page
    assert 'id="issued-differs"' not in page


def test_an_unchanged_issued_month_says_nothing_changed(paolo, lawyers_may):
    issue_may()
    page = _page(paolo, "202")
    assert "Emesso come 2026-05/2" in page and "72,96" in page
    assert 'id="issued-differs"' not in page


def test_the_review_previews_the_email_and_issues_only_the_ticked_clients(
    paolo, lawyers_may, smtp_server
):
    browser = logged_in(paolo)
    issue = reverse("clients:issue")
    page = browser.get(issue, {"month": "2026-05"}).content.decode()
    assert "145,91" in page and "72,96" in page
    assert page.count('id="no-address-banner"') == 1 and "Bruno Bianchi" in page
    preview = browser.get(
        reverse("clients:issue_email_preview", args=["101"]), {"month": "2026-05"}
    ).content.decode()
    assert "amministrazione@alfa.example" in preview
    assert "Totale avviso € 145,91" in preview and "Netto a pagare € 122,91" in preview
    assert not IssuedStatement.objects.exists()
    agent, _private = lawyers_may
    response = browser.post(
        issue,
        {"month": "2026-05", "review": "1", "clients": [agent.pk], "action": "send"},
        follow=True,
    )
    assert "rendiconti emessi 1, inviati 1" in response.content.decode()
    assert list(IssuedStatement.objects.values_list("client__code", flat=True)) == ["101"]
    [message] = smtp_server.messages
    assert "Totale avviso € 145,91" in message.get_body(("plain",)).get_content()
    nothing = browser.post(issue, {"month": "2026-05", "review": "1"}, follow=True)
    assert "Spuntate almeno un cliente" in nothing.content.decode()
