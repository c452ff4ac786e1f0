"""import_cdr: load PBX call records into ClientCalls: 3CX, Asterisk (FreePBX, NethVoice),
headered CSV, Cisco CUCM, Avaya IP Office SMDR, Panasonic SMDR, Grandstream UCM, Yeastar.

Files that hold no calls by design (Cisco CUCM CMR files) are skipped with a warning, also
when named; lines that are no call (page headers, CUCM start records) are counted as skipped.

Exit codes: 0 every line imported (or already stored); 3 the run finished but some lines
were rejected (they are kept, listed in admin under "Rejected lines"); 1 bad usage, or a
file that is not a call record file (then nothing at all is written); 4 the database could
not be reached (the batches committed before stay; the same command run again completes
the import, lines already stored counting as duplicates).
"""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations
from django.db import Error
from tqdm import tqdm

from calls.importing.files import FORMAT_NAMES, CdrFileError, inspect_cdr_file
from calls.importing.services import cdr_import
from calls.selectors import cdr_layout_default, cdr_layout_named
from firm.database import database_address, database_unreachable, first_line

EXIT_REJECTED = 3
EXIT_DATABASE_UNREACHABLE = 4


class Command(BaseCommand):
    help = (
        "Import PBX call detail records from files or folders. Prints one line per file and a "
        f"total. Exit code {EXIT_REJECTED} when lines were rejected (kept for retry in admin), "
        f"{EXIT_DATABASE_UNREACHABLE} when the database could not be reached (run it again)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="CDR files, or folders of CDR files")
        parser.add_argument("--dry-run", action="store_true", help="parse and report only")
        parser.add_argument(
            "--format", choices=FORMAT_NAMES, help="insist on a format instead of detecting it"
        )
        parser.add_argument(
            "--layout",
            help="3CX field order: a layout name from admin or a built-in one (default-27, …)",
        )
        parser.add_argument(
            "--time-zone", help="zone of Asterisk/CSV local times (default: the firm's)"
        )
        parser.add_argument("--no-progress", action="store_true", help="never show a bar")

    @no_translations  # an operator's tool: English output, like Django's own commands
    def handle(self, *args, **options):
        try:
            self._handle(options)
        except Error as error:
            if database_unreachable(error):
                raise CommandError(
                    f"database at {database_address()} is not reachable: {first_line(error)}; "
                    "nothing more was written; run the same command again.",
                    returncode=EXIT_DATABASE_UNREACHABLE,
                ) from None
            raise CommandError(f"the database refused the import: {first_line(error)}") from None

    def _handle(self, options):
        layout = self._layout(options["layout"])
        files = []
        not_calls = 0
        for path, in_folder in self._files(options["paths"]):
            try:
                files.append(
                    inspect_cdr_file(path, format_name=options["format"], threecx_layout=layout)
                )
            except CdrFileError as error:
                if error.not_calls:
                    self.stderr.write(f"skipped {error}")
                    not_calls += 1
                    continue
                if not in_folder:
                    raise CommandError(f"{error} Nothing was imported.") from None
                self.stderr.write(f"skipped {error}")
        if not files and not_calls:
            return
        if not files:
            raise CommandError("No call record files to import.")
        total = {"read": 0, "imported": 0, "duplicates": 0, "rejected": 0}
        for cdr_file in files:
            if options["verbosity"] >= 1:
                self.stdout.write(f"{cdr_file.name}: {cdr_file.fmt.description}")
            summary = self._import(cdr_file, options)
            for key, value in [
                ("read", summary.lines_read),
                ("imported", summary.imported),
                ("duplicates", summary.duplicates),
                ("rejected", summary.rejected),
            ]:
                total[key] += value
            self.stdout.write(
                self._line(
                    cdr_file.name,
                    summary.lines_read,
                    summary.imported,
                    summary.duplicates,
                    summary.rejected,
                    options["dry_run"],
                )
                + (f", {summary.skipped} skipped (not calls)" if summary.skipped else "")
            )
            if options["verbosity"] >= 1:
                for message in summary.rejections:
                    self.stderr.write(f"  rejected: {message}")
                if summary.rejected > len(summary.rejections):
                    self.stderr.write(f"  … {summary.rejected - len(summary.rejections)} more")
        if len(files) > 1:
            self.stdout.write(
                self._line(
                    "total",
                    total["read"],
                    total["imported"],
                    total["duplicates"],
                    total["rejected"],
                    options["dry_run"],
                )
            )
        if total["rejected"]:
            raise CommandError(
                f"{total['rejected']} lines rejected; they are kept under Rejected lines in admin.",
                returncode=EXIT_REJECTED,
            )

    def _layout(self, name):
        if not name:
            return cdr_layout_default()
        layout = cdr_layout_named(name)
        if layout is None:
            raise CommandError(f"--layout {name}: no layout of that name in admin or built in.")
        return layout

    def _files(self, paths):
        """(path, found in a folder) pairs: in a folder, files that are not CDR files (a
        README, a spreadsheet) are skipped with a warning; a named file must be one."""
        found = []
        for given in paths:
            path = Path(given)
            if path.is_dir():
                found += [
                    (p, True)
                    for p in sorted(path.rglob("*"))
                    if p.is_file() and not any(part.startswith(".") for part in p.parts)
                ]
            elif path.is_file():
                found.append((path, False))
            else:
                raise CommandError(f"{given}: no such file or folder.")
        return found

    def _import(self, cdr_file, options):
        show_bar = not options["no_progress"] and self.stderr.isatty()
        # tqdm redraws with '\r'; Django's OutputWrapper would end every write with '\n'.
        bar = tqdm(
            total=cdr_file.size,
            unit="B",
            unit_scale=True,
            desc=cdr_file.path.name,
            file=self.stderr._out,
            disable=not show_bar,
            leave=False,
        )
        try:
            return cdr_import(
                cdr_file=cdr_file,
                dry_run=options["dry_run"],
                via=f"command:{_system_account()}",
                time_zone=options["time_zone"],
                progress=lambda done: bar.update(done - bar.n),
            )
        finally:
            bar.close()

    @staticmethod
    def _line(name, read, imported, duplicates, rejected, dry_run):
        verb = "would import" if dry_run else "imported"
        return (
            f"{name}: {read} lines read, {imported} {verb}, {duplicates} duplicates, "
            f"{rejected} rejected"
        )


def _system_account() -> str:
    """Who ran the command, for the import run's record."""
    try:
        return getpass.getuser()[:50]
    except (KeyError, OSError):  # no name for this uid (e.g. in a container)
        return "unknown"
