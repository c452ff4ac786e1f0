"""Database backups (``manage.py backup_database``; README, "Backup and restore").

- PostgreSQL: ``pg_dump --format=custom`` (compressed; restored with ``pg_restore``), run with
  the connection settings of ``DATABASES["default"]``. pg_dump reads one consistent snapshot
  while the app goes on working.
- SQLite: SQLite's online backup API (``sqlite3.Connection.backup``) from Django's own
  connection: a consistent copy of the live file, WAL included, restored by copying it back.

- Uploaded files (``MEDIA_ROOT``: the letterhead's logo, any later upload): a gzipped tar of
  the folder's contents beside the database's, ``clientcalls-YYYYMMDDTHHMMSSZ.media.tar.gz``
  with the same time, restored with ``tar -xzf FILE -C MEDIA_ROOT``. No folder, nothing to
  copy: no archive.

A backup is written beside its final name (``.NAME.partial``) and renamed when complete, so a
failed run leaves no half file that looks like a backup; a killed run's partial file is
deleted by the next run once it is a day old. Files are named ``clientcalls-YYYYMMDDTHHMMSSZ.dump``
(or ``.sqlite3``, or ``.media.tar.gz``; UTC); pruning deletes only files so named, older than
the days to keep.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.db import connections

PREFIX = "clientcalls-"
EXTENSIONS = {"postgresql": ".dump", "sqlite": ".sqlite3"}
MEDIA_EXTENSION = ".media.tar.gz"
_STAMP = "%Y%m%dT%H%M%SZ"
_NAME = re.compile(rf"^{PREFIX}(\d{{8}}T\d{{6}}Z)(\.dump|\.sqlite3|\.media\.tar\.gz)$")


class BackupError(Exception):
    """The backup could not be written; the message says why."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    deleted: list[Path]
    media_path: Path | None = None  # the uploaded files' archive; None: no MEDIA_ROOT folder
    media_size: int = 0


def backup_file_name(vendor: str, now: datetime) -> str:
    if vendor not in EXTENSIONS:
        raise BackupError(f"No backup for a {vendor} database.")
    return f"{PREFIX}{now.astimezone(UTC).strftime(_STAMP)}{EXTENSIONS[vendor]}"


def media_file_name(now: datetime) -> str:
    return f"{PREFIX}{now.astimezone(UTC).strftime(_STAMP)}{MEDIA_EXTENSION}"


def expired_backups(folder: Path, *, keep_days: int, now: datetime) -> list[Path]:
    """Our backups in ``folder`` older than ``keep_days`` days (0: none expire), oldest first."""
    if keep_days <= 0 or not folder.is_dir():
        return []
    limit = now - timedelta(days=keep_days)
    expired = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match and path.is_file():
            taken = datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)
            if taken < limit:
                expired.append((taken, path))
    return [path for _taken, path in sorted(expired)]


def database_backup(
    *,
    output: Path,
    keep_days: int,
    using: str = "default",
    now: datetime | None = None,
    media_root: Path | None = None,
) -> BackupResult:
    """Write a backup of database ``using`` into ``output`` (created if needed), and of the
    folder ``media_root`` when given and present, then delete our backups there older than
    ``keep_days`` days (never the ones just written)."""
    now = now or datetime.now(UTC)
    connection = connections[using]
    name = backup_file_name(connection.vendor, now)
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"Cannot create {output}: {error.strerror}.") from None
    target = output / name
    partial = output / f".{name}.partial"
    _delete_stale_partials(output, now)
    try:
        if connection.vendor == "postgresql":
            _pg_dump(connection.settings_dict, partial)
        else:
            _sqlite_backup(connection, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    media = media_backup(media_root, output, now) if media_root is not None else None
    deleted = []
    for path in expired_backups(output, keep_days=keep_days, now=now):
        if path not in (target, media):
            path.unlink()
            deleted.append(path)
    return BackupResult(
        path=target,
        size=target.stat().st_size,
        deleted=deleted,
        media_path=media,
        media_size=media.stat().st_size if media else 0,
    )


def media_backup(media_root: Path, output: Path, now: datetime) -> Path | None:
    """A gzipped tar of what ``media_root`` holds, in ``output``; None when there is no such
    folder (nothing uploaded yet)."""
    if not media_root.is_dir():
        return None
    name = media_file_name(now)
    target = output / name
    partial = output / f".{name}.partial"
    try:
        with tarfile.open(partial, "w:gz") as archive:
            for child in sorted(media_root.iterdir()):
                archive.add(child, arcname=child.name)
        os.replace(partial, target)
    except OSError as error:
        raise BackupError(
            f"Cannot copy the uploaded files of {media_root}: {error.strerror or error}."
        ) from None
    finally:
        partial.unlink(missing_ok=True)
    return target


def _delete_stale_partials(folder: Path, now: datetime) -> None:
    """A backup killed mid-way (the daily job stopped, a reboot) leaves its partial file; one
    a day old belongs to no backup still running."""
    for path in folder.glob(f".{PREFIX}*.partial"):
        modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        if now - modified > timedelta(days=1):
            path.unlink(missing_ok=True)


def _pg_dump(settings_dict: dict, path: Path) -> None:
    if shutil.which("pg_dump") is None:
        raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client).")
    command = ["pg_dump", "--format=custom", f"--file={path}", *pg_connection_args(settings_dict)]
    result = subprocess.run(
        command, env=pg_environment(settings_dict), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")


def pg_connection_args(settings_dict: dict) -> list[str]:
    """pg_dump/pg_restore/psql options naming Django's database (the password goes through
    the environment, never the command line)."""
    args = []
    if settings_dict.get("HOST"):
        args.append(f"--host={settings_dict['HOST']}")
    if settings_dict.get("PORT"):
        args.append(f"--port={settings_dict['PORT']}")
    if settings_dict.get("USER"):
        args.append(f"--username={settings_dict['USER']}")
    args.append(f"--dbname={settings_dict['NAME']}")
    return args


def pg_environment(settings_dict: dict) -> dict[str, str]:
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return env


def _sqlite_backup(connection, path: Path) -> None:
    if connection.in_atomic_block:
        # SQLite's backup would wait forever for this connection's own write transaction.
        raise BackupError("Cannot back SQLite up from inside a transaction.")
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        with target:
            connection.connection.backup(target)
    except sqlite3.Error as error:
        raise BackupError(f"SQLite backup failed: {error}") from None
    finally:
        target.close()
