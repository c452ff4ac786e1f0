"""backup_database: write a backup of the database and of the uploaded files, and delete the
old ones.

    python manage.py backup_database --output /var/backups/clientcalls --keep 14 [--dry-run]

PostgreSQL: ``pg_dump --format=custom`` (needs the postgresql-client package); SQLite: the
online backup API. Writes ``OUTPUT/clientcalls-YYYYMMDDTHHMMSSZ.dump`` (or ``.sqlite3``), and
the uploaded files (``MEDIA_ROOT``: the letterhead's logo) as ``….media.tar.gz`` beside it,
and deletes this command's backups there older than ``--keep`` days (0 keeps every one). The
daily timer runs it (deploy/clientcalls-daily); restoring is in README, "Backup and restore".
Exit 1 with a message when the backup cannot be written.
"""

from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from firm.backups import (
    BackupError,
    backup_file_name,
    database_backup,
    expired_backups,
    media_file_name,
)


class Command(BaseCommand):
    help = (
        "Back the database up into a folder (pg_dump's custom format on PostgreSQL, SQLite's "
        "online backup on SQLite) with the uploaded files (MEDIA_ROOT, as a .tar.gz), and "
        "delete the backups there older than --keep days."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, type=Path, help="folder of the backups")
        parser.add_argument(
            "--keep",
            type=int,
            default=14,
            metavar="DAYS",
            help="delete this command's backups older than DAYS days (default 14; 0: never)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would be written and deleted"
        )

    def handle(self, *args, **options):
        output, keep = options["output"], options["keep"]
        if keep < 0:
            raise CommandError("--keep must be 0 or more days.")
        if output.exists() and not output.is_dir():
            raise CommandError(f"{output} is not a folder.")
        if options["dry_run"]:
            now = datetime.now(UTC)
            try:
                name = backup_file_name(connection.vendor, now)
            except BackupError as error:
                raise CommandError(str(error)) from None
            expired = expired_backups(output, keep_days=keep, now=now)
            media = Path(settings.MEDIA_ROOT)
            also = f" and {output / media_file_name(now)} (of {media})" if media.is_dir() else ""
            self.stdout.write(
                f"Would write {output / name}{also} and delete {len(expired)} older backups "
                "(dry run: nothing written)."
            )
            for path in expired:
                self.stdout.write(f"  would delete {path}")
            return
        try:
            result = database_backup(
                output=output, keep_days=keep, media_root=Path(settings.MEDIA_ROOT)
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        media = (
            f"{result.media_path}: {result.media_size / 1_000_000:.1f} MB of uploaded files; "
            if result.media_path
            else f"no uploaded files ({settings.MEDIA_ROOT} does not exist); "
        )
        self.stdout.write(
            f"{result.path}: {result.size / 1_000_000:.1f} MB; {media}"
            f"{len(result.deleted)} backups older than {keep} days deleted."
        )
        if options["verbosity"] >= 2:
            for path in result.deleted:
                self.stdout.write(f"  deleted {path}")
