"""A client's statement page /clients/<code>/statement/ and its PDF: the period, the totals,
the printed text (pypdf), exports from the page, hostile input and who may open them. "Now"
is frozen at Wednesday 13 June 2026, 12:00 in Rome: last month is May."""

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from pypdf import PdfReader

from calls.models import Call
from clients.billing import views
from firm.models import FirmSettings
from tests.conftest import ROME, logged_in
from tests.factories import make_call

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

NOW = datetime(2026, 6, 13, 10, 0, tzinfo=UTC)
MAY = "?date_after=2026-05-01&date_before=2026-05-31"


def url(code="123", pdf=False):
    name = "clients:statement_pdf" if pdf else "clients:statement"
    return reverse(name, kwargs={"code": code})


@pytest.fixture
def affaroni_in_may(affaroni):
    """Client 123 at 120 €/h: 4 calls in May by two callers, one not answered."""
    settings = FirmSettings.load()
    settings.firm_name = "Studio Legale Rossi & Bianchi"
    settings.save()
    client = affaroni
    client.vat_number, client.hourly_rate = "IT01234567890", Decimal("120.00")
    client.save()
    for minute, (caller, name, talk) in enumerate(
        [
            ("114", "Mario Rossi", 1),
            ("114", "Mario Rossi", 360),
            ("101", "Anna Verdi", 361),
            ("101", "Anna Verdi", 0),
        ]
    ):
        make_call(
            client=client,
            billing_code="123",
            caller=caller,
            caller_name=name,
            destination=f"345456567{minute}**123",
            dialled_number=f"345456567{minute}",
            start=datetime(2026, 5, 4, 9, minute, tzinfo=ROME),
            talk_seconds=talk,
            status=Call.Status.ANSWERED if talk else Call.Status.NO_ANSWER,
        )
    make_call(client=client, billing_code="123", start=datetime(2026, 4, 30, 9, tzinfo=ROME))
    return client


def pdf_pages(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def test_the_page_shows_the_periods_calls_by_caller_and_the_totals(browser, affaroni_in_may):
    response = browser.get(url() + MAY)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Affaroni S.p.A." in page and "IT01234567890" in page
    assert '<dd id="total-calls">4</dd>' in page
    assert '<dd id="total-billable">0:24:00</dd>' in page
    assert '<dd id="total-amount">€ 48,00</dd>' in page
    assert page.index("Interno 101 · Anna Verdi") < page.index("Interno 114 · Mario Rossi")
    assert "3454565670" in page and "**123" not in page  # the number without marker and code


def test_without_a_period_the_statement_is_last_month(browser, affaroni_in_may):
    response = browser.get(url())
    assert response.context["statement"].first_day.isoformat() == "2026-05-01"
    assert response.context["statement"].total.calls == 4


def test_a_preset_period_works(browser, affaroni_in_may):
    response = browser.get(url() + "?period=this_month")
    assert response.context["statement"].total.calls == 0
    assert "date_after=2026-06-01" in response.context["query"]


def test_an_unknown_client_code_is_not_found(browser):
    assert browser.get(url("999") + MAY).status_code == 404
    # Not a client code at all: no URL matches it.
    assert browser.get("/clients/abc/statement/pdf/" + MAY).status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?date_after=2026-02-30&date_before=2026-03-01", "Enter a valid date."),
        ("?date_after=2026-05-01", "Enter both the first and the last day."),
        ("?date_after=2026-05-31&date_before=2026-05-01", "The first day comes after the last"),
        ("?date_after=2020-01-01&date_before=2026-05-31", "A period is at most 366 days long."),
        ("?date_after=0001-01-01&date_before=0001-01-02", "between the years 1970 and 2999"),
        ("?date_after=99999-01-01&date_before=2026-05-31", "Enter a valid date."),
        ("?period=forever", "Select a valid choice."),
    ],
)
def test_a_bad_period_is_a_form_error_not_a_crash(browser, affaroni_in_may, query, message):
    for address in (url(), url(pdf=True), reverse("clients:statements")):
        response = browser.get(address + query, headers={"accept-language": "en"})
        assert response.status_code == 200, address
        assert response["Content-Type"].startswith("text/html")
        assert message in response.content.decode(), address


def test_the_pdf_is_fit_to_send(browser, affaroni_in_may):
    response = browser.get(url(pdf=True) + MAY)
    text = "\n".join(pdf_pages(response))
    for expected in (
        "Studio Legale Rossi & Bianchi",
        "Affaroni S.p.A.",
        "Codice cliente: 123",
        "Partita IVA: IT01234567890",
        "dal 01/05/2026 al 31/05/2026",
        "Scatti di 6 minuti, ogni chiamata arrotondata",
        "Interno 101 · Anna Verdi",
        "Interno 114 · Mario Rossi",
        "Subtotale, 2 chiamate",
        "Totale, 4 chiamate",
        "0:24:00",
        "€ 48,00",
        "3454565672",
        "Pagina 1 di 1",
    ):
        assert expected in text, expected
    assert "30/04/2026" not in text


def test_a_long_statement_is_numbered_n_of_n_on_every_page(browser, affaroni_in_may, monkeypatch):
    monkeypatch.setattr("firm.lib.pdf.CHUNK_ROWS", 40)
    Call.objects.bulk_create(
        Call(
            start=datetime(2026, 5, 10, 8, 0, tzinfo=ROME),
            caller="114",
            destination="0298765432**123",
            billing_code="123",
            client=affaroni_in_may,
            direction=Call.Direction.OUTBOUND,
            status=Call.Status.ANSWERED,
            talk_seconds=60,
            pbx_call_id=f"long-{i}",
        )
        for i in range(150)
    )
    pages = pdf_pages(browser.get(url(pdf=True) + MAY))
    assert len(pages) > 2
    for number, text in enumerate(pages, start=1):
        assert f"Pagina {number} di {len(pages)}" in text
        assert "Studio Legale Rossi & Bianchi" in text
    assert "Totale, 154 chiamate" in pages[-1]


def test_the_pdf_speaks_english_on_request(browser, affaroni_in_may):
    text = "\n".join(pdf_pages(browser.get(url(pdf=True) + MAY, headers={"accept-language": "en"})))
    assert "Page 1 of 1" in text and "Total, 4 calls" in text and "€ 48.00" in text


def test_names_from_the_pbx_are_printed_as_text(browser, affaroni_in_may):
    make_call(
        client=affaroni_in_may,
        billing_code="123",
        caller="115",
        caller_name="<b>Eve</b>",
        start=datetime(2026, 5, 5, 9, tzinfo=ROME),
    )
    assert "<b>Eve</b>" not in browser.get(url() + MAY).content.decode()
    text = "".join("".join(pdf_pages(browser.get(url(pdf=True) + MAY))).split())
    assert "<b>Eve</b>" in text


def test_too_many_calls_for_a_pdf_get_the_page_saying_so(browser, affaroni_in_may, monkeypatch):
    monkeypatch.setattr(views, "PDF_MAX_ROWS", 3)
    response = browser.get(url(pdf=True) + MAY, headers={"accept-language": "en"})
    assert response["Content-Type"].startswith("text/html")
    assert "This statement has 4 calls: a PDF holds at most 3." in response.content.decode()


def test_the_page_links_to_pdf_and_exports_with_the_same_period(browser, affaroni_in_may):
    page = browser.get(url() + "?period=last_month").content.decode()
    query = "date_after=2026-05-01&amp;date_before=2026-05-31"
    assert f'{url(pdf=True)}?{query}" id="statement-pdf"' in page
    assert f"?{query}&amp;_export=billing_csv" in page
    assert f"?{query}&amp;_export=ledes" in page


def test_the_client_card_links_partners_to_the_statement(browser, rita, affaroni_in_may):
    detail = reverse("clients:detail", kwargs={"code": "123"})
    assert f'href="{url()}"' in browser.get(detail).content.decode()
    assert f'href="{url()}"' not in logged_in(rita).get(detail).content.decode()


def test_the_menu_shows_client_statements_to_partners_only(browser, rita):
    summary = reverse("clients:statements")
    assert f'href="{summary}"' in browser.get(reverse("home")).content.decode()
    assert f'href="{summary}"' not in logged_in(rita).get(reverse("home")).content.decode()
    assert "Rendiconti clienti" in browser.get(reverse("home")).content.decode()


@pytest.mark.parametrize("pdf", [False, True])
def test_receptionists_may_not_see_statements(rita, affaroni_in_may, pdf):
    assert logged_in(rita).get(url(pdf=pdf) + MAY).status_code == 403


def test_administrators_may(anna, affaroni_in_may):
    assert logged_in(anna).get(url(pdf=True) + MAY).status_code == 200


# The smallest PNG: one transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000185d9b4c40000000049454e44ae426082"
)


@pytest.fixture
def letterhead(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    firm = FirmSettings.load()
    firm.address = "Via del Corso 101\n\n00186 Roma (RM)"
    firm.vat_number = "IT09876543210"
    firm.tax_code = "RSSMRA80A01H501U"
    firm.logo.save("logo.png", ContentFile(PNG))
    firm.save()
    return firm


def test_the_pdf_carries_the_firms_letterhead_and_says_amounts_exclude_vat(
    browser, affaroni_in_may, letterhead
):
    response = browser.get(url(pdf=True) + MAY)
    text = "\n".join(pdf_pages(response))
    for expected in (
        "Studio Legale Rossi & Bianchi",
        "Via del Corso 101\n00186 Roma (RM)",
        "Partita IVA IT09876543210",
        "Codice fiscale RSSMRA80A01H501U",
        "Importi IVA esclusa",
    ):
        assert expected in text, expected
    assert text.index("Via del Corso 101") < text.index("Affaroni S.p.A.")
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert len(page.images) == 1  # the logo, read from disk


def test_a_logo_whose_file_is_gone_leaves_the_statement_printable(
    browser, affaroni_in_may, letterhead
):
    letterhead.logo.storage.delete(letterhead.logo.name)
    response = browser.get(url(pdf=True) + MAY)
    assert "Partita IVA IT09876543210" in "\n".join(pdf_pages(response))
    assert len(PdfReader(io.BytesIO(response.content)).pages[0].images) == 0


def test_a_partner_prints_a_statement_without_the_firms_carrier_cost(browser, affaroni_in_may):
    Call.objects.filter(client=affaroni_in_may).update(cost=Decimal("0.0987"))
    text = "\n".join(pdf_pages(browser.get(url(pdf=True) + MAY)))
    assert "Importo" in text and "€ 48,00" in text
    assert "Costo" not in text and "0,0987" not in text and "0,3948" not in text


def test_a_firm_setting_shows_the_carrier_cost_on_statements(browser, affaroni_in_may):
    Call.objects.filter(client=affaroni_in_may).update(cost=Decimal("0.0987"))
    FirmSettings.objects.update(statement_shows_cost=True)
    text = "\n".join(pdf_pages(browser.get(url(pdf=True) + MAY)))
    assert "Costo" in text and "0,3948" in text  # the total of 4 × 0,0987


def test_a_client_without_a_rate_gets_no_amount_columns(browser, affaroni_in_may):
    affaroni_in_may.hourly_rate = None
    affaroni_in_may.save()
    text = "\n".join(pdf_pages(browser.get(url(pdf=True) + MAY)))
    assert "Tempo fatturabile" in text.replace("\n", " ") and "0:24:00" in text
    assert "Importo" not in text and "€" not in text and "IVA esclusa" not in text


def test_the_column_headers_never_break_mid_word(browser, affaroni_in_may):
    FirmSettings.objects.update(statement_shows_cost=True)
    text = "\n".join(pdf_pages(browser.get(url(pdf=True) + MAY)))
    assert "Conversazione" in text and "Tempo\nfatturabile" in text
    assert "-\n" not in text


def test_the_pdf_file_name_is_italian(browser, affaroni_in_may):
    response = browser.get(url(pdf=True) + MAY)
    assert 'filename="rendiconto-123-2026-05.pdf"' in response["Content-Disposition"]
    response = browser.get(url(pdf=True) + "?date_after=2026-05-04&date_before=2026-05-10")
    assert (
        'filename="rendiconto-123-2026-05-04_2026-05-10.pdf"' in (response["Content-Disposition"])
    )
