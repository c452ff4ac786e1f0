"""The client summary /clients/statements/: one row per client with calls, sortable, links to
statements, CSV/XLSX, every client's billed time, and the month pack button."""

import csv
import io
import zipfile
from datetime import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from calls.models import Call
from tests.conftest import ROME, logged_in
from tests.factories import make_call, make_client

pytestmark = pytest.mark.django_db

URL = reverse("clients:statements")
PACK = reverse("clients:statements_pack")
MAY = "?date_after=2026-05-01&date_before=2026-05-31"


@pytest.fixture
def clients_with_calls():
    """Affaroni (120 €/h): 3 calls, 1 h 0 min 1 s of talk; Bianchi (no rate): 1 call."""
    affaroni = make_client(code="123", name="Affaroni S.p.A.", hourly_rate=Decimal("120"))
    bianchi = make_client(code="456", name="=Bianchi & Figli")
    make_client(code="789", name="Zeta senza chiamate", hourly_rate=Decimal("50"))
    for minute, talk in enumerate([3600, 1, 0]):
        make_call(
            client=affaroni,
            billing_code="123",
            talk_seconds=talk,
            status=Call.Status.ANSWERED if talk else Call.Status.NO_ANSWER,
            start=datetime(2026, 5, 4, 9, minute, tzinfo=ROME),
        )
    make_call(
        client=bianchi,
        billing_code="456",
        talk_seconds=30,
        start=datetime(2026, 5, 5, 9, tzinfo=ROME),
    )
    return affaroni, bianchi


def test_one_row_per_client_with_calls_and_links_to_the_statements(browser, clients_with_calls):
    response = browser.get(URL + MAY)
    assert response.status_code == 200
    page = response.content.decode()
    table = response.context["table"]
    assert [row["code"] for row in table.data] == ["456", "123"]  # by name ("=" sorts first)
    assert "Zeta senza chiamate" not in page
    statement = reverse("clients:statement", kwargs={"code": "123"})
    assert f'href="{statement}?date_after=2026-05-01&amp;date_before=2026-05-31"' in page
    assert '<dd id="total-clients">2</dd>' in page
    assert '<dd id="total-calls">4</dd>' in page
    assert '<dd id="total-amount">€ 132,00</dd>' in page  # 3600 s + 360 s at 120 €/h
    assert "€ 132,00" in page and "—" in page  # Bianchi has no rate


@pytest.mark.parametrize(
    ("sort", "codes"),
    [("-amount", ["123", "456"]), ("amount", ["456", "123"]), ("-calls", ["123", "456"])],
)
def test_the_summary_sorts_by_any_column(browser, clients_with_calls, sort, codes):
    response = browser.get(URL + MAY + f"&sort={sort}")
    assert [row.record["code"] for row in response.context["table"].rows] == codes


def test_a_bogus_sort_is_ignored(browser, clients_with_calls):
    assert browser.get(URL + MAY + "&sort=__class__").status_code == 200


def test_the_summary_exports_as_italian_csv(browser, clients_with_calls):
    response = browser.get(URL + MAY + "&_export=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "rendiconti-2026-05-01_2026-05-31.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Codice cliente", "Cliente", "Partita IVA", "Chiamate"]
    affaroni = next(row for row in rows if row[0] == "123")
    assert affaroni[3:] == [
        "3",
        "2",
        "1:00:01",
        "3601",
        "1:06:00",
        "3960",
        "132,00",
        "",
        "",
        "",
        "",
        "",
    ]
    bianchi = next(row for row in rows if row[0] == "456")
    assert bianchi[1] == "'=Bianchi & Figli"  # a formula is neutralised
    assert bianchi[9] == ""  # no rate, no amount


def test_the_summary_exports_as_xlsx(browser, clients_with_calls):
    response = browser.get(URL + MAY + "&_export=xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "Codice cliente"
    affaroni = next(row for row in rows if row[0] == "123")
    assert affaroni[3] == 3 and affaroni[8] == 3960 and Decimal(str(affaroni[9])) == 132


def test_every_clients_billed_time_as_csv_and_ledes(browser, clients_with_calls):
    entries = browser.get(URL + MAY + "&_export=billing_csv")
    rows = list(
        csv.reader(
            io.StringIO(b"".join(entries.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert [row[0] for row in rows[1:]] == ["456", "123", "123"]  # billed calls only
    ledes = browser.get(URL + MAY + "&_export=ledes").content.decode()
    records = ledes.split("\r\n")
    assert records[0] == "LEDES1998B[]"
    assert sum(record.startswith("2026") for record in records) == 3
    assert {"123-202605", "456-202605"} <= {r.split("|")[1] for r in records[2:] if r}


def pack(browser, run_jobs, query, *, as_zip=False):
    """Ask for the month pack as the page's button does, let the worker make it, download it."""
    response = browser.post(PACK + query, {"zip": "on"} if as_zip else {})
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    run_jobs()
    page = browser.get(response["Location"])
    assert page.status_code == 200
    download = page.context["state"]["download_url"]
    assert download, page.context["state"]
    return browser.get(download)


def test_the_pack_button_gives_one_pdf_with_every_client(browser, clients_with_calls, run_jobs):
    response = pack(browser, run_jobs, MAY)
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="rendiconti-2026-05.pdf"' in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Riepilogo clienti" in text
    assert "Affaroni S.p.A." in text and "=Bianchi & Figli" in text
    assert "€ 132,00" in text


def test_the_pack_button_gives_a_zip_of_pdfs(browser, clients_with_calls, run_jobs):
    response = pack(browser, run_jobs, MAY, as_zip=True)
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == [
        "00-riepilogo-20260501-20260531.pdf",
        "456-bianchi-figli-20260501-20260531.pdf",
        "123-affaroni-s-p-a-20260501-20260531.pdf",
    ]


def test_the_pack_is_never_made_in_the_request(browser, clients_with_calls):
    response = browser.post(PACK + MAY)
    assert response.status_code == 302
    page = browser.get(response["Location"])
    assert page.context["state"]["status"] == "queued"
    assert page.context["state"]["download_url"] == ""


def test_a_bad_period_on_the_pack_shows_the_summary_form_with_the_error(browser):
    response = browser.post(PACK + "?date_after=2026-05-01", headers={"accept-language": "en"})
    assert response.status_code == 200
    assert "Enter both the first and the last day." in response.content.decode()


@pytest.mark.parametrize("address", [URL, PACK])
def test_receptionists_may_not(rita, address):
    assert logged_in(rita).get(address + MAY).status_code == 403


def test_the_pack_button_leaves_out_a_client_with_only_unanswered_calls(
    browser, clients_with_calls, run_jobs
):
    zeta = make_client(code="790", name="Zeta solo squilli", hourly_rate=Decimal("50"))
    make_call(
        client=zeta,
        billing_code="790",
        talk_seconds=0,
        status=Call.Status.NO_ANSWER,
        start=datetime(2026, 5, 6, 9, tzinfo=ROME),
    )
    response = pack(browser, run_jobs, MAY, as_zip=True)
    assert 'filename="rendiconti-2026-05.zip"' in response["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert len(names) == 3 and not any(name.startswith("790-") for name in names)
    # On the page, the firm still sees the client and its calls.
    assert "Zeta solo squilli" in browser.get(URL + MAY).content.decode()
