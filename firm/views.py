import functools
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from firm.jobs import (
    job_file_path,
    job_visible_to,
    jobs_reap_stale,
    progress_text,
    status_text,
)
from firm.models import Job

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_safe
def health(request):
    """For the reverse proxy and monitoring: 200 when the database answers, 503 otherwise.
    No login and no data: one word of plain text."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


# --- Jobs (firm/jobs.py) ---------------------------------------------------------------------


def _job_for(request, pk) -> Job:
    """The job, if the user may see it (403 otherwise, before a 405 for a POST, as on every
    page): who asked or joined, and administrators."""
    job = get_object_or_404(Job, pk=pk)
    if not job_visible_to(job, request.user):
        raise PermissionDenied
    if request.method not in ("GET", "HEAD"):
        raise _NotAllowed
    return job


class _NotAllowed(Exception):
    pass


def _job_view(view):
    @functools.wraps(view)
    def checked(request, pk):
        try:
            return view(request, pk)
        except _NotAllowed:
            return HttpResponseNotAllowed(["GET", "HEAD"])

    return checked


def job_state(job: Job) -> dict:
    """What the job's page shows, for its first rendering and for the status JSON."""
    return {
        "status": job.status,
        "status_text": status_text(job),
        "done": job.done,
        "total": job.total,
        "progress": progress_text(job),
        "error": job.error,
        "report": job.report if job.status in (Job.Status.DONE, Job.Status.FAILED) else [],
        "download_url": reverse("job_download", args=[job.pk])
        if job.status == Job.Status.DONE and job.file
        else "",
        "file_name": job.file_name,
        "finished": job.status in (Job.Status.DONE, Job.Status.FAILED),
    }


@_job_view
def job_page(request, pk):
    """A job's page: its progress ("12/280 clienti"), kept up to date by static/js/app.js
    from ``job_status``; then its download link, or why it failed."""
    jobs_reap_stale()
    job = _job_for(request, pk)
    return render(
        request,
        "firm/job.html",
        {
            "job": job,
            "state": job_state(job),
            "back": url_has_allowed_host_and_scheme(job.params.get("back", ""), None)
            and job.params.get("back", ""),
            "keep_days": settings.JOB_FILES_KEEP_DAYS,
        },
    )


@never_cache
@_job_view
def job_status(request, pk):
    """The job's state as JSON, asked every second or so by its page."""
    jobs_reap_stale()
    job = _job_for(request, pk)
    return JsonResponse(job_state(job))


@_job_view
def job_download(request, pk):
    """The job's file, to who asked for it (or joined it) and administrators only."""
    job = _job_for(request, pk)
    path = job_file_path(job)
    if job.status != Job.Status.DONE or path is None or not path.is_file():
        raise Http404
    return FileResponse(
        open(path, "rb"),  # noqa: SIM115  (FileResponse closes it)
        as_attachment=True,
        filename=job.file_name,
        content_type=job.content_type or "application/octet-stream",
    )
