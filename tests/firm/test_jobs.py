"""Jobs (firm/jobs.py): the page that follows one, its status JSON and its file — for who
asked, who joined and administrators only —, joining instead of a second job, a failure said
on the page, a worker that died retried once then failed, and delete_old_jobs."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from firm.jobs import jobs_reap_stale
from firm.models import Job
from tests.conftest import ROME, logged_in
from tests.factories import make_call, make_client, make_user

pytestmark = pytest.mark.django_db

PACK = reverse("clients:statements_pack") + "?date_after=2026-05-01&date_before=2026-05-31"


@pytest.fixture
def may_calls(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    for code, name in [("123", "Affaroni S.p.A."), ("456", "Bianchi S.r.l.")]:
        client = make_client(code=code, name=name, hourly_rate=Decimal("120"))
        make_call(
            client=client,
            billing_code=code,
            talk_seconds=300,
            start=datetime(2026, 5, 4, 9, tzinfo=ROME),
        )


def ask_for_pack(user, **data) -> Job:
    response = logged_in(user).post(PACK, data)
    assert response.status_code == 302
    return Job.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))


def test_the_status_says_queued_then_the_progress_and_the_file(paolo, may_calls, run_jobs):
    job = ask_for_pack(paolo)
    browser = logged_in(paolo)
    status = browser.get(reverse("job_status", args=[job.pk])).json()
    assert status["status"] == "queued" and status["finished"] is False
    assert status["download_url"] == ""
    assert status["status_text"] == "In attesa del worker…"

    run_jobs()

    status = browser.get(reverse("job_status", args=[job.pk])).json()
    assert status["status"] == "done" and status["finished"] is True
    assert (status["done"], status["total"]) == (2, 2)
    assert status["progress"] == "2/2 clienti"
    assert status["file_name"] == "rendiconti-2026-05.pdf"
    assert status["report"] == [{"level": "success", "text": "2 clienti, 2 chiamate, 3 pagine."}]
    download = browser.get(status["download_url"])
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_page_shows_the_progress_as_the_worker_reports_it(paolo, may_calls):
    job = ask_for_pack(paolo)
    Job.objects.filter(pk=job.pk).update(status="running", done=12, total=280, unit="clients")
    page = logged_in(paolo).get(reverse("job", args=[job.pk]))
    html = page.content.decode()
    assert '<p class="job-progress-text" id="job-progress-text">12/280 clienti</p>' in html
    assert 'max="280" value="12"' in html
    assert f'data-status-url="{reverse("job_status", args=[job.pk])}"' in html
    assert "<script>" not in html  # the Content-Security-Policy runs no inline script


@pytest.mark.parametrize("name", ["job", "job_status", "job_download"])
def test_only_who_asked_and_administrators_may_follow_a_job(
    paolo, anna, nora, client, may_calls, run_jobs, name
):
    job = ask_for_pack(paolo)
    run_jobs()
    url = reverse(name, args=[job.pk])
    assert logged_in(paolo).get(url).status_code == 200
    assert logged_in(anna).get(url).status_code == 200
    other_partner = make_user("marco", role="Partner")
    assert logged_in(other_partner).get(url).status_code == 403
    assert logged_in(nora).get(url).status_code == 403
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_asking_again_while_it_runs_joins_it(paolo, may_calls, run_jobs):
    marco = make_user("marco", role="Partner")
    first = ask_for_pack(paolo)
    again = ask_for_pack(paolo)
    other = ask_for_pack(marco)
    assert again.pk == first.pk == other.pk
    assert Job.objects.count() == 1 and DBTaskResult.objects.count() == 1
    # Who joined may download it too; a ZIP of the same month is another job.
    assert ask_for_pack(paolo, zip="on").pk != first.pk
    run_jobs()
    status = logged_in(marco).get(reverse("job_status", args=[first.pk])).json()
    assert status["status"] == "done"
    assert logged_in(marco).get(status["download_url"]).status_code == 200
    # Once done, asking again makes a new pack (the calls may have changed).
    assert ask_for_pack(paolo).pk != first.pk


def test_a_failed_job_says_why_on_its_page(paolo, may_calls, run_jobs, monkeypatch):
    from clients.billing import tasks

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tasks, "month_pack_pdf", broken)
    job = ask_for_pack(paolo)
    run_jobs()
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == "[Errno 28] No space left on device"
    folder = may_calls_media(job)
    assert not folder.exists() or not any(folder.iterdir())  # no half file left
    page = logged_in(paolo).get(reverse("job", args=[job.pk])).content.decode()
    assert "Non riuscito:" in page and "No space left on device" in page
    assert DBTaskResult.objects.get().status == "FAILED"


def may_calls_media(job):
    from django.conf import settings

    return settings.MEDIA_ROOT / "jobs" / str(job.pk)


def test_a_job_whose_worker_died_is_tried_again_once_then_failed(paolo, may_calls, settings):
    job = ask_for_pack(paolo)
    first_result = job.task_result_id
    # A worker took it, then died: no heartbeat for longer than JOB_STALE_SECONDS.
    long_ago = timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS + 1)
    Job.objects.filter(pk=job.pk).update(status="running", attempts=1, heartbeat_at=long_ago)
    DBTaskResult.objects.filter(pk=first_result).update(status="RUNNING")

    assert jobs_reap_stale() == 1
    job.refresh_from_db()
    assert job.status == "queued" and job.task_result_id != first_result
    assert DBTaskResult.objects.get(pk=first_result).status == "FAILED"
    assert DBTaskResult.objects.get(pk=job.task_result_id).status == "READY"
    status = logged_in(paolo).get(reverse("job_status", args=[job.pk])).json()
    assert status["status_text"] == "In attesa di un nuovo tentativo (il worker si è fermato)."

    # The second worker dies too: failed, and the page says why.
    Job.objects.filter(pk=job.pk).update(status="running", attempts=2, heartbeat_at=long_ago)
    assert jobs_reap_stale() == 1
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
    status = logged_in(paolo).get(reverse("job_status", args=[job.pk])).json()
    assert status["error"] == (
        "Il worker si è fermato durante questo lavoro 2 volte; non viene ritentato."
    )


def test_a_running_job_with_a_recent_heartbeat_is_left_alone(paolo, may_calls):
    job = ask_for_pack(paolo)
    Job.objects.filter(pk=job.pk).update(status="running", attempts=1, heartbeat_at=timezone.now())
    assert jobs_reap_stale() == 0
    job.refresh_from_db()
    assert job.status == "running"


def test_delete_old_jobs_deletes_old_files_and_keeps_recent_ones(paolo, may_calls, run_jobs):
    old, recent = ask_for_pack(paolo), ask_for_pack(paolo, zip="on")
    run_jobs()
    old.refresh_from_db()
    recent.refresh_from_db()
    old_file, recent_file = may_calls_media(old), may_calls_media(recent)
    assert (old_file / old.file_name).is_file() and (recent_file / recent.file_name).is_file()
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=4))

    call_command("delete_old_jobs", "--dry-run")
    assert (old_file / old.file_name).is_file()

    call_command("delete_old_jobs")
    assert not old_file.exists()
    assert (recent_file / recent.file_name).is_file()
    assert list(Job.objects.values_list("pk", flat=True)) == [recent.pk]
    assert logged_in(paolo).get(reverse("job_download", args=[old.pk])).status_code == 404
