"""client_statements: write the month-end pack of client statements, or issue and send them.

    python manage.py client_statements --month 2026-05 --output DIR [--zip] [--dry-run]
    python manage.py client_statements --month 2026-05 --output DIR [--zip] --background
    python manage.py client_statements --month 2026-05 --issue [--user USERNAME] [--dry-run]
    python manage.py client_statements --month 2026-05 --send [--user USERNAME] [--dry-run]
    python manage.py client_statements --month 2026-05 --send --user USERNAME --correct CODE

Writes ``DIR/rendiconti-2026-05.pdf`` (the client summary, then each client with calls in
the month on new pages; page numbers per statement, see clients/billing/printing.py), or with
``--zip`` ``DIR/rendiconti-2026-05.zip`` (one PDF per client plus the summary). Clients with
nothing billable are left out (firm setting ``pack_skips_unbillable``) and counted. The same code
serves the button on the client statements page. Exit 1 with a message on a bad month or
an output folder that cannot be written. With ``--background`` (deploy/daily.sh, the nightly
pack) the pack is queued for the task worker (``manage.py db_worker``), which writes it into
DIR, retries it once if it dies, and records it as a job (admin, *Jobs*).

``--send`` issues the month (clients/billing/issuing.py): the month closed, a numbered
``IssuedStatement`` frozen for each client with billable calls that has none yet, then every unsent
statement e-mailed with its PDF to the client's billing address, once. ``--user`` names who
issues (recorded, and the month is closed in their name). A rerun sends only what was not
sent (no address then, or a failure); issued statements never change. ``--correct CODE``
issues a correction for that client (a new statement superseding its current one) and sends
it. With ``--output`` too, the pack is written first. With ``--dry-run`` it lists who would
get what and changes nothing. Exit 3 when a statement could not be sent or has no address
(listed per client; the next run retries).

``--issue`` does what ``--send`` does first and stops there: the month closed, the statements
numbered and frozen (avvisi di parcella with their yearly number when the firm has a
profession), nothing e-mailed; a later ``--send`` sends what is issued and unsent.
"""

import os
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from clients.billing.forms import parse_month
from clients.billing.issuing import (
    FAILED,
    NO_ADDRESS,
    SENT,
    issue_plan,
    statement_correct,
    statements_issue_and_send,
    statements_send,
)
from clients.billing.printing import month_pack_pdf, month_pack_zip, pack_file_name, pack_rows
from clients.billing.tasks import month_pack, pack_params
from clients.models import Client
from firm.jobs import job_start
from firm.lib.formats import format_euro
from firm.models import Job

EXIT_NOT_SENT = 3


class Command(BaseCommand):
    help = (
        "Write the month-end pack: one PDF with the client summary and every client's "
        "statement for the month (or, with --zip, a ZIP of one PDF per client). With --send, "
        "issue the month's statements (numbered, frozen, month closed) and e-mail each to its "
        f"client once; exit code {EXIT_NOT_SENT} when some could not be sent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="the month, YYYY-MM (e.g. 2026-05)")
        parser.add_argument("--output", help="folder to write the pack into")
        parser.add_argument("--zip", action="store_true", help="a ZIP of one PDF per client")
        parser.add_argument(
            "--background",
            action="store_true",
            help="with --output: queue the pack for the task worker instead of writing it now",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="count the clients and calls, write nothing"
        )
        parser.add_argument(
            "--send",
            action="store_true",
            help="issue the month's statements, close the month, e-mail each client once",
        )
        parser.add_argument(
            "--issue",
            action="store_true",
            help="issue the month's statements (numbered, frozen, month closed), send nothing",
        )
        parser.add_argument(
            "--user",
            help="with --issue or --send: the username of who issues (default: the first "
            "active superuser)",
        )
        parser.add_argument(
            "--correct",
            metavar="CODE",
            help="with --send: issue a correction of this client's statement and send it",
        )

    def handle(self, *args, **options):
        try:
            first_day, last_day = parse_month(options["month"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        if not options["output"] and not options["send"] and not options["issue"]:
            raise CommandError(
                "Give --output DIR (the month pack), --issue (issue only) or --send "
                "(issue and send)."
            )
        if options["background"]:
            if not options["output"] or options["send"] or options["issue"] or options["dry_run"]:
                raise CommandError("--background goes with --output only (the nightly pack).")
            self._queue(first_day, last_day, options)
            return
        if options["output"]:
            self._pack(first_day, last_day, options)
        if options["send"] or options["issue"]:
            self._send(first_day, options, send=options["send"])

    def _pack(self, first_day, last_day, options):
        folder = Path(options["output"])
        if folder.exists() and not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        with translation.override(settings.LANGUAGE_CODE):
            if options["dry_run"]:
                pack = pack_rows(first_day=first_day, last_day=last_day)
                self.stdout.write(
                    f"{options['month']}: {len(pack.rows)} clients, "
                    f"{sum(row.calls for row in pack.rows)} calls"
                    f"{self._skipped(pack.skipped)}; nothing written (dry run)."
                )
                return
            self._write(folder, first_day, last_day, options)

    def _write(self, folder, first_day, last_day, options):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"Cannot create {folder}: {error.strerror}.") from None
        as_zip = options["zip"]
        path = folder / pack_file_name(first_day, last_day, "zip" if as_zip else "pdf")
        progress = self._progress if options["verbosity"] >= 2 else None
        # Written beside the target and renamed at the end: a failed run leaves no half file.
        try:
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".statements-")
        except OSError as error:
            raise CommandError(f"Cannot write into {folder}: {error.strerror}.") from None
        try:
            with os.fdopen(handle, "wb") as target:
                write = month_pack_zip if as_zip else month_pack_pdf
                result = write(first_day, last_day, target, progress=progress)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stdout.write(
            f"{path}: {result.clients} clients, {result.calls} calls, {result.pages} pages"
            f"{self._skipped(result.skipped)}."
        )

    def _queue(self, first_day, last_day, options):
        folder = Path(options["output"]).resolve()
        if folder.exists() and not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        params = pack_params(
            first_day=first_day,
            last_day=last_day,
            as_zip=options["zip"],
            language=settings.LANGUAGE_CODE,
        )
        job, joined = job_start(
            kind=Job.Kind.NIGHTLY_PACK,
            params={**params, "output": str(folder)},
            user=None,
            task=month_pack,
            title=f"Pacchetto di fine mese {options['month']} in {folder}",
        )
        state = "already queued" if joined else "queued"
        self.stdout.write(
            f"{options['month']}: month pack {state} for the task worker (job {job.pk}), "
            f"written into {folder}."
        )

    def _issuer(self, username: str | None):
        """Who issues: ``--user``, else the first active superuser (the one who set the firm
        up, said in the output), so the command also runs as the issue names it."""
        users = get_user_model().objects.filter(is_active=True)
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(f"--user {username!r}: no active user.")
            return user
        user = users.filter(is_superuser=True).order_by("pk").first()
        if user is None:
            raise CommandError("--send needs --user USERNAME: who issues the statements.")
        self.stdout.write(
            f"Issued as {user.username} (the first administrator; --user names another)."
        )
        return user

    def _send(self, month, options, *, send=True):
        if options["dry_run"]:
            self._plan(month)
            return
        user = self._issuer(options["user"])
        try:
            if options["correct"]:
                client = Client.objects.filter(code=options["correct"]).first()
                if client is None:
                    raise CommandError(f"--correct {options['correct']!r}: no such client.")
                issued = statement_correct(client=client, month=month, user=user)
                self.stdout.write(f"{issued.number}: {client} (supersedes {issued.supersedes})")
                outcomes = statements_send(month=month) if send else []
                issued_count, already = 1, 0
            else:
                result = statements_issue_and_send(month=month, user=user, send=send)
                outcomes = result.outcomes
                issued_count, already = len(result.issue.issued), result.issue.already_issued
                for statement in result.issue.issued:
                    notice = (
                        f" (avviso di parcella {statement.notice_number})"
                        if statement.notice_number
                        else ""
                    )
                    self.stdout.write(f"{statement.number}: issued, {statement.client}{notice}")
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        problems = 0
        for outcome in outcomes:
            statement = outcome.statement
            if outcome.status == SENT:
                self.stdout.write(f"{statement.number}: sent to {outcome.address}")
            elif outcome.status == NO_ADDRESS:
                problems += 1
                self.stderr.write(
                    f"{statement.number}: {statement.client}: no billing e-mail, not sent"
                )
            else:
                problems += 1
                self.stderr.write(
                    f"{statement.number}: {statement.client}: not sent to {outcome.address}: "
                    f"{outcome.error}"
                )
        count = {status: sum(o.status == status for o in outcomes) for status in (SENT, FAILED)}
        if not send:
            self.stdout.write(
                f"{month:%Y-%m}: {issued_count} issued ({already} issued before); nothing "
                "sent (--send sends them)."
            )
            return
        self.stdout.write(
            f"{month:%Y-%m}: {issued_count} issued ({already} issued before), "
            f"{count[SENT]} sent, {count[FAILED]} failed, "
            f"{sum(o.status == NO_ADDRESS for o in outcomes)} without an address."
        )
        if problems:
            raise CommandError(
                f"{problems} statements not sent; run again to retry.", returncode=EXIT_NOT_SENT
            )

    def _plan(self, month):
        with translation.override(settings.LANGUAGE_CODE):
            for row in issue_plan(month=month):
                state = (
                    f"issued {row.issued.number}"
                    + (", sent" if row.issued.sent_at else ", not sent")
                    if row.issued
                    else "to issue"
                )
                amount = format_euro(row.amount) if row.amount is not None else "no rate"
                address = row.address or "no billing e-mail: not sent"
                self.stdout.write(f"{row.client}: {amount}, {address} ({state})")
        self.stdout.write("Nothing issued or sent (dry run).")

    @staticmethod
    def _skipped(skipped: int) -> str:
        if not skipped:
            return ""
        return f"; {skipped} client{'s' if skipped != 1 else ''} with nothing billable left out"

    def _progress(self, done, total):
        if sys.stderr.isatty() or done == total or done % 50 == 0:
            self.stderr.write(f"  {done}/{total} clients")
