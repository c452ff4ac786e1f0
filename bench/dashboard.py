"""Benchmark: the partner dashboard (the home page of a Partner) on N calls over two years,
run by hand.

    .venv/bin/python bench/dashboard.py [--calls 1000000] [--runs 7]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clientcalls \\
        .venv/bin/python bench/dashboard.py

The throw-away database and the synthetic calls are bench/log_reporter.py's (730 days up to
today, 20% with a code, codes 380-399 with no client; PostgreSQL vacuumed and analysed after
the import). It times, after one warm-up, the median of --runs of:

- view: the home page through the real view (django.test.Client logged in as a Partner);
- selectors: calls.dashboard.dashboard_get alone;

and prints them with the ratio to the 150 ms target, then the SQL of the dashboard's
statements with their times (one run each).
"""

import argparse
import time
from pathlib import Path

from _django import (
    connection,
    partner_browser,
    throwaway_database,
)  # sets Django up: import it first
from log_reporter import fill, median_ms  # noqa: E402

TARGET_MS = 150


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with throwaway_database() as folder:
        fill(args.calls, Path(folder) / "cdr.log")
        measure(args.runs)


def measure(runs: int):
    from django.urls import reverse

    from calls.dashboard import dashboard_get
    from calls.models import Call
    from firm.lib.dates import today_local

    browser = partner_browser()
    url = reverse("home")

    def view():
        response = browser.get(url)
        assert response.status_code == 200, response.status_code
        assert b'id="dashboard-title"' in response.content
        return response

    dashboard = dashboard_get(today=today_local())
    print(
        f"{connection.vendor}: {Call.objects.count():,} calls; this month "
        f"{dashboard.this_month.calls:,} calls, {len(dashboard.top_clients)} top clients, "
        f"{len(dashboard.unknown_codes)} unknown codes, {dashboard.waiting:,} waiting"
    )
    view_ms = median_ms(view, runs)
    selectors_ms = median_ms(lambda: dashboard_get(today=today_local()), runs)
    for label, ms in (("view", view_ms), ("selectors", selectors_ms)):
        verdict = "ok" if ms < TARGET_MS else "TOO SLOW"
        print(
            f"  {label:10} {ms:8.1f} ms  {ms / TARGET_MS:5.2f}x of the {TARGET_MS} ms target  "
            f"{verdict}  (median of {runs})"
        )

    timings = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append(((time.perf_counter() - started) * 1000, sql))

    with connection.execute_wrapper(timed):
        dashboard_get(today=today_local())
    print("\nthe dashboard's statements (one run):")
    for ms, sql in timings:
        print(f"  {ms:7.1f} ms  {sql[:150]}")


if __name__ == "__main__":
    main()
