"""The printed call log /calls/pdf/: the same filter as the page, the text inside the PDF
(pypdf), page numbers over chunks, the row limit and who may print. "Now" is frozen at
Wednesday 13 May 2026, 12:00 in Rome."""

import io
import math
import re
import threading
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils.safestring import mark_safe
from pypdf import PdfReader

from calls.models import Call
from calls.views import log as views
from firm.lib import pdf
from firm.models import FirmSettings
from tests.conftest import ROME, logged_in
from tests.factories import make_call, make_client, make_trunk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

URL = reverse("calls:pdf")
MAY = "?date_after=2026-05-01&date_before=2026-05-31"


@pytest.fixture
def firm():
    settings = FirmSettings.load()
    settings.firm_name = "Studio Legale Rossi & Bianchi"
    settings.save()
    return settings


def pages_text(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


@pytest.fixture
def client_123_calls():
    client = make_client(code="123", name="Affaroni S.p.A.")
    trunk = make_trunk("9", "Gateway cellulare")
    for i in range(3):
        make_call(
            pbx_call_id=f"a{i}",
            start=datetime(2026, 5, 4, 9, i, tzinfo=ROME),
            destination=f"345456567{i}**123",
            billing_code="123",
            client=client,
            trunk=trunk,
            talk_seconds=100,
        )
    make_call(pbx_call_id="other", destination="0298765432**456", billing_code="456")
    make_call(pbx_call_id="april", start=datetime(2026, 4, 30, 9, 0, tzinfo=ROME))


def test_the_pdf_prints_firm_filter_sentence_totals_and_the_calls(browser, firm, client_123_calls):
    response = browser.get(URL + MAY + "&destination=external&number=%25**123")
    assert response["Content-Disposition"] == (
        'inline; filename="registro-chiamate-2026-05-01_2026-05-31.pdf"'
    )
    text = "\n".join(pages_text(response))
    assert "Studio Legale Rossi & Bianchi" in text
    assert "Chiamate in uscita dal 01/05/2026 al 31/05/2026, numeri %**123" in text
    assert re.search(r"Chiamate: 3\b", text)
    assert re.search(r"Con risposta: 3\b", text)
    assert "0:05:00" in text  # 3 × 100 s of talk
    for i in range(3):
        assert f"345456567{i}**123" in text
    assert "Affaroni S.p.A." in text
    assert "0298765432**456" not in text  # another client
    assert "Pagina 1 di 1" in text


def test_the_filter_sentence_follows_the_language(browser, client_123_calls):
    response = browser.get(
        URL + MAY + "&number=0232%25&number_not=on&status=answered",
        headers={"accept-language": "en"},
    )
    text = "\n".join(pages_text(response))
    assert "All calls from 05/01/2026 to 05/31/2026, except numbers 0232%, status: answered" in (
        text
    )
    assert "Page 1 of 1" in text


@pytest.mark.parametrize("workers", [1, 2])
def test_the_pdf_holds_every_filtered_call_not_the_page_with_numbers_on_every_page(
    browser, firm, settings, monkeypatch, workers
):
    # Small chunks: the pages of several WeasyPrint documents are joined and numbered,
    # rendered in this process or in forked ones (PDF_WORKERS).
    settings.PDF_WORKERS = workers
    monkeypatch.setattr("firm.lib.pdf.CHUNK_ROWS", 25)
    Call.objects.bulk_create(
        Call(
            start=datetime(2026, 5, 1, 8, 0, tzinfo=ROME) + timedelta(minutes=i),
            caller="114",
            destination=f"3450000{i:03d}",
            direction=Call.Direction.OUTBOUND,
            status=Call.Status.ANSWERED,
            talk_seconds=60,
            pbx_call_id=f"bulk-{i}",
        )
        for i in range(120)
    )
    texts = pages_text(browser.get(URL + MAY))
    pages = len(texts)
    assert pages >= 2  # one line per call: "Con risposta" fits its column
    for number, text in enumerate(texts, start=1):
        assert f"Pagina {number} di {pages}" in text, number
        assert "Studio Legale Rossi & Bianchi" in text, number
        assert "Destinazione" in text, number  # the column headers on every page
    everything = "\n".join(texts)
    assert [i for i in range(120) if f"3450000{i:03d}" in everything] == list(range(120))
    assert re.search(r"Chiamate: 120\b", everything)
    # Newest first, as on the page.
    assert everything.index("3450000119") < everything.index("3450000000")


def test_the_pdf_follows_the_sort_of_the_page(browser):
    make_call(destination="111", talk_seconds=5)
    make_call(destination="222", talk_seconds=500)
    text = "\n".join(pages_text(browser.get(URL + MAY + "&sort=-talk_seconds")))
    assert text.index("222") < text.index("111")


def test_caller_names_from_the_pbx_are_printed_as_text(browser):
    make_call(caller_name="<b>Mario</b> & <script>x</script>")
    text = "\n".join(pages_text(browser.get(URL + MAY)))
    # Escaped by the template, so printed literally (the PDF wraps it: compare without spaces).
    assert "<b>Mario</b>&<script>x</script>" in "".join(text.split())


def test_an_empty_set_prints_a_page_saying_so(browser):
    text = "\n".join(pages_text(browser.get(URL + MAY, headers={"accept-language": "en"})))
    assert "No call matches this filter." in text
    assert "Calls: 0" in text


def test_more_calls_than_the_limit_are_refused_with_a_page_pointing_to_csv(
    browser, monkeypatch, client_123_calls
):
    monkeypatch.setattr(views, "PDF_MAX_ROWS", 2)
    response = browser.get(URL + MAY + "&sort=start", headers={"accept-language": "en"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "This filter selects 4 calls: a PDF holds at most 2." in page
    assert "_export=csv" in page and "_export=xlsx" in page
    assert "date_after=2026-05-01" in page


def test_an_invalid_filter_gets_a_page_not_a_pdf(browser):
    response = browser.get(URL + "?date_after=2026-02-30", headers={"accept-language": "en"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "nothing to print" in response.content.decode()


def test_the_log_links_to_the_pdf_with_the_same_filter(browser):
    page = browser.get(reverse("calls:log") + MAY + "&number=%25**123&page=2").content.decode()
    link = re.search(r'href="([^"]*)" id="print-pdf"', page)[1]
    assert link.startswith(URL + "?")
    assert "number=%25%2A%2A123" in link and "date_after=2026-05-01" in link
    assert "page=" not in link


def test_receptionists_may_not_print(rita):
    assert logged_in(rita).get(URL + MAY).status_code == 403


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(URL + MAY)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def pdf_fonts(response) -> set[str]:
    reader = PdfReader(io.BytesIO(response.content))
    return {
        str(font["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }


def test_the_lean_user_agent_stylesheet_hides_the_head_and_keeps_bold_headings(browser, firm):
    # firm/lib/pdf.py decision 4: our print_ua.css replaces WeasyPrint's; the <title> must stay
    # hidden and headings/totals bold, as with WeasyPrint's own stylesheet.
    make_call(destination="3454565678")
    response = browser.get(URL + MAY)
    text = "\n".join(pages_text(response))
    assert "Registro chiamate · Studio" not in text  # the <title>
    assert "Registro chiamate" in text
    assert any("Bold" in font for font in pdf_fonts(response)), pdf_fonts(response)


def test_workers_render_chunks_for_a_print_started_on_a_thread(settings):
    # Threaded servers (runserver, gthread) call the view off the main thread; the workers
    # come from the fork server (firm/lib/pdf.py decision 2), so this must work and print the
    # same pages as rendering in this process.
    columns = [{"label": f"Col{n}", "width": 11, "num": False} for n in range(9)]
    rows = [_printed_row(f"row-{i:03d}", *["x"] * 8) for i in range(45)]
    context = {"firm_name": "Studio", "description": "", "totals": {}, "columns": columns}
    texts = {}

    def print_with(workers):
        settings.PDF_WORKERS = workers
        document = pdf.render_pdf_in_chunks(
            "pdf/call_log.html",
            context,
            rows,
            page_numbers_template="pdf/_page_numbers.html",
            chunk_rows=10,
        )
        texts[workers] = [page.extract_text() for page in PdfReader(io.BytesIO(document)).pages]

    for workers in (1, 3):
        thread = threading.Thread(target=print_with, args=(workers,))
        thread.start()
        thread.join(timeout=120)
        assert not thread.is_alive()
    for workers, pages in texts.items():
        assert len(pages) >= 5, workers
        for number, text in enumerate(pages, start=1):
            assert f"Pagina {number} di {len(pages)}" in text, (workers, number)
        rows = re.findall(r"row-\d{3}", "\n".join(pages))
        assert rows == [f"row-{i:03d}" for i in range(45)], workers  # all, in order, once


def _printed_row(*cells):
    """A row as calls.tables.call_print_rows writes it: its cells, ready to print."""
    return mark_safe("".join(f"<td>{cell}</td>" for cell in cells))


def test_a_pdf_joined_from_chunks_stays_compressed():
    # Stamping page numbers rewrites every page's content; it must be compressed again, or
    # the joined PDF is an order of magnitude bigger than the same pages printed in one go.
    columns = [{"label": f"Col{n}", "width": 11, "num": False} for n in range(9)]
    rows = [_printed_row(f"row-{i:03d}", *["3454565678**123"] * 8) for i in range(150)]
    context = {"firm_name": "Studio", "description": "", "totals": {}, "columns": columns}

    def size(chunk_rows):
        return len(
            pdf.render_pdf_in_chunks(
                "pdf/call_log.html",
                context,
                rows,
                page_numbers_template="pdf/_page_numbers.html",
                chunk_rows=chunk_rows,
            )
        )

    # Each chunk brings its own font subsets, hence some growth (about 2.4x here, 16x
    # uncompressed).
    assert size(30) < 3 * size(len(rows))


@pytest.mark.parametrize(
    ("total", "most", "workers", "rows"),
    [
        (1000, 200, 2, 167),  # 6 chunks: 3 each, not 5 with a lone last one
        (1000, 200, 1, 200),
        (150, 200, 2, 200),  # one chunk numbers its own pages
        (400, 200, 2, 200),
        (401, 200, 2, 101),  # 4 chunks of 101 or 98
        (10_000, 200, 4, 193),  # 52 chunks
    ],
)
def test_chunks_are_balanced_over_the_workers(total, most, workers, rows):
    assert pdf.balanced_chunk_rows(total, most, workers) == rows
    chunks = math.ceil(total / rows)
    assert rows <= most
    if total > most:
        assert chunks % workers == 0


def test_the_headers_never_break_mid_word(browser, firm, client_123_calls):
    text = "\n".join(pages_text(browser.get(URL + MAY)))
    assert "Squillo" in text and "Conversazione" in text and "Costo" in text
    assert "-\n" not in text


def test_a_call_assigned_by_hand_is_marked_a_mano_in_the_print(browser, firm):
    chosen = make_client(code="321", name="Scelto S.r.l.")
    coded = make_client(code="123", name="Affaroni S.p.A.")
    start = datetime(2026, 5, 4, 9, 0, tzinfo=ROME)
    make_call(pbx_call_id="hand", start=start, client=chosen, client_set_by_hand=True)
    make_call(pbx_call_id="code", start=start, destination="3454565678**123", client=coded)

    text = "\n".join(pages_text(browser.get(URL + MAY)))

    assert re.search(r"Scelto S\.r\.l\. 321\s+a mano", text), text
    assert text.count("a mano") == 1  # not the call its code assigned


def test_each_printed_column_declares_its_width_and_they_fill_the_page():
    from calls.tables import CallTable

    assert sum(column.width for column in views.PDF_COLUMNS) == 100
    assert all(column.width > 0 for column in views.PDF_COLUMNS)
    assert {column.name for column in views.PDF_COLUMNS} <= set(CallTable.base_columns)
    css = (pdf.static_dir() / "css" / "print.css").read_text()
    assert "nth-child" not in css  # no width by position, which a new column would shift
