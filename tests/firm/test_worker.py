"""The real task worker: ``manage.py db_worker`` in its own process on the test database
(the ``worker`` fixture; on SQLite the test database is a file for it). It makes a month pack
that the partner downloads; with 8 packs running, /health/ and pages answer at once; SIGTERM
lets the task in hand finish; a worker killed mid-job has its job tried again by the next."""

import io
import signal
import time
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from firm.jobs import jobs_reap_stale
from firm.models import Job
from tests.conftest import ROME, logged_in
from tests.factories import make_call, make_client

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PACK = reverse("clients:statements_pack")


def period(month: int) -> str:
    last = (date(2026, month + 1, 1) - date.resolution).day if month < 12 else 31
    return f"?date_after=2026-{month:02d}-01&date_before=2026-{month:02d}-{last}"


@pytest.fixture
def clients_with_calls():
    """Six clients with a call in every month of 2026 up to August."""
    for number in range(6):
        client = make_client(
            code=str(100 + number), name=f"Cliente {number}", hourly_rate=Decimal("100")
        )
        for month in range(1, 9):
            make_call(
                client=client,
                billing_code=client.code,
                talk_seconds=120 + number,
                start=datetime(2026, month, 3, 9, number, tzinfo=ROME),
            )


def wait_for(condition, timeout=120, every=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"still not true after {timeout} s")


def job_of(response) -> Job:
    assert response.status_code == 302, response
    return Job.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))


def status(job: Job) -> str:
    job.refresh_from_db()
    return job.status


def test_a_real_worker_makes_the_pack_and_the_partner_downloads_it(
    paolo, clients_with_calls, worker
):
    browser = logged_in(paolo)
    job = job_of(browser.post(PACK + period(5)))
    worker.start()
    wait_for(lambda: status(job) == "done")
    state = browser.get(reverse("job_status", args=[job.pk])).json()
    assert state["progress"] == "6/6 clienti"
    download = browser.get(state["download_url"])
    reader = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Riepilogo clienti" in text and "Cliente 5" in text
    assert worker.stop() == 0


def test_with_8_packs_running_health_and_pages_answer_at_once(
    paolo, clients_with_calls, worker, client
):
    browser = logged_in(paolo)
    started = time.monotonic()
    jobs = [job_of(browser.post(PACK + period(month))) for month in range(1, 9)]
    asking = time.monotonic() - started
    assert len({job.pk for job in jobs}) == 8
    worker.start()
    wait_for(lambda: any(status(job) == "running" for job in jobs))
    timings = {}
    for url, who in [
        ("/health/", client),
        (reverse("clients:statements") + period(5), browser),
        (reverse("calls:log"), browser),
    ]:
        before = time.monotonic()
        assert who.get(url).status_code == 200
        timings[url] = time.monotonic() - before
    # The packs were queued, not made, by the requests: 8 asked in well under a second each,
    # and the pages answer in their usual time while the worker makes them (before: 100 s).
    assert asking < 8 * 1.0, asking
    assert max(timings.values()) < 3.0, timings
    assert any(status(job) != "done" for job in jobs)  # the packs were indeed running
    wait_for(lambda: all(status(job) == "done" for job in jobs), timeout=300)


def test_sigterm_lets_the_task_in_hand_finish(paolo, clients_with_calls, worker):
    job = job_of(logged_in(paolo).post(PACK + period(6)))
    worker.start()
    wait_for(lambda: status(job) == "running", every=0.05)
    worker.process.send_signal(signal.SIGTERM)
    assert worker.process.wait(timeout=120) == 0
    assert status(job) == "done"
    assert job.file and job.done == job.total == 6


def test_a_job_whose_worker_was_killed_is_done_by_the_next(
    paolo, clients_with_calls, worker, settings
):
    settings.JOB_STALE_SECONDS = 2
    job = job_of(logged_in(paolo).post(PACK + period(7) + "&zip=on"))
    # A slow first client, so the kill lands mid-job.
    worker.start(JOB_HEARTBEAT_SECONDS="1", PDF_WORKERS="1")
    wait_for(lambda: status(job) == "running", every=0.02)
    worker.process.send_signal(signal.SIGKILL)
    worker.process.wait(timeout=10)
    if status(job) == "done":
        pytest.skip("the pack was done before the kill landed")
    wait_for(lambda: jobs_reap_stale() == 1, timeout=30, every=0.5)
    job.refresh_from_db()
    assert job.status == "queued" and job.attempts == 1
    worker.start(JOB_HEARTBEAT_SECONDS="1")
    wait_for(lambda: status(job) == "done")
    assert job.attempts == 2 and job.file_name == "rendiconti-2026-07.zip"


def test_a_second_sigterm_hands_the_job_back_and_the_next_worker_does_it(
    paolo, clients_with_calls, worker
):
    for number in range(30):  # a longer pack, so the signals land mid-job
        client = make_client(code=str(200 + number), name=f"Altro {number}")
        make_call(client=client, billing_code=client.code, start=datetime(2026, 8, 5, tzinfo=ROME))
    job = job_of(logged_in(paolo).post(PACK + period(8) + "&zip=on"))
    first_result = job.task_result_id
    worker.start()
    wait_for(lambda: status(job) == "running" and job.done >= 1, every=0.02)
    worker.process.send_signal(signal.SIGTERM)
    time.sleep(0.5)  # two signals at once are one signal
    worker.process.send_signal(signal.SIGTERM)  # as deploy/clientcalls-worker.service does
    worker.process.wait(timeout=60)
    if status(job) == "done":
        pytest.skip("the pack was done before the second signal landed")
    assert job.status == "queued" and job.attempts == 0  # not counted against it
    assert job.task_result_id != first_result
    worker.start()
    wait_for(lambda: status(job) == "done")
    assert job.attempts == 1
