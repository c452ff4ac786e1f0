"""Benchmark: the call log (/calls/, the Log Reporter) on N calls over two years, run by hand.

    .venv/bin/python bench/log_reporter.py [--calls 1000000] [--runs 7]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clientcalls \\
        .venv/bin/python bench/log_reporter.py

Makes a throw-away test database (SQLite: a file in a temporary folder), writes a synthetic 3CX
cdr.log of N calls spread over the two years up to today (730 days, one chunk a day, 20% with
billing codes; codes 380-399 have no client, so "unknown code" finds calls) and imports it with
the same service import_cdr uses. On PostgreSQL the table is then vacuumed and ANALYZEd, as
autovacuum does within a minute or so of an import that size (since PostgreSQL 13 inserts
alone start it): the visibility map lets the totals of a billing-code pattern read the
covering index alone. SQLite is left as an import leaves it.

For every filter (a query string) it measures, after one warm-up, the median of --runs:

- view: the whole page through the real view (django.test.Client logged in as a Partner):
  filter, first page of 50 (LazyPaginator), totals of the filtered set, template, session;
- qs: the queryset work alone (CallLogFilter.qs, the table's first page, call_log_totals, from
  the hourly totals when the filter allows, as the view does);
- bare: the SQL statements on the calls table and its hourly totals that the view ran
  (recorded in the warm-up, same text, same parameters), executed through
  connection.cursor() with fetchall().

and prints ``filter  rows  view_ms  qs_ms  bare_ms  ratio  target_ms  ok?``, where ratio is
view / bare (goal: under 2x) and the target is the issue's (100 ms on PostgreSQL, 300 ms on
SQLite). Finally it prints the plan of the slowest filter's statements (EXPLAIN ANALYZE on
PostgreSQL, EXPLAIN QUERY PLAN on SQLite).
"""

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _django import (
    connection,
    partner_browser,
    throwaway_database,
)  # sets Django up: import it first

TARGETS_MS = {"postgresql": 100, "sqlite": 300}
DAYS = 730
CLIENT_CODES = [str(100 + n) for n in range(300)]  # dialled codes
KNOWN_CODES = CLIENT_CODES[:280]  # 380-399 are dialled but belong to no client

# (label, query string of /calls/); the default has no filter (this month).
FILTERS = [
    ("default (this month)", "period=this_month"),
    ("last month", "period=last_month"),
    ("this year", "period=this_year"),
    ("destination=external", "destination=external"),
    ("destination=internal", "destination=internal"),
    ("numbers %**123", "destination=numbers&number=%25**123"),
    ("numbers %**%", "destination=numbers&number=%25**%25"),
    ("numbers %**1%", "destination=numbers&number=%25**1%25"),
    ("numbers 0232%", "destination=numbers&number=0232%25"),
    ("numbers contains 456", "destination=numbers&number=456&number_mode=contains"),
    ("caller=114", "caller=114"),
    ("status=no_answer", "status=no_answer"),
    ("unknown_code=on", "unknown_code=on"),
    ("min_talk=600", "min_talk=600"),
    ("client=123", "client=123"),
    ("matter=12301", "matter=12301"),
    ("2 years, sort=-talk_seconds", "date_after={first}&date_before={last}&sort=-talk_seconds"),
]
# Without dates the log shows this month only; the same filters over the whole two years
# (--two-years) read the whole table, as a search over all calls does.
TWO_YEARS = "date_after={first}&date_before={last}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--two-years", action="store_true", help="also every filter over the two years"
    )
    parser.add_argument(
        "--reports",
        action="store_true",
        help="also the dashboard, last month's client summary and a year's statement",
    )
    args = parser.parse_args()
    with throwaway_database() as folder:
        fill(args.calls, Path(folder) / "cdr.log")
        measure(args.runs, args.two_years)
        if args.reports:
            measure_reports(args.runs)


def fill(count: int, path: Path):
    """Import ``count`` synthetic calls, one chunk a day for the DAYS days up to today."""
    from calls.cdr.synthetic import threecx_lines
    from calls.importing.files import inspect_cdr_file
    from calls.importing.services import cdr_import
    from clients.models import Client
    from tests.factories import make_trunk

    Client.objects.bulk_create(Client(code=code, name=f"Cliente {code}") for code in KNOWN_CODES)
    make_trunk("9", "Gateway cellulare", identifiers=["10001"])
    make_trunk("8", "Provider VoIP", identifiers=["10000"])

    started = time.perf_counter()
    first_day = datetime.now(UTC).replace(hour=6, minute=30, second=0, microsecond=0)
    first_day -= timedelta(days=DAYS - 1)
    with open(path, "w", encoding="utf-8", newline="") as out:
        history_id = 1
        for day in range(DAYS):
            # ~1,370 calls 0-59 s apart (1 M calls): about 07:30 to 19:00 in Rome.
            chunk = count * (day + 1) // DAYS - count * day // DAYS
            out.writelines(
                threecx_lines(
                    chunk,
                    seed=day,
                    start=first_day + timedelta(days=day),
                    client_codes=CLIENT_CODES,
                    first_history_id=history_id,
                )
            )
            history_id += chunk
    print(f"{connection.vendor}: wrote {count:,} lines in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    summary = cdr_import(cdr_file=inspect_cdr_file(path))
    seconds = time.perf_counter() - started
    print(
        f"  import: {summary.imported:,} imported, {summary.duplicates:,} duplicates, "
        f"{summary.rejected:,} rejected in {seconds:.1f} s: {summary.imported / seconds:,.0f} "
        "calls/s"
    )
    attach_matters()
    if connection.vendor == "postgresql":
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) calls_call")
            cursor.execute("ANALYZE calls_callhourtotal")
        print(f"  VACUUM (ANALYZE) in {time.perf_counter() - started:.1f} s")
    print_size(count)


def print_size(count: int):
    """The calls' size on disk per million calls: the table with its indexes and its hourly
    totals (PostgreSQL), or the whole database file (SQLite)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_total_relation_size('calls_call'), pg_relation_size('calls_call'), "
                "pg_total_relation_size('calls_callhourtotal')"
            )
            total, table, hours = cursor.fetchone()
            size = total + hours
            detail = f"(table {table / 2**20:,.0f} MB, indexes {(total - table) / 2**20:,.0f} MB)"
        else:
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA page_size")
            size, detail = pages * cursor.fetchone()[0], "(the database file)"
    print(
        f"  size: {size / 2**20:,.0f} MB, {size / 2**20 / (count / 1e6):,.0f} MB per million "
        f"calls {detail}"
    )
    print_index_sizes(count)


def print_index_sizes(count: int):
    """Each index of the calls table, MB per million calls: what an index costs, to weigh
    against what it saves (SQLite: its dbstat table, when the library has it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexrelname, pg_relation_size(indexrelid) FROM pg_stat_user_indexes "
                "WHERE relname = 'calls_call' ORDER BY 2 DESC"
            )
        else:
            try:
                cursor.execute(
                    "SELECT name, sum(pgsize) FROM dbstat WHERE name IN (SELECT name FROM "
                    "sqlite_master WHERE type = 'index' AND tbl_name = 'calls_call') "
                    "GROUP BY name ORDER BY 2 DESC"
                )
            except Exception:  # noqa: BLE001 - a library built without dbstat
                return
        sizes = cursor.fetchall()
    per_million = count / 1e6
    print(
        "  indexes (MB per million calls): "
        + ", ".join(f"{name} {size / 2**20 / per_million:,.0f}" for name, size in sizes)
    )


def attach_matters():
    """Client 123's calls under two matters, 12301 and 12302, half each (as if dialled with
    the matter's code), so that ``matter=12301`` has as many calls as a client: ~1/3 of
    client 123's. Done here, not by the importer, so the bench runs on any version."""
    from calls.models import Call
    from clients.models import Client, Matter

    client = Client.objects.get(code="123")
    first = Matter.objects.create(client=client, code="12301", name="Causa Rossi c. Bianchi")
    second = Matter.objects.create(client=client, code="12302", name="Successione Verdi")
    ids = list(Call.objects.filter(client=client).order_by("pk").values_list("pk", flat=True))
    for matter, part in ((first, ids[0::3]), (second, ids[1::3])):
        Call.objects.filter(pk__in=part).update(matter=matter, billing_code=matter.code)
    print(f"  matters: {len(ids[0::3]):,} calls of 12301, {len(ids[1::3]):,} of 12302")


def median_ms(work, runs: int) -> float:
    work()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def median_cpu_ms(work, runs: int) -> float:
    """The CPU time of this process (Django's share of a page: the database works in its
    own process), median of ``runs``: on a busy machine it moves far less than the clock."""
    times = []
    for _ in range(runs):
        started = time.process_time()
        work()
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times)


class CallStatements:
    """Records the statements that read the calls table or its hourly totals (page and
    totals), to run them bare."""

    def __init__(self, *tables: str):
        self.markers = [f'FROM "{table}"' for table in tables]
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        if any(m in sql for m in self.markers) and sql.lstrip().upper().startswith("SELECT"):
            self.statements.append((sql, params))
        return execute(sql, params, many, context)


def measure(runs: int, two_years: bool):
    from django.db.models import Count, Max, Min
    from django.http import QueryDict
    from django.urls import reverse

    from calls.filters import CallLogFilter
    from calls.models import Call, CallHourTotal
    from calls.selectors import call_log_totals
    from calls.tables import CallTable, PageIdsFirst
    from calls.views import CallLogPaginator

    browser = partner_browser()
    url = reverse("calls:log")
    target = TARGETS_MS.get(connection.vendor, 300)
    span = Call.objects.aggregate(first=Min("start"), last=Max("start"), count=Count("pk"))
    print(
        f"{connection.vendor}: {span['count']:,} calls from {span['first']:%Y-%m-%d} to "
        f"{span['last']:%Y-%m-%d}; median of {runs} runs after 1 warm-up; target {target} ms"
    )

    def view(query):
        response = browser.get(f"{url}?{query}")
        assert response.status_code == 200, response.status_code
        return response

    def queryset_work(query):
        data = QueryDict(query)
        filterset = CallLogFilter(
            data, queryset=Call.objects.select_related("client", "matter", "trunk")
        )
        table = CallTable(PageIdsFirst(filterset.qs), order_by=data.get("sort"))
        table.paginate(paginator_class=CallLogPaginator, per_page=50, page=1)
        rows = [row.record for row in table.page.object_list]
        return rows, call_log_totals(filterset=filterset)

    def bare(statements):
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    header = (
        f"{'filter':30} {'rows':>9} {'view_ms':>8} {'qs_ms':>7} {'bare_ms':>8} {'ratio':>6} "
        f"{'py_ms':>6} {'target_ms':>9}  ok?"
    )
    print(header)
    print("-" * len(header))
    results = []
    days = {
        "first": (datetime.now(UTC) - timedelta(days=DAYS)).date().isoformat(),
        "last": datetime.now(UTC).date().isoformat(),
    }
    filters = FILTERS
    if two_years:
        filters = filters + [
            (f"{label[:21]}, 2 years", f"{query}&{TWO_YEARS}") for label, query in FILTERS[3:-1]
        ]
    for label, query in filters:
        query = query.format(**days)
        recorder = CallStatements(Call._meta.db_table, CallHourTotal._meta.db_table)
        with connection.execute_wrapper(recorder):
            response = view(query)  # the warm-up, recorded
        totals = response.context["view"].totals
        _, qs_totals = queryset_work(query)
        assert qs_totals["calls"] == totals["calls"], (qs_totals, totals)
        statements = recorder.statements
        view_ms = median_ms(lambda q=query: view(q), runs)
        qs_ms = median_ms(lambda q=query: queryset_work(q), runs)
        bare_ms = median_ms(lambda s=statements: bare(s), runs)
        py_ms = median_cpu_ms(lambda q=query: view(q), runs)
        ok = "yes" if view_ms < target else "NO"
        print(
            f"{label:30} {totals['calls']:>9,} {view_ms:>8.1f} {qs_ms:>7.1f} {bare_ms:>8.1f} "
            f"{view_ms / bare_ms:>5.1f}x {py_ms:>6.1f} {target:>9}  {ok}",
            flush=True,
        )
        results.append((view_ms, bare_ms, label, statements))

    # The plans of every filter whose SQL alone takes more than a third of the target, else
    # of the slowest one.
    slow = [result for result in results if result[1] > target / 3]
    for view_ms, bare_ms, label, statements in slow or [max(results)]:
        print(f"\n{label} (view {view_ms:.1f} ms, SQL {bare_ms:.1f} ms); its statements:")
        print_plans(statements)


def print_plans(statements):
    explain = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    with connection.cursor() as cursor:
        for sql, params in statements:
            shown = tuple(p if isinstance(p, int) else f"'{p}'" for p in params or ())
            print(f"\n{sql % shown if shown else sql}")
            cursor.execute(explain + sql, params)
            for row in cursor.fetchall():
                print("   ", row[-1])


REPORT_TARGET_MS = 150


def measure_reports(runs: int):
    """The partner dashboard, the client summary of last month (every client with calls) and
    client 123's statement over the last twelve months, through the real views, on the same
    calls (the goal: under 150 ms each)."""
    from django.urls import reverse

    from firm.lib.dates import today_local

    browser = partner_browser("bench-reports")
    today = today_local()
    year = {"date_after": (today - timedelta(days=364)).isoformat(), "date_before": str(today)}
    pages = [
        ("dashboard (home)", reverse("home"), {}),
        ("client summary, last month", reverse("clients:statements"), {"period": "last_month"}),
        ("statement of 123, a year", reverse("clients:statement", args=["123"]), year),
    ]
    print(f"\n{'report':30} {'view_ms':>8} {'py_ms':>6} {'target_ms':>9}  ok?")
    for label, url, params in pages:

        def view(url=url, params=params):
            response = browser.get(url, params)
            assert response.status_code == 200, (url, response.status_code)

        view_ms = median_ms(view, runs)
        py_ms = median_cpu_ms(view, runs)
        ok = "yes" if view_ms < REPORT_TARGET_MS else "NO"
        print(f"{label:30} {view_ms:>8.1f} {py_ms:>6.1f} {REPORT_TARGET_MS:>9}  {ok}", flush=True)


if __name__ == "__main__":
    main()
