"""Long work off the web request: a ``Job`` row says what a user asked for and how far it has
gone; a task of Django's tasks framework (django_tasks, database backend) does the work in
``manage.py db_worker`` (docs/tasks.md).

- ``job_start`` records a job and enqueues its task, or joins the same job (same kind and
  parameters) while it is queued or running.
- A task runs its work inside ``job_run``: the job is marked running, a heartbeat thread writes
  a sign of life every ``JOB_HEARTBEAT_SECONDS``, progress goes through ``JobRun.progress``,
  a file through ``JobRun.output``; an error marks the job failed with its reason; a worker
  stopped twice by a signal hands the job back to the queue.
- ``jobs_reap_stale`` finds running jobs whose worker died (no heartbeat for
  ``JOB_STALE_SECONDS``): retried once, then marked failed.
- ``jobs_delete_old`` deletes jobs finished more than ``JOB_FILES_KEEP_DAYS`` ago with their
  files (``manage.py delete_old_jobs``, deploy/daily.sh).

The kernel knows no app: each app defines its tasks (``clients/billing/tasks.py``,
``calls/tasks.py``) and passes them to ``job_start``.
"""

import json
import logging
import os
import shutil
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from firm.models import Job
from firm.roles import is_administrator

logger = logging.getLogger(__name__)

# A job is tried at most this many times (a first run and one retry after its worker died).
MAX_ATTEMPTS = 2
JOBS_FOLDER = "jobs"

# How progress reads on the page, per unit: "12/280 clienti".
UNITS = {
    "clients": _("%(done)s/%(total)s clients"),
    "calls": _("%(done)s/%(total)s calls"),
    "statements": _("%(done)s/%(total)s statements"),
    "emails": _("%(done)s/%(total)s e-mails"),
}


def job_key(kind: str, params: dict) -> str:
    """What makes two jobs the same job: their kind and parameters."""
    return f"{kind}:{json.dumps(params, sort_keys=True, separators=(',', ':'))}"[:500]


def job_start(*, kind: str, params: dict, user, task, title: str = "") -> tuple[Job, bool]:
    """The job ``kind`` with ``params`` for ``user`` and whether it was joined: a job with
    the same kind and parameters that is queued or running is joined (``user`` may download
    its file too); otherwise a new job is recorded and ``task`` enqueued with its id."""
    jobs_reap_stale()
    key = job_key(kind, params)
    asker = user if user is not None and user.is_authenticated else None
    for _attempt in range(3):
        running = Job.objects.filter(key=key, status__in=Job.ACTIVE).first()
        if running is not None:
            if asker is not None and asker.pk != running.requested_by_id:
                running.joined_by.add(asker)
            return running, True
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    kind=kind, params=params, key=key, requested_by=asker, title=title[:200]
                )
                result = task.enqueue(job.pk)
                job.task_result_id = str(result.id)
                job.save(update_fields=["task_result_id"])
            return job, False
        except IntegrityError:  # asked at the same moment by someone else: join theirs
            continue
    raise RuntimeError(f"Could not start or join the job {key}")


def job_visible_to(job: Job, user) -> bool:
    """Who may follow a job and download its file: who asked, who joined, administrators."""
    if not user.is_authenticated:
        return False
    if job.requested_by_id == user.pk or is_administrator(user):
        return True
    return job.joined_by.filter(pk=user.pk).exists()


def job_file_path(job: Job) -> Path | None:
    return Path(settings.MEDIA_ROOT) / job.file if job.file else None


def progress_text(job: Job) -> str:
    if not job.total:
        return ""
    template = UNITS.get(job.unit, _("%(done)s/%(total)s"))
    return str(template) % {"done": job.done, "total": job.total}


def status_text(job: Job) -> str:
    if job.status == Job.Status.QUEUED:
        if job.attempts:
            return gettext("Waiting to be tried again (the worker stopped).")
        return gettext("Waiting for the worker…")
    if job.status == Job.Status.RUNNING:
        return gettext("In progress…")
    if job.status == Job.Status.DONE:
        return gettext("Ready.")
    return gettext("Failed.")


# --- Running ---------------------------------------------------------------------------------


class JobTakenOver(Exception):
    """The job was handed to another run (its worker was thought dead): this run stops."""


@dataclass
class JobRun:
    """What a task sees of its job while it runs."""

    job: Job
    task_result_id: str

    @property
    def params(self) -> dict:
        return self.job.params

    def _mine(self):
        return Job.objects.filter(
            pk=self.job.pk, task_result_id=self.task_result_id, status=Job.Status.RUNNING
        )

    def progress(self, done: int, total: int, unit: str = "") -> None:
        """Say how far the job has gone: ``done`` of ``total`` ``unit`` (a key of UNITS)."""
        fields = {"done": done, "total": total, "heartbeat_at": timezone.now()}
        if unit:
            fields["unit"] = unit
        if not self._mine().update(**fields):
            raise JobTakenOver(self.job.pk)

    def report(self, level: str, text: str) -> None:
        """A line for the job's page once it has finished (level: success, warning, error)."""
        self.job.report.append({"level": level, "text": str(text)})

    @contextmanager
    def output(self, file_name: str, content_type: str, *, folder: Path | None = None):
        """A binary file to write the job's result into. Written beside its final place and
        renamed when the block ends without error: a failed run leaves no half file. Kept
        in ``MEDIA_ROOT/jobs/<id>/`` (downloadable from the job's page), or in ``folder``."""
        relative = None
        if folder is None:
            relative = Path(JOBS_FOLDER) / str(self.job.pk) / file_name
            folder = Path(settings.MEDIA_ROOT) / relative.parent
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".job-")
        try:
            with os.fdopen(handle, "wb") as target:
                yield target
            os.replace(temporary, folder / file_name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        if relative is not None:
            self.job.file = str(relative)
            self.job.file_name = file_name
            self.job.content_type = content_type


class _Heartbeat(threading.Thread):
    """Writes the job's sign of life every ``JOB_HEARTBEAT_SECONDS`` while the task runs,
    even inside one long step (a PDF of thousands of rows)."""

    def __init__(self, job_id: int, task_result_id: str):
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.job_id = job_id
        self.task_result_id = task_result_id
        self.stopped = threading.Event()

    def run(self):
        try:
            while not self.stopped.wait(settings.JOB_HEARTBEAT_SECONDS):
                Job.objects.filter(
                    pk=self.job_id, task_result_id=self.task_result_id, status=Job.Status.RUNNING
                ).update(heartbeat_at=timezone.now())
        except Exception:  # a database outage: the next beat, or the reaper, will tell
            logger.warning("Job %s: heartbeat failed", self.job_id, exc_info=True)
        finally:
            connection.close()

    def stop(self):
        self.stopped.set()
        self.join(timeout=5)


def _failure_text(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or type(error).__name__


@contextmanager
def job_run(context, job_id: int):
    """Run a job's work inside the ``with`` block (see the module). ``context`` is the
    task's ``TaskContext``. Yields a ``JobRun``, or None when the job is not for this run
    (finished already, or handed to another run): the task then does nothing."""
    close_old_connections()
    task_result_id = str(context.task_result.id)
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        ours = job is not None and job.status in Job.ACTIVE and job.task_result_id == task_result_id
        if ours:
            job.status = Job.Status.RUNNING
            job.started_at = job.heartbeat_at = now
            job.attempts += 1
            job.save(update_fields=["status", "started_at", "heartbeat_at", "attempts"])
    if not ours:
        logger.warning("Job %s is not for this run (%s); nothing done", job_id, task_result_id)
        yield None
        return
    heartbeat = _Heartbeat(job.pk, task_result_id)
    heartbeat.start()
    run = JobRun(job=job, task_result_id=task_result_id)
    try:
        yield run
    except JobTakenOver:
        logger.warning("Job %s was handed to another run; this one stops", job.pk)
        return
    except Exception as error:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _finish(run, status=Job.Status.FAILED, error=_failure_text(error))
        raise  # the task result records the traceback too
    except BaseException:
        # The worker is being stopped hard (a second SIGTERM/SIGINT): hand the job back.
        _hand_back(job)
        raise
    finally:
        heartbeat.stop()
    _finish(run, status=Job.Status.DONE)


def _finish(run: JobRun, *, status: str, error: str = "") -> None:
    job = run.job
    fields = {
        "status": status,
        "error": error,
        "report": job.report,
        "finished_at": timezone.now(),
        "heartbeat_at": timezone.now(),
    }
    if status == Job.Status.DONE:
        fields.update(file=job.file, file_name=job.file_name, content_type=job.content_type)
        if job.total:
            fields["done"] = job.total
    if not run._mine().update(**fields):
        logger.warning("Job %s finished after another run took it over", job.pk)


def _enqueue_again(job: Job) -> None:
    """Queue ``job`` again with a new task result of the same task."""
    old = DBTaskResult.objects.filter(pk=job.task_result_id).first()
    if old is None:
        raise LookupError(f"Job {job.pk}: its task result {job.task_result_id} is gone")
    result = import_string(old.task_path).enqueue(job.pk)
    job.task_result_id = str(result.id)


def _hand_back(job: Job) -> None:
    try:
        with transaction.atomic():
            _enqueue_again(job)
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.QUEUED,
                task_result_id=job.task_result_id,
                attempts=job.attempts - 1,  # this run was not its fault
                done=0,
            )
        logger.warning("Job %s handed back to the queue (worker stopping)", job.pk)
    except Exception:
        logger.exception("Job %s could not be handed back", job.pk)


def jobs_reap_stale(*, now: datetime | None = None) -> int:
    """Running jobs whose worker died (no heartbeat for ``JOB_STALE_SECONDS``): queued again
    once, then marked failed. Returns how many were found."""
    now = now or timezone.now()
    limit = now - timedelta(seconds=settings.JOB_STALE_SECONDS)
    found = 0
    for job in Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=limit):
        with transaction.atomic():
            stale = (
                Job.objects.select_for_update()
                .filter(pk=job.pk, status=Job.Status.RUNNING, heartbeat_at__lt=limit)
                .first()
            )
            if stale is None:
                continue
            found += 1
            # The dead run's task result would stay "running" for ever.
            DBTaskResult.objects.filter(pk=stale.task_result_id, status="RUNNING").update(
                status="FAILED", finished_at=now
            )
            if stale.attempts < MAX_ATTEMPTS:
                _enqueue_again(stale)
                stale.status = Job.Status.QUEUED
                stale.done = 0
                logger.warning("Job %s: its worker died; tried again", stale.pk)
            else:
                stale.status = Job.Status.FAILED
                stale.finished_at = now
                stale.error = str(
                    _("The worker stopped while running this job, %(times)s times; not retried.")
                    % {"times": stale.attempts}
                )
                logger.error("Job %s: its worker died again; marked failed", stale.pk)
            stale.save(update_fields=["status", "done", "finished_at", "error", "task_result_id"])
    return found


def jobs_delete_old(*, now: datetime | None = None, keep_days: int | None = None) -> int:
    """Delete jobs finished more than ``keep_days`` (``JOB_FILES_KEEP_DAYS``) ago, their files,
    their task results, and any folder under ``MEDIA_ROOT/jobs`` of a job that no longer
    exists. Returns how many jobs were deleted."""
    now = now or timezone.now()
    keep = settings.JOB_FILES_KEEP_DAYS if keep_days is None else keep_days
    limit = now - timedelta(days=keep)
    old = Job.objects.filter(status__in=[Job.Status.DONE, Job.Status.FAILED], finished_at__lt=limit)
    ids = list(old.values_list("pk", flat=True))
    results = list(old.exclude(task_result_id="").values_list("task_result_id", flat=True))
    Job.objects.filter(pk__in=ids).delete()
    DBTaskResult.objects.filter(pk__in=results).delete()
    DBTaskResult.objects.filter(status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=limit).delete()
    folder = Path(settings.MEDIA_ROOT) / JOBS_FOLDER
    if folder.is_dir():
        live = {str(pk) for pk in Job.objects.values_list("pk", flat=True)}
        for entry in folder.iterdir():
            if entry.is_dir() and entry.name not in live:
                shutil.rmtree(entry, ignore_errors=True)
    return len(ids)
