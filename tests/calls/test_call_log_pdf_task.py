"""A call-log PDF of more than PDF_SYNC_MAX_ROWS calls is printed by the task worker: the
page says so with a button, the job shows its progress in calls, then the PDF is downloaded.
Up to the threshold the PDF comes at once (tests/calls/test_call_log_pdf.py)."""

import io
from datetime import datetime

import pytest
from django.urls import reverse
from pypdf import PdfReader

from firm.models import Job
from tests.conftest import ROME, logged_in
from tests.factories import make_call, make_client

pytestmark = pytest.mark.django_db

URL = reverse("calls:pdf") + "?date_after=2026-05-01&date_before=2026-05-31&sort=-start"


@pytest.fixture
def six_calls(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PDF_SYNC_MAX_ROWS = 5
    client = make_client(code="123", name="Affaroni S.p.A.")
    for minute in range(6):
        make_call(
            pbx_call_id=f"c{minute}",
            start=datetime(2026, 5, 4, 9, minute, tzinfo=ROME),
            destination=f"345456567{minute}**123",
            billing_code="123",
            client=client,
            talk_seconds=60,
        )
    return client


def test_above_the_threshold_the_page_offers_to_prepare_it_in_the_background(paolo, six_calls):
    response = logged_in(paolo).get(URL)
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Questo filtro seleziona 6 chiamate: il PDF viene preparato in background" in page
    assert 'id="pdf-start"' in page and 'method="post"' in page
    assert not Job.objects.exists()  # looking starts nothing


def test_the_worker_prints_it_and_who_asked_downloads_it(paolo, six_calls, run_jobs, settings):
    settings.PDF_WORKERS = 1
    browser = logged_in(paolo)
    response = browser.post(URL)
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.kind == "call_log_pdf" and job.title == "PDF del registro chiamate, 6 chiamate"
    run_jobs()
    status = browser.get(reverse("job_status", args=[job.pk])).json()
    assert status["status"] == "done" and status["progress"] == "6/6 chiamate"
    assert status["file_name"] == "registro-chiamate-2026-05-01_2026-05-31.pdf"
    download = browser.get(status["download_url"])
    pdf = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Affaroni S.p.A." in text and "3454565675" in text
    # Sorted as asked (?sort=-start): the last call first.
    assert text.index("3454565675") < text.index("3454565670")


def test_up_to_the_threshold_it_comes_at_once(paolo, six_calls, settings):
    settings.PDF_SYNC_MAX_ROWS = 6
    response = logged_in(paolo).get(URL)
    assert response["Content-Type"] == "application/pdf"
    assert not Job.objects.exists()


def test_the_background_page_of_an_invalid_filter_says_why(paolo, six_calls):
    response = logged_in(paolo).post(reverse("calls:pdf") + "?date_after=nonsense")
    assert response.status_code == 200
    assert 'id="pdf-refused"' in response.content.decode()
    assert not Job.objects.exists()
