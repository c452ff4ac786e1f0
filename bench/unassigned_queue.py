"""Benchmark: the unassigned calls queue (/calls/unassigned/) on N calls, run by hand.

    .venv/bin/python bench/unassigned_queue.py [--calls 1000000] [--runs 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clientcalls \\
        .venv/bin/python bench/unassigned_queue.py

Fills a throw-away database as bench/log_reporter.py does (N synthetic 3CX calls over two
years, 20% coded), then measures the queue page through the real view, logged in as a Partner
(median of --runs after one warm-up), with the number of queries each page made: the query
count must not depend on the rows shown.
"""

import argparse
import time
from pathlib import Path

from _django import (
    connection,
    partner_browser,
    throwaway_database,
)  # sets Django up: import it first
from log_reporter import fill, median_ms

QUERIES = [
    ("this month (default)", ""),
    ("last month", "period=last_month"),
    ("this month, page 5", "page=5"),
    ("this year", "period=this_year"),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with throwaway_database() as folder:
        fill(args.calls, Path(folder) / "cdr.log")
        measure(args.runs)


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure(runs: int):
    from django.urls import reverse

    from calls.models import Call
    from calls.selectors import calls_unassigned

    browser = partner_browser()
    url = reverse("calls:unassigned")
    print(
        f"{connection.vendor}: {Call.objects.count():,} calls, "
        f"{calls_unassigned().count():,} in the queue (all periods)"
    )
    print(f"{'page':24} {'waiting':>8} {'rows':>5} {'suggested':>9} {'queries':>7} {'ms':>7}")
    for label, query in QUERIES:

        def view(query=query):
            response = browser.get(f"{url}?{query}")
            assert response.status_code == 200, response.status_code
            return response

        # Counted with a wrapper: each request clears connection.queries_log.
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            response = view()
        table = response.context["table"]
        rows = len(table.page.object_list)
        ms = median_ms(view, runs)
        print(
            f"{label:24} {response.context['waiting']:>8,} {rows:>5} "
            f"{len(table.suggestions):>9} {counter.count:>7} {ms:>7.1f}"
        )


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"total {time.perf_counter() - started:.0f} s")
