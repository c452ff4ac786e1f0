"""A PostgreSQL import outside any transaction writes its batches over several server
connections (settings.CDR_IMPORT_CONNECTIONS, calls.importing.writers): every call is still stored
once, the counts still add up, a batch the server gives up (deadlock) is written again, and
the extra connections are closed afterwards. Real connections and commits: no outer test
transaction (transaction=True)."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from calls.cdr.synthetic import threecx_lines
from calls.importing import services
from calls.models import Call, CallHourTotal, ImportRun
from tests.calls.importing.helpers import run_import, write
from tests.factories import make_trunk

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's writer"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def two_connections(settings, monkeypatch):
    settings.CDR_IMPORT_CONNECTIONS = 2
    monkeypatch.setattr(services, "BATCH_SIZE", 500)
    make_trunk("9", "Gateway", identifiers=["10001"])
    make_trunk("8", "VoIP", identifiers=["10000"])


def _cdr_lines(count: int) -> list[str]:
    return list(
        threecx_lines(count, start=datetime(2026, 3, 1, tzinfo=UTC), client_codes=["123", "456"])
    )


def _server_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def _hour_totals_match_the_calls():
    from django.db.models import Count, Sum
    from django.db.models.functions import TruncHour

    by_calls = {
        (row["hour"], row["direction"], row["status"]): (row["n"], row["talk"])
        for row in Call.objects.annotate(hour=TruncHour("start", tzinfo=UTC))
        .values("hour", "direction", "status")
        .annotate(n=Count("id"), talk=Sum("talk_seconds"))
    }
    by_hours = {
        (row.hour, row.direction, row.status): (row.calls, row.talk_seconds)
        for row in CallHourTotal.objects.filter(calls__gt=0)
    }
    return by_calls == by_hours and len(by_calls) > 10


def test_batches_over_two_connections_store_every_call_once(tmp_path, two_connections):
    before = _server_connections()
    path = write(tmp_path / "cdr.log", _cdr_lines(6_000))  # 12 batches, 6 per connection
    code, out, err = run_import(path)
    assert code == 0, err
    assert "6000 lines read, 6000 imported, 0 duplicates, 0 rejected" in out
    code, out, err = run_import(path)
    assert "6000 lines read, 0 imported, 6000 duplicates, 0 rejected" in out
    assert Call.objects.count() == 6_000
    assert [(run.imported, run.duplicates) for run in ImportRun.objects.order_by("pk")] == [
        (6_000, 0),
        (0, 6_000),
    ]
    assert _hour_totals_match_the_calls()
    assert _server_connections() == before  # the extra connection was closed


def test_a_batch_the_server_gives_up_is_written_again(tmp_path, two_connections):
    # The server raises a real deadlock error on the first batch it inserts (a trigger
    # counting with a sequence, which a rollback does not undo); the importer rolls that
    # batch back and writes it again.
    with connection.cursor() as cursor:
        cursor.execute("CREATE SEQUENCE test_deadlock_once")
        cursor.execute(
            """CREATE FUNCTION test_deadlock_once() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF nextval('test_deadlock_once') = 1 THEN
                    RAISE EXCEPTION 'deadlock for the test' USING ERRCODE = '40P01';
                END IF;
                RETURN NULL;
            END $$"""
        )
        cursor.execute(
            "CREATE TRIGGER test_deadlock_once BEFORE INSERT ON calls_call "
            "FOR EACH STATEMENT EXECUTE FUNCTION test_deadlock_once()"
        )
    try:
        path = write(tmp_path / "cdr.log", _cdr_lines(3_000))
        code, out, err = run_import(path)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT last_value FROM test_deadlock_once")
            statements = cursor.fetchone()[0]
            cursor.execute("DROP TRIGGER test_deadlock_once ON calls_call")
            cursor.execute("DROP FUNCTION test_deadlock_once()")
            cursor.execute("DROP SEQUENCE test_deadlock_once")
    assert code == 0, err
    assert statements == 7  # 6 batches, the first one twice
    assert "3000 lines read, 3000 imported, 0 duplicates, 0 rejected" in out
    assert Call.objects.count() == 3_000
    run = ImportRun.objects.get()
    assert (run.lines_read, run.imported, run.duplicates, run.rejected) == (3_000, 3_000, 0, 0)
    assert _hour_totals_match_the_calls()


def test_a_file_that_repeats_itself_backwards_stores_each_call_once(
    tmp_path, two_connections, monkeypatch
):
    # Two batches holding the same calls in opposite orders, written at the same time, lock
    # each other's rows (seen as "deadlock detected" in the server's log on most runs): the
    # server ends the deadlock after its deadlock_timeout and the importer writes the batch
    # again. Whether they meet or not, each call is stored once and counted once.
    monkeypatch.setattr(services, "BATCH_SIZE", 20_000)
    lines = _cdr_lines(20_000)
    path = write(tmp_path / "cdr.log", lines + lines[::-1])
    code, out, err = run_import(path)
    assert code == 0, err
    assert "40000 lines read, 20000 imported, 20000 duplicates, 0 rejected" in out
    assert Call.objects.count() == 20_000
    assert _hour_totals_match_the_calls()


def test_a_live_feed_commits_in_its_quiet_spells_and_goes_on(two_connections):
    # cdr_feed_import commits what it has whenever the feed is quiet (None), then goes on
    # with the same writer: its connections must still be there.
    lines = _cdr_lines(1_200)
    before = _server_connections()
    seen = []

    def feed():
        for start in range(0, 1_200, 300):  # 300 lines, then a quiet spell, four times
            yield from lines[start : start + 300]
            yield None
            seen.append(Call.objects.count())

    summary = services.cdr_feed_import(lines=feed(), source="feed test")
    assert seen == [300, 600, 900, 1_200]
    assert (summary.lines_read, summary.imported, summary.rejected) == (1_200, 1_200, 0)
    assert _hour_totals_match_the_calls()
    assert _server_connections() == before


def test_transfers_cut_by_batches_on_two_connections_join(tmp_path, two_connections):
    """Records of one call in batches written at once on both connections (every batch
    boundary cuts a call, and the second half of the file is shuffled: records of one call
    batches apart)."""
    import random

    from tests.calls.importing.test_call_legs import assert_joined, transfers
    from tests.factories import make_client

    affaroni = make_client("123", "Affaroni S.p.A.")
    make_trunk("7", "Telecom", identifiers=["T9001"])
    calls = transfers(700, legs_of=lambda n: 1 + n % 2)
    lines = [line for records in calls.values() for _, line in records]
    half = lines[len(lines) // 2 :]
    random.Random(7).shuffle(half)
    path = write(tmp_path / "smdr.csv", lines[: len(lines) // 2] + half)
    code, out, err = run_import(path)
    assert code == 0, err
    assert f"{len(lines)} imported" in out
    assert_joined(calls, affaroni)
    assert run_import(path)[0] == 0
    assert_joined(calls, affaroni)
