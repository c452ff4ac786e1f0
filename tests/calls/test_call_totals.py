"""The call log's totals: added up from the hourly totals (CallHourTotal, kept by database
triggers) they equal the plain aggregate over the calls, for every filter the hourly totals
answer; any other filter adds up the calls. "Now" is frozen at 13 May 2026, 12:00 in Rome."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.cdr.synthetic import threecx_lines
from calls.filters import CallLogFilter
from calls.importing.files import inspect_cdr_file
from calls.importing.services import cdr_import
from calls.models import Call, CallHourTotal
from calls.selectors import call_totals
from tests.conftest import NOW, ROME, logged_in
from tests.factories import make_call, make_client, make_trunk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


# Filters the hourly totals answer: days (presets, dates, open ends, summer time changes on
# 29 March and 25 October 2026), destination, direction, status, and a number mode or "not"
# without a number (they do nothing then).
ANSWERED_BY_HOURS = [
    "",
    "period=today",
    "period=last_month",
    "period=this_year",
    "date_after=2026-03-29&date_before=2026-03-29",
    "date_after=2026-10-25&date_before=2026-10-25",
    "date_after=2026-03-28&date_before=2026-10-26",
    "date_after=2026-05-01",
    "date_before=2026-04-30",
    "date_after=2025-12-31&date_before=2027-01-01&destination=external",
    "period=this_year&destination=internal&status=answered",
    "period=this_year&direction=inbound&status=no_answer",
    "period=this_year&destination=external&direction=inbound",
    "period=this_year&status=busy&number_mode=contains&number_not=on",
    "date_after=2030-01-01",
]
# Filters they cannot answer: the totals add up the calls.
ANSWERED_BY_CALLS = [
    "period=this_year&destination=numbers&number=%25**1%25",
    "period=this_year&number=345%25&number_not=on",
    "period=this_year&caller=114",
    "period=this_year&client=123",
    "period=this_year&has_code=no",
    "period=this_year&unknown_code=on",
    "period=this_year&min_talk=0",
]


def both_totals(query: str) -> tuple[dict, dict | None]:
    """(the plain aggregate over the calls, the totals from the hourly totals or None)."""
    filterset = CallLogFilter(QueryDict(query), queryset=Call.objects.all())
    assert filterset.is_valid(), filterset.form.errors
    hours = filterset.hour_totals_q()
    plain = call_totals(filterset.qs)
    return plain, None if hours is None else call_totals(filterset.qs, hours=hours)


def assert_hours_add_up(query: str = "period=this_year"):
    plain, hourly = both_totals(query)
    assert hourly == plain, query


@pytest.fixture
def year_of_calls():
    """300 calls at random times of 2026 (and a few around the year's ends and the summer
    time changes), random direction, status and talk time."""
    rng = random.Random(2026)
    starts = [
        datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(365 * 86400))
        for _ in range(270)
    ]
    for day in ((2026, 3, 29), (2026, 10, 25), (2026, 1, 1), (2025, 12, 31), (2027, 1, 1)):
        local_midnight = datetime(*day, tzinfo=ROME)
        starts += [local_midnight + timedelta(seconds=s) for s in (-1, 0, 1, 3599, 3600, 86399)]
    client = make_client("123")
    for n, start in enumerate(starts):
        destination, code = rng.choice(
            [
                ("3454565678", ""),
                ("3454565678**123", "123"),
                ("0232123456**777", "777"),
                ("0232123456**12a", ""),  # a malformed suffix: kept, with no code
            ]
        )
        make_call(
            pbx_call_id=f"y{n}",
            start=start,
            direction=rng.choice(list(Call.Direction)),
            status=rng.choice(list(Call.Status)),
            talk_seconds=rng.choice([0, 1, 59, 600, 3725]),
            caller=rng.choice(["114", "115"]),
            destination=destination,
            billing_code=code,
            client=client if code == "123" else None,
        )


@pytest.mark.parametrize("query", ANSWERED_BY_HOURS)
def test_hourly_totals_add_up_to_the_plain_totals(year_of_calls, query):
    plain, hourly = both_totals(query)
    assert hourly is not None, query
    assert hourly == plain


def test_the_hand_made_year_is_not_trivial(year_of_calls):
    plain, _ = both_totals("period=this_year&destination=external&status=answered")
    assert 10 < plain["calls"] < 300 and plain["talk_seconds"] > 0


@pytest.mark.parametrize("query", ANSWERED_BY_CALLS)
def test_filters_the_hourly_totals_do_not_keep_add_up_the_calls(year_of_calls, query):
    plain, hourly = both_totals(query)
    assert hourly is None
    assert plain["calls"] > 0


# Filters whose totals add up two disjoint halves (CallLogFilter.total_parts): the calls
# with a matching billing code, from the billing-code index alone, and the uncoded calls
# whose destination matches; every other filter is one part.
TOTALS_IN_TWO_PARTS = [
    "period=this_year&destination=numbers&number=%25**%25",
    "period=this_year&destination=numbers&number=%25**1%25",
    "period=this_year&destination=numbers&number=%25**123",
    "period=this_year&number=%25**12%25&caller=114&status=answered",
]
TOTALS_IN_ONE_PART = [
    "period=this_year&number=%25**%25&number_not=on",
    "period=this_year&number=0232%25",
    "period=this_year&has_code=yes",
    "period=this_year&unknown_code=on",
    "period=this_year&caller=115",
]


@pytest.mark.parametrize(
    "query, parts",
    [(q, 2) for q in TOTALS_IN_TWO_PARTS] + [(q, 1) for q in TOTALS_IN_ONE_PART],
)
def test_totals_added_up_in_parts_are_the_totals_of_the_filter(year_of_calls, query, parts):
    filterset = CallLogFilter(QueryDict(query), queryset=Call.objects.all())
    assert filterset.is_valid(), filterset.form.errors
    halves = filterset.total_parts()
    assert len(halves) == parts
    ids = [set(half.values_list("pk", flat=True)) for half in halves]
    every = set(filterset.qs.values_list("pk", flat=True))
    assert set().union(*ids) == every and sum(map(len, ids)) == len(every)  # disjoint
    assert every
    assert call_totals(halves) == call_totals(filterset.qs)


def test_the_uncoded_half_finds_a_malformed_suffix(year_of_calls):
    filterset = CallLogFilter(
        QueryDict("period=this_year&number=%25**%25"), queryset=Call.objects.all()
    )
    assert filterset.is_valid()
    coded, uncoded = filterset.total_parts()
    assert set(uncoded.values_list("destination", flat=True)) == {"0232123456**12a"}
    assert "" not in set(coded.values_list("billing_code", flat=True))


def test_a_time_zone_with_a_half_hour_offset_adds_up_the_calls(settings, year_of_calls):
    settings.TIME_ZONE = "Asia/Kolkata"  # local midnight is 18:30 UTC
    assert both_totals("period=this_year") == (both_totals("period=this_year")[0], None)


def test_the_totals_follow_deleted_and_changed_calls(year_of_calls):
    calls = list(Call.objects.order_by("pk")[:40])
    Call.objects.filter(pk__in=[call.pk for call in calls[:10]]).delete()
    for call in calls[10:20]:
        call.status, call.talk_seconds = Call.Status.BUSY, 7
        call.save()
    Call.objects.filter(pk__in=[call.pk for call in calls[20:30]]).update(
        start=datetime(2026, 2, 2, 12, 30, tzinfo=UTC), end=None, direction=Call.Direction.INBOUND
    )
    Call.objects.filter(pk__in=[call.pk for call in calls[30:40]]).update(caller="999")
    for query in ANSWERED_BY_HOURS:
        assert_hours_add_up(query)
    assert not CallHourTotal.objects.filter(calls__lt=0).exists()


def test_every_call_deleted_leaves_totals_of_nothing(year_of_calls):
    Call.objects.all().delete()
    _, hourly = both_totals("period=this_year")
    assert (hourly["calls"], hourly["answered"], hourly["talk_seconds"]) == (0, 0, 0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_a_truncated_calls_table_leaves_no_totals(year_of_calls):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
        cursor.execute("TRUNCATE calls_call, calls_callassignment")  # what refers to calls too
    assert not CallHourTotal.objects.exists()


def test_imported_calls_are_added_up_once_duplicates_not_at_all(tmp_path):
    make_trunk("9", "Gateway", identifiers=["10001"])
    make_trunk("8", "VoIP", identifiers=["10000"])
    path = tmp_path / "cdr.log"
    path.write_text(
        "".join(
            threecx_lines(
                12_000,  # more than one import batch
                start=datetime(2026, 3, 28, 6, 0, tzinfo=UTC),
                client_codes=["123", "456"],
            )
        ),
        encoding="utf-8",
    )
    cdr_import(cdr_file=inspect_cdr_file(path))
    cdr_import(cdr_file=inspect_cdr_file(path))  # every line a duplicate
    assert Call.objects.count() == 12_000
    assert CallHourTotal.objects.filter(calls__gt=0).count() > 10
    for query in ANSWERED_BY_HOURS:
        assert_hours_add_up(query)


def _sqlite_insert_trigger():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' "
            "AND name = 'calls_call_hour_totals_insert'"
        )
        return cursor.fetchone()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's row trigger")
def test_an_sqlite_import_puts_the_row_trigger_back_as_it_was(tmp_path):
    # SQLite imports add each batch up in one statement with the row trigger dropped for the
    # batch; calls written afterwards by anyone else must still be added up by the trigger.
    trigger = _sqlite_insert_trigger()
    assert trigger is not None
    path = tmp_path / "cdr.log"
    path.write_text(
        "".join(threecx_lines(300, start=NOW - timedelta(days=3), client_codes=["123"])),
        encoding="utf-8",
    )
    cdr_import(cdr_file=inspect_cdr_file(path))
    assert _sqlite_insert_trigger() == trigger
    make_call(start=NOW - timedelta(days=1), talk_seconds=77)
    assert Call.objects.count() == 301
    assert_hours_add_up()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's row trigger")
def test_a_failed_sqlite_batch_puts_the_row_trigger_back(tmp_path):
    from django.db import IntegrityError

    from calls.cdr import parse
    from calls.cdr.detect import detect_format
    from calls.importing.writers import SqliteBatchWriter, sqlite_call_row
    from calls.matching import match_record
    from calls.models import ImportRun, RejectedLine
    from calls.selectors import match_rules_get

    trigger = _sqlite_insert_trigger()
    lines = list(threecx_lines(3, start=NOW - timedelta(days=3), client_codes=["123"]))
    records = list(parse(lines, detect_format(lines), ROME))
    run = ImportRun.objects.create(file_name="x", file_size=0, sha256="", format_name="3cx")
    rows = [
        sqlite_call_row(match_record(record, match_rules_get()), None, run.pk) for record in records
    ]
    rows[-1] = (*rows[-1][:3], -5, *rows[-1][4:])  # talk_seconds below zero: a CHECK fails
    refused = []

    def rejected_line(line_number, raw, reason):
        refused.append(line_number)
        return RejectedLine(
            import_run=run, file_name="x", line_number=line_number, raw=raw, reason=reason
        )

    writer = SqliteBatchWriter(run.pk, refused=rejected_line)
    with pytest.raises(IntegrityError):
        writer._write_now(rows, [])
    assert _sqlite_insert_trigger() == trigger
    assert not Call.objects.exists()
    assert not CallHourTotal.objects.filter(calls__gt=0).exists()
    # write() then writes the batch in halves: the row refused becomes a rejected line
    writer.write(rows, [], [record.raw for record in records])
    assert _sqlite_insert_trigger() == trigger
    assert refused == [records[-1].line_number]
    assert Call.objects.count() == 2
    assert_hours_add_up()


def test_the_page_adds_up_the_hourly_totals_or_the_calls(paolo, year_of_calls):
    browser = logged_in(paolo)

    def totals_from(query):
        with CaptureQueriesContext(connection) as queries:
            response = browser.get(f"{reverse('calls:log')}?{query}")
        sums = [q["sql"] for q in queries.captured_queries if "SUM(" in q["sql"].upper()]
        assert len(sums) == 1, sums
        return response.context["view"].totals, sums[0]

    totals, sql = totals_from("period=this_year&destination=external")
    assert "calls_callhourtotal" in sql
    assert totals == both_totals("period=this_year&destination=external")[0]
    totals, sql = totals_from("period=this_year&caller=114")
    assert "calls_callhourtotal" not in sql and "calls_call" in sql
