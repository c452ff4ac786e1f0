"""send_reminders: e-mail partners the calls of a day that have no client.

    python manage.py send_reminders [--day YYYY-MM-DD] [--background]

Default day: yesterday in the firm's time zone (deploy/daily.sh runs it every night). Each
partner who wants the reminder (preferences page; on by default) and has an e-mail address
gets one e-mail for the day; a rerun for the same day sends only what failed before. Nothing
is sent for a day with no such calls. Exit 3 when an e-mail could not be sent (the next run
retries it); 1 on a bad day. With ``--background`` (deploy/daily.sh) it only queues the same
work for the task worker (``manage.py db_worker``) and says the job's number: the worker
sends, retries once if it dies, and the job in admin says what happened.
"""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from calls.reminders import reminders_send
from calls.tasks import send_reminders_task
from firm.jobs import job_start
from firm.lib.dates import today_local
from firm.models import Job

EXIT_NOT_SENT = 3


class Command(BaseCommand):
    help = (
        "E-mail each partner who wants it the day's outgoing calls without a client "
        f"(default: yesterday). Exit code {EXIT_NOT_SENT} when an e-mail could not be sent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--day", help="the day, YYYY-MM-DD (default: yesterday)")
        parser.add_argument(
            "--background",
            action="store_true",
            help="queue it for the task worker (manage.py db_worker) instead of sending now",
        )

    def handle(self, *args, **options):
        day = self._day(options["day"])
        if options["background"]:
            job, joined = job_start(
                kind=Job.Kind.REMINDERS,
                params={"day": day.isoformat()},
                user=None,
                task=send_reminders_task,
                title=f"Promemoria del {day:%d/%m/%Y}",
            )
            state = "already queued" if joined else "queued"
            self.stdout.write(f"{day}: reminders {state} for the task worker (job {job.pk}).")
            return
        report = reminders_send(day=day)
        if not report.calls:
            self.stdout.write(f"{day}: no calls without a client; nothing sent.")
            return
        for user, reason in report.failed:
            self.stderr.write(f"{day}: not sent to {user.username} <{user.email}>: {reason}")
        if options["verbosity"] >= 2:
            for user in report.sent:
                self.stdout.write(f"  sent to {user.username} <{user.email}>")
        self.stdout.write(
            f"{day}: {report.calls} calls without a client; reminders sent {len(report.sent)}, "
            f"already sent {len(report.already)}, failed {len(report.failed)}."
        )
        if report.failed:
            raise CommandError(
                f"{len(report.failed)} reminders not sent; run again to retry.",
                returncode=EXIT_NOT_SENT,
            )

    @staticmethod
    def _day(text: str | None) -> date:
        if not text:
            return today_local() - timedelta(days=1)
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise CommandError(
                f"--day {text!r}: give a day as YYYY-MM-DD, e.g. 2026-05-12."
            ) from None
