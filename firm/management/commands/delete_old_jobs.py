"""delete_old_jobs: delete finished jobs and their files after JOB_FILES_KEEP_DAYS.

    python manage.py delete_old_jobs [--days N] [--dry-run]

A job's file (a month pack, a long call-log PDF) is kept in ``MEDIA_ROOT/jobs/<id>/`` for
``JOB_FILES_KEEP_DAYS`` days (default 3) after it finished; then this command (deploy/daily.sh)
deletes the job, its file and its task result. It also finds running jobs whose worker died
(no heartbeat): retried once, then marked failed (firm/jobs.py).
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from firm.jobs import jobs_delete_old, jobs_reap_stale
from firm.models import Job


class Command(BaseCommand):
    help = (
        "Delete jobs (month packs, long PDFs) finished more than JOB_FILES_KEEP_DAYS days ago "
        "with their files; retry or fail jobs whose worker died."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, help="keep this many days (default: JOB_FILES_KEEP_DAYS)"
        )
        parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")

    def handle(self, *args, **options):
        days = settings.JOB_FILES_KEEP_DAYS if options["days"] is None else options["days"]
        if days < 0:
            raise CommandError(f"--days {days}: give 0 or more days.")
        if options["dry_run"]:
            limit = timezone.now() - timedelta(days=days)
            count = Job.objects.filter(
                status__in=[Job.Status.DONE, Job.Status.FAILED], finished_at__lt=limit
            ).count()
            self.stdout.write(f"{count} jobs finished more than {days} days ago; nothing deleted.")
            return
        stale = jobs_reap_stale()
        deleted = jobs_delete_old(keep_days=days)
        self.stdout.write(
            f"{deleted} jobs finished more than {days} days ago deleted with their files; "
            f"{stale} whose worker died retried or marked failed."
        )
