"""backup_database: a backup that restores (README, "Backup and restore"), old ones deleted."""

import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from firm import backups
from tests.factories import make_client


@pytest.fixture(autouse=True)
def _no_uploads(settings, tmp_path_factory):
    """No MEDIA_ROOT folder unless a test makes one: the database backup alone."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media") / "absent")


def _backup(folder, *extra):
    call_command("backup_database", "--output", str(folder), *extra)
    return sorted(folder.glob("clientcalls-*"))


def _restored_client_names(path) -> list[str]:
    """Restore the backup as README says and read the clients back."""
    if connection.vendor == "sqlite":
        restored = path.with_name("restored.sqlite3")
        shutil.copyfile(path, restored)  # the restore: the file copied back in place
        with sqlite3.connect(restored) as database:
            return [name for (name,) in database.execute("SELECT name FROM clients_client")]
    settings_dict = {**connection.settings_dict, "NAME": f"{connection.settings_dict['NAME']}_r"}
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')
        cursor.execute(f'CREATE DATABASE "{settings_dict["NAME"]}"')
    try:
        restore = subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                *backups.pg_connection_args(settings_dict),
                str(path),
            ],
            env=backups.pg_environment(settings_dict),
            capture_output=True,
            text=True,
            check=False,
        )
        assert restore.returncode == 0, restore.stderr
        query = subprocess.run(
            [
                "psql",
                "-tA",
                "-c",
                "SELECT name FROM clients_client",
                *backups.pg_connection_args(settings_dict),
            ],
            env=backups.pg_environment(settings_dict),
            capture_output=True,
            text=True,
            check=True,
        )
        return query.stdout.split("\n")[:-1]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')


@pytest.mark.django_db(transaction=True)  # committed rows: pg_dump reads its own snapshot
def test_it_writes_a_backup_that_restores(tmp_path, capsys):
    make_client(code="123", name="Affaroni S.p.A.")
    make_client(code="124", name="Bianchi & Figli")
    files = _backup(tmp_path / "backups")
    assert len(files) == 1
    assert files[0].suffix == (".dump" if connection.vendor == "postgresql" else ".sqlite3")
    assert str(files[0]) in capsys.readouterr().out
    assert sorted(_restored_client_names(files[0])) == ["Affaroni S.p.A.", "Bianchi & Figli"]


def _touch_backup(folder, days_ago, now, extension):
    name = backups.backup_file_name(connection.vendor, now - timedelta(days=days_ago))
    path = folder / name.replace(backups.EXTENSIONS[connection.vendor], extension)
    path.write_bytes(b"old")
    return path


@pytest.mark.django_db(transaction=True)
def test_it_deletes_its_own_backups_older_than_keep_days_only(tmp_path):
    now = datetime.now(UTC)
    ext = backups.EXTENSIONS[connection.vendor]
    old = [_touch_backup(tmp_path, days, now, ext) for days in (20, 15)]
    recent = [_touch_backup(tmp_path, days, now, ext) for days in (13, 1)]
    other = [tmp_path / "clientcalls-notes.txt", tmp_path / "db-20200101T000000Z.dump"]
    for path in other:
        path.write_text("not ours")
    _backup(tmp_path, "--keep", "14")
    assert not any(path.exists() for path in old)
    assert all(path.exists() for path in recent + other)
    ours = "clientcalls-*T*Z.*"
    assert len(list(tmp_path.glob(ours))) == 3  # the two recent ones and the new one
    # 0 keeps them all (a second later: a backup of the same second replaces its namesake).
    backups.database_backup(output=tmp_path, keep_days=0, now=now + timedelta(seconds=1))
    assert len(list(tmp_path.glob(ours))) == 4


def test_expired_backups_are_listed_oldest_first(tmp_path):
    now = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
    for name in (
        "clientcalls-20261101T020000Z.dump",
        "clientcalls-20261001T020000Z.sqlite3",
        "clientcalls-20261203T020000Z.dump",
        ".clientcalls-20261001T020000Z.dump.partial",
    ):
        (tmp_path / name).write_bytes(b"")
    expired = backups.expired_backups(tmp_path, keep_days=7, now=now)
    assert [path.name for path in expired] == [
        "clientcalls-20261001T020000Z.sqlite3",
        "clientcalls-20261101T020000Z.dump",
    ]


@pytest.mark.django_db
def test_dry_run_writes_and_deletes_nothing(tmp_path, capsys):
    old = _touch_backup(tmp_path, 30, datetime.now(UTC), backups.EXTENSIONS[connection.vendor])
    call_command("backup_database", "--output", str(tmp_path), "--keep", "7", "--dry-run")
    assert list(tmp_path.iterdir()) == [old]
    assert "would delete" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_failed_backup_leaves_no_file_and_deletes_nothing(tmp_path):
    old = _touch_backup(tmp_path, 30, datetime.now(UTC), backups.EXTENSIONS[connection.vendor])

    def fail(_source, path):
        path.write_bytes(b"half a backup")
        raise backups.BackupError("pg_dump failed: disk full")

    with (
        mock.patch.object(backups, "_pg_dump", fail),
        mock.patch.object(backups, "_sqlite_backup", fail),
        pytest.raises(CommandError, match="disk full"),
    ):
        call_command("backup_database", "--output", str(tmp_path), "--keep", "7")
    assert list(tmp_path.iterdir()) == [old]


@pytest.mark.django_db
def test_an_output_that_is_a_file_is_refused(tmp_path):
    afile = tmp_path / "backups"
    afile.write_text("")
    with pytest.raises(CommandError, match="not a folder"):
        call_command("backup_database", "--output", str(afile))


@pytest.mark.django_db(transaction=True)
def test_a_killed_runs_partial_file_is_deleted_once_a_day_old(tmp_path):
    stale = tmp_path / ".clientcalls-20261101T023000Z.dump.partial"
    recent = tmp_path / ".clientcalls-20261204T023000Z.dump.partial"
    for path in (stale, recent):
        path.write_bytes(b"half")
    day_and_a_bit = (datetime.now(UTC) - timedelta(days=1, minutes=5)).timestamp()
    os.utime(stale, (day_and_a_bit, day_and_a_bit))
    _backup(tmp_path)
    assert not stale.exists()
    assert recent.exists()  # perhaps a backup still running


@pytest.mark.django_db  # the test's transaction: the backup would wait for it forever
@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_sqlite_is_not_backed_up_from_inside_a_transaction(tmp_path):
    with pytest.raises(CommandError, match="inside a transaction"):
        call_command("backup_database", "--output", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def _uploads(settings, tmp_path):
    media = tmp_path / "media"
    (media / "firm").mkdir(parents=True)
    (media / "firm" / "logo.png").write_bytes(b"\x89PNG logo")
    settings.MEDIA_ROOT = str(media)
    return media


@pytest.mark.django_db(transaction=True)
def test_the_uploaded_files_are_backed_up_beside_the_database(tmp_path, settings, capsys):
    media = _uploads(settings, tmp_path)
    files = _backup(tmp_path / "backups")

    archives = [path for path in files if path.name.endswith(".media.tar.gz")]
    assert len(files) == 2 and len(archives) == 1
    database = next(path for path in files if path not in archives)
    assert archives[0].name.removesuffix(".media.tar.gz") == database.name.rsplit(".", 1)[0]
    assert "of uploaded files" in capsys.readouterr().out
    # The restore README gives: unpacked into an empty MEDIA_ROOT.
    restored = tmp_path / "restored"
    restored.mkdir()
    subprocess.run(["tar", "-xzf", str(archives[0]), "-C", str(restored)], check=True)
    assert (restored / "firm" / "logo.png").read_bytes() == (
        media / "firm" / "logo.png"
    ).read_bytes()


@pytest.mark.django_db(transaction=True)
def test_without_a_media_folder_only_the_database_is_backed_up(tmp_path, capsys):
    files = _backup(tmp_path / "backups")
    assert len(files) == 1 and not files[0].name.endswith(".tar.gz")
    assert "no uploaded files" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_old_media_archives_are_deleted_with_the_old_backups(tmp_path, settings):
    _uploads(settings, tmp_path)
    now = datetime.now(UTC)
    old = tmp_path / "backups" / backups.media_file_name(now - timedelta(days=20))
    recent = tmp_path / "backups" / backups.media_file_name(now - timedelta(days=2))
    old.parent.mkdir()
    for path in (old, recent):
        path.write_bytes(b"old")
    _backup(tmp_path / "backups", "--keep", "14")
    assert not old.exists() and recent.exists()


@pytest.mark.django_db(transaction=True)
def test_a_media_folder_that_cannot_be_read_fails_the_backup_with_a_message(tmp_path, settings):
    media = _uploads(settings, tmp_path)
    with mock.patch("tarfile.TarFile.add", side_effect=PermissionError(13, "Permission denied")):
        with pytest.raises(CommandError, match="Cannot copy the uploaded files of .*media"):
            _backup(tmp_path / "backups")
    assert not list((tmp_path / "backups").glob("*.tar.gz*"))
    assert media.is_dir()


@pytest.mark.django_db(transaction=True)
def test_a_dry_run_names_the_media_archive_too(tmp_path, settings, capsys):
    _uploads(settings, tmp_path)
    call_command("backup_database", "--output", str(tmp_path / "backups"), "--dry-run")
    assert ".media.tar.gz" in capsys.readouterr().out
    assert not (tmp_path / "backups").exists()
