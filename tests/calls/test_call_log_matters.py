"""The call log and matters (#15): the ``matter=`` filter (exact code, on both databases),
``%`` patterns finding matter calls through their dialled code, the *Pratica* column on the
page and in the PDF. "Now" is frozen at Wednesday 13 May 2026, 12:00 in Rome."""

import io
from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from calls.filters import CallLogFilter
from calls.models import Call
from tests.conftest import ROME
from tests.factories import make_call, make_client, make_matter, make_matter_call

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

MAY = {"date_after": "2026-05-01", "date_before": "2026-05-31"}


def filtered(**params) -> set[str]:
    filterset = CallLogFilter({**MAY, **params}, queryset=Call.objects.all())
    assert filterset.is_valid(), filterset.form.errors
    return set(filterset.qs.values_list("pbx_call_id", flat=True))


@pytest.fixture
def matter_calls():
    """Client 123 with matters 12301 and 12302, client 1230 (a code that begins like them);
    one call each, and one call of client 123 with no matter."""
    affaroni = make_client("123", "Affaroni S.p.A.")
    other = make_client("1230", "Altro Cliente")
    rossi = make_matter(affaroni, "12301", "Causa Rossi c. Bianchi")
    verdi = make_matter(affaroni, "12302", "Successione Verdi")
    start = datetime(2026, 5, 12, 10, 0, tzinfo=ROME)
    make_matter_call(rossi, pbx_call_id="rossi", start=start)
    make_matter_call(verdi, pbx_call_id="verdi", start=start)
    make_call(
        pbx_call_id="general",
        start=start,
        client=affaroni,
        billing_code="123",
        destination="3454565678**123",
    )
    make_call(
        pbx_call_id="other",
        start=start,
        client=other,
        billing_code="1230",
        destination="3454565678**1230",
    )
    return rossi, verdi


def test_the_matter_filter_takes_exactly_one_matters_calls(matter_calls):
    assert filtered(matter="12301") == {"rossi"}
    assert filtered(matter="12302") == {"verdi"}
    assert filtered(matter="1230") == set()  # a client's code is not a matter's
    assert filtered(matter="99") == set()
    # client= still gives every call of the client, with or without a matter.
    assert filtered(client="123") == {"rossi", "verdi", "general"}
    assert filtered(client="123", matter="12301") == {"rossi"}


def test_the_matter_filter_refuses_what_is_not_a_code(matter_calls):
    filterset = CallLogFilter({**MAY, "matter": "1" * 11}, queryset=Call.objects.all())
    assert not filterset.is_valid()
    assert "matter" in filterset.form.errors


def test_percent_patterns_find_matter_calls_by_their_dialled_code(matter_calls):
    assert filtered(number="%**12301") == {"rossi"}
    assert filtered(number="%**123%") == {"rossi", "verdi", "general", "other"}
    assert filtered(number="%**123") == {"general"}


def test_the_filter_is_described_in_words(matter_calls):
    filterset = CallLogFilter({**MAY, "matter": "12301"}, queryset=Call.objects.all())
    assert filterset.is_valid()
    with translation.override("it"):
        assert filterset.describe().endswith("pratica 12301")


def test_the_matter_filter_reads_the_matter_index(matter_calls):
    # Like client=: the matter's id from its unique code, then its calls from
    # call_matter_start_idx (partial: only calls with a matter), not a scan of the period.
    Call.objects.bulk_create(
        Call(
            start=datetime(2026, 5, 1 + n % 28, 9, tzinfo=ROME),
            destination=f"02{n:08d}",
            direction=Call.Direction.OUTBOUND,
            status=Call.Status.ANSWERED,
            pbx_call_id=f"plan-{n}",
        )
        for n in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "ANALYZE calls_call")
    queryset = CallLogFilter({**MAY, "matter": "12301"}, queryset=Call.objects.all()).qs
    plan = queryset.explain()
    assert "call_matter_start_idx" in plan, plan
    assert filtered(matter="12301") == {"rossi"}


def test_the_log_shows_a_pratica_column(browser, matter_calls):
    with translation.override("it"):
        response = browser.get(reverse("calls:log"), {**MAY, "client": "123"})
    page = response.content.decode()
    assert ">Pratica<" in page
    assert "12301 · Causa Rossi c. Bianchi" in page
    assert "12302 · Successione Verdi" in page


def test_the_page_reads_the_matters_with_the_calls_not_once_a_row(browser, matter_calls):
    # Both filter by client (one query for its id), one of them by matter too: 1 call vs 3.
    one_call = {**MAY, "client": "123", "matter": "12301"}
    three_calls = {**MAY, "client": "123"}
    browser.get(reverse("calls:log"), one_call)
    with CaptureQueriesContext(connection) as one:
        browser.get(reverse("calls:log"), one_call)
    browser.get(reverse("calls:log"), three_calls)
    with CaptureQueriesContext(connection) as three:
        browser.get(reverse("calls:log"), three_calls)
    assert len(three) == len(one)


def test_the_pdf_prints_the_pratica_column(browser, matter_calls):
    response = browser.get(reverse("calls:pdf"), {**MAY, "client": "123"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(" ".join(page.extract_text().split()) for page in pages)
    assert "Pratica" in text
    assert "12301 · Causa Rossi c. Bianchi" in text
    assert "12302 · Successione Verdi" in text
