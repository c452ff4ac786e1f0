"""manage.py client_statements --month YYYY-MM --output DIR: the month-end pack as one PDF
(summary first, each client on new pages) or a ZIP, and clear refusals."""

import io
import zipfile
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from calls.models import Call
from firm.models import FirmSettings
from tests.conftest import ROME
from tests.factories import make_call, make_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def may_calls():
    firm = FirmSettings.load()
    firm.firm_name = "Studio Legale Rossi"
    firm.save()
    clients = [
        make_client(code="101", name="Alfa S.r.l.", hourly_rate=Decimal("100")),
        make_client(code="202", name="Beta Caffè S.n.c.", vat_number="IT11111111111"),
        make_client(code="303", name="Gamma Studi", hourly_rate=Decimal("60")),
    ]
    make_client(code="404", name="Delta senza chiamate")
    for n, client in enumerate(clients):
        for i in range(n + 1):
            make_call(
                client=client,
                billing_code=client.code,
                talk_seconds=600 * (i + 1),
                start=datetime(2026, 5, 2 + i, 10, n, tzinfo=ROME),
            )
    make_call(client=clients[0], billing_code="101", start=datetime(2026, 6, 1, tzinfo=ROME))
    return clients


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("client_statements", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_pack_is_one_pdf_summary_first_then_each_client_on_new_pages(tmp_path, may_calls):
    out, _err = run("--month", "2026-05", "--output", str(tmp_path))
    path = tmp_path / "rendiconti-2026-05.pdf"
    assert f"{path}: 3 clients, 6 calls" in out
    pages = [page.extract_text() for page in PdfReader(path).pages]
    assert "Riepilogo clienti" in pages[0]
    for name in ("Alfa S.r.l.", "Beta Caffè S.n.c.", "Gamma Studi"):
        assert name in pages[0]
    assert "Delta senza chiamate" not in "\n".join(pages)
    # Each statement starts on its own page with its own numbering.
    starts = [i for i, text in enumerate(pages) if "Rendiconto delle telefonate" in text]
    assert len(starts) == 3 and starts[0] == 1
    ends = [*starts[1:], len(pages)]
    statements = ["\n".join(pages[a:b]) for a, b in zip(starts, ends, strict=True)]
    alfa, beta, gamma = statements
    assert "Alfa S.r.l." in alfa and "Totale, 1 chiamata" in alfa and "€ 20,00" in alfa
    assert "Beta Caffè S.n.c." in beta and "IT11111111111" in beta
    assert "Totale, 2 chiamate" in beta and "0:30:00" in beta
    assert "Gamma Studi" in gamma and "Totale, 3 chiamate" in gamma and "€ 66,00" in gamma
    for start in starts:
        assert "Pagina 1 di 1" in pages[start]
    assert "€ 20,00" in pages[0] and "€ 66,00" in pages[0]


def test_with_zip_one_pdf_per_client_and_the_summary(tmp_path, may_calls):
    run("--month", "2026-05", "--output", str(tmp_path), "--zip")
    archive = zipfile.ZipFile(tmp_path / "rendiconti-2026-05.zip")
    assert archive.namelist() == [
        "00-riepilogo-20260501-20260531.pdf",
        "101-alfa-s-r-l-20260501-20260531.pdf",
        "202-beta-caffe-s-n-c-20260501-20260531.pdf",
        "303-gamma-studi-20260501-20260531.pdf",
    ]
    beta = PdfReader(io.BytesIO(archive.read("202-beta-caffe-s-n-c-20260501-20260531.pdf")))
    assert "Beta Caffè S.n.c." in beta.pages[0].extract_text()


def test_a_month_without_calls_gives_the_summary_page_only(tmp_path, may_calls):
    out, _err = run("--month", "2025-01", "--output", str(tmp_path))
    pages = PdfReader(tmp_path / "rendiconti-2025-01.pdf").pages
    assert len(pages) == 1
    assert "Nessun cliente ha chiamate nel periodo." in pages[0].extract_text()
    assert "0 clients" in out


@pytest.mark.parametrize("month", ["2026-13", "2026-5", "May 2026", "0000-01", ""])
def test_a_bad_month_is_refused_with_a_clear_message(tmp_path, month):
    with pytest.raises(CommandError, match="month|year"):
        run("--month", month, "--output", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_an_output_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")
    with pytest.raises(CommandError, match="not a folder"):
        run("--month", "2026-05", "--output", str(target))


def test_dry_run_writes_nothing(tmp_path, may_calls):
    out, _err = run("--month", "2026-05", "--output", str(tmp_path / "pack"), "--dry-run")
    assert "3 clients, 6 calls" in out
    assert not (tmp_path / "pack").exists()


def test_the_calls_of_the_month_are_the_firm_time_zone_days(tmp_path, may_calls):
    # 1 June 00:00 in Rome is 31 May 22:00 UTC: it belongs to June, not to May.
    assert Call.objects.filter(start__month=5).count() >= 6
    out, _err = run("--month", "2026-05", "--output", str(tmp_path), "--dry-run")
    assert "6 calls" in out


@pytest.mark.parametrize("workers", [1, 2])
def test_short_and_long_statements_keep_their_order_in_the_pack(
    tmp_path, may_calls, settings, monkeypatch, workers
):
    # Alfa's statement fits in one document (rendered in a batch, side by side); Beta's and
    # Gamma's are longer than a chunk here, so they are printed in chunks and numbered after.
    settings.PDF_WORKERS = workers
    monkeypatch.setattr("firm.lib.pdf.CHUNK_ROWS", 3)
    monkeypatch.setattr("clients.billing.printing.PACK_BATCH_PER_WORKER", 1)
    run("--month", "2026-05", "--output", str(tmp_path), "--zip")
    archive = zipfile.ZipFile(tmp_path / "rendiconti-2026-05.zip")
    names = archive.namelist()
    for name, client in zip(names[1:], ("Alfa S.r.l.", "Beta Caffè", "Gamma Studi"), strict=True):
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(archive.read(name))).pages]
        assert client in pages[0], name
        assert f"Pagina {len(pages)} di {len(pages)}" in pages[-1], name
    gamma = PdfReader(io.BytesIO(archive.read(names[3])))
    assert len(gamma.pages) > 1


@pytest.fixture
def unanswered_only(may_calls):
    """Epsilon, at 100 €/h, had only an unanswered call in May: a € 0,00 statement."""
    client = make_client(code="505", name="Epsilon S.r.l.", hourly_rate=Decimal("100"))
    make_call(
        client=client,
        billing_code="505",
        talk_seconds=0,
        status=Call.Status.NO_ANSWER,
        start=datetime(2026, 5, 20, 10, tzinfo=ROME),
    )
    return client


def test_the_pack_leaves_out_clients_with_nothing_billable_and_says_so(tmp_path, unanswered_only):
    out, _err = run("--month", "2026-05", "--output", str(tmp_path))
    assert "3 clients, 6 calls" in out
    assert "1 client with nothing billable left out" in out
    pages = [page.extract_text() for page in PdfReader(tmp_path / "rendiconti-2026-05.pdf").pages]
    assert "Epsilon" not in "\n".join(pages)
    assert "1 cliente senza nulla da fatturare escluso" in pages[0]
    out, _err = run("--month", "2026-05", "--output", str(tmp_path), "--dry-run")
    assert "3 clients, 6 calls; 1 client with nothing billable left out" in out


def test_a_firm_setting_keeps_clients_with_nothing_billable_in_the_pack(tmp_path, unanswered_only):
    FirmSettings.objects.update(pack_skips_unbillable=False)
    out, _err = run("--month", "2026-05", "--output", str(tmp_path), "--zip")
    assert "4 clients, 7 calls" in out and "left out" not in out
    assert "505-epsilon-s-r-l-20260501-20260531.pdf" in (
        zipfile.ZipFile(tmp_path / "rendiconti-2026-05.zip").namelist()
    )
