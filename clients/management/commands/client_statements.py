"""client_statements: write the month-end pack of client statements.

    python manage.py client_statements --month 2026-05 --output DIR [--zip] [--dry-run]

Writes ``DIR/rendiconti-2026-05.pdf`` (the client summary, then each client with calls in
the month on new pages; page numbers per statement, see clients/printing.py), or with
``--zip`` ``DIR/rendiconti-2026-05.zip`` (one PDF per client plus the summary). Clients with
nothing billable are left out (firm setting ``pack_skips_unbillable``) and counted. The same code
serves the button on the client statements page. Exit 1 with a message on a bad month or
an output folder that cannot be written.
"""

import os
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from clients.forms import parse_month
from clients.printing import month_pack_pdf, month_pack_zip, pack_file_name, pack_rows


class Command(BaseCommand):
    help = (
        "Write the month-end pack: one PDF with the client summary and every client's "
        "statement for the month (or, with --zip, a ZIP of one PDF per client)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="the month, YYYY-MM (e.g. 2026-05)")
        parser.add_argument("--output", required=True, help="folder to write the pack into")
        parser.add_argument("--zip", action="store_true", help="a ZIP of one PDF per client")
        parser.add_argument(
            "--dry-run", action="store_true", help="count the clients and calls, write nothing"
        )

    def handle(self, *args, **options):
        try:
            first_day, last_day = parse_month(options["month"])
        except ValueError as error:
            raise CommandError(str(error)) from None
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

    @staticmethod
    def _skipped(skipped: int) -> str:
        if not skipped:
            return ""
        return f"; {skipped} client{'s' if skipped != 1 else ''} with nothing billable left out"

    def _progress(self, done, total):
        if sys.stderr.isatty() or done == total or done % 50 == 0:
            self.stderr.write(f"  {done}/{total} clients")
