"""Benchmark: the printed call log (/calls/pdf/) for 1,000 and 10,000 calls, run by hand.

    .venv/bin/python bench/log_reporter_pdf.py [--sizes 1000 10000] [--baseline]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clientcalls \\
        .venv/bin/python bench/log_reporter_pdf.py

Builds a throw-away test database, fills it with calls in May 2026 and times the whole view
(filter, totals, query, templates, WeasyPrint in chunks, joining and page numbers). Goals:
1,000 rows under 2.5 s; 10,000 rows under 25 s and 500 MB. Memory is the peak resident size
(``ru_maxrss``) of this process and of the largest rendering child (PDF_WORKERS forked
processes); it only grows, so run one size at a time for a clean figure per size.
``--baseline`` also renders 1,000 rows as one WeasyPrint document in this process, the naive
way, to compare with in the same run.
"""

import argparse
import io
import resource
import time
from datetime import UTC, datetime, timedelta

from _django import connection, throwaway_database  # sets Django up: import it first

GOALS = {1_000: (2.5, None), 10_000: (25.0, 500)}


def peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--baseline", action="store_true")
    args = parser.parse_args()
    with throwaway_database():
        run(args)


def fill(count):
    from calls.models import Call, Trunk
    from clients.models import Client
    from tests.factories import make_trunk

    Call.objects.all().delete()
    clients = Client.objects.bulk_create(
        Client(code=str(100 + n), name=f"Cliente di prova {n} S.r.l.") for n in range(50)
    )
    trunk = Trunk.objects.first() or make_trunk("9", "Gateway cellulare")
    start = datetime(2026, 5, 1, 7, 0, tzinfo=UTC)
    Call.objects.bulk_create(
        (
            Call(
                start=start + timedelta(minutes=3 * i),
                caller=str(101 + i % 30),
                caller_name=f"Avvocato {i % 30}",
                destination=f"34545{i % 100000:05d}**{clients[i % 50].code}",
                dialled_number=f"34545{i % 100000:05d}",
                billing_code=clients[i % 50].code,
                client=clients[i % 50],
                trunk=trunk,
                direction=Call.Direction.OUTBOUND,
                status=Call.Status.ANSWERED if i % 4 else Call.Status.NO_ANSWER,
                talk_seconds=(i * 37) % 900 if i % 4 else 0,
                ring_seconds=i % 20,
                cost="0.0125" if i % 3 == 0 else None,
                pbx_call_id=f"bench-{count}-{i}",
            )
            for i in range(count)
        ),
        batch_size=2000,
    )
    Client.objects.filter(calls__isnull=True).delete()


def run(args):
    from django.contrib.auth.models import User
    from django.test import Client as Browser
    from django.urls import reverse
    from pypdf import PdfReader

    from calls import pdf
    from calls.views import PDF_COLUMNS, PDF_MAX_ROWS

    user = User.objects.create_superuser("bench", "bench@example.com", "x")
    browser = Browser()
    browser.force_login(user)
    url = reverse("calls:pdf") + "?date_after=2026-05-01&date_before=2026-06-30&sort=start"
    print(
        f"{connection.vendor}: chunks of {pdf.CHUNK_ROWS} rows, {pdf.pdf_workers()} workers,"
        f" limit {PDF_MAX_ROWS} rows"
    )
    browser.get(url)  # warm up: fonts, templates, translations
    for size in args.sizes:
        fill(size)
        started = time.perf_counter()
        response = browser.get(url, headers={"accept-language": "it"})
        seconds = time.perf_counter() - started
        assert response["Content-Type"] == "application/pdf", response.content[:300]
        pages = len(PdfReader(io.BytesIO(response.content)).pages)
        own, children = peak_mb()
        goal_seconds, goal_mb = GOALS.get(size, (None, None))
        line = (
            f"  {size:6} rows  {pages:4} pages  {len(response.content) / 1e6:5.1f} MB PDF"
            f"  {seconds:6.2f} s  peak RSS {own:5.0f} MB (this process),"
            f" {children:5.0f} MB (largest child)"
        )
        if goal_seconds:
            line += f"  time/goal {seconds / goal_seconds:.2f}"
        if goal_mb:
            line += f"  memory/goal {(own + children) / goal_mb:.2f} (sum of both)"
        print(line, flush=True)
    if args.baseline:
        rows = [
            (
                "01/05/2026 09:00",
                "114 Avvocato 1",
                "3454500001**101",
                "Cliente 1 101",
                "Gateway cellulare",
                "Con risposta",
                "0:00:07",
                "0:01:00",
                "",
            )
        ] * 1000
        from django.conf import settings

        settings.PDF_WORKERS = 1
        columns = [
            {"label": "x", "width": width, "num": False} for _name, width, _num in PDF_COLUMNS
        ]
        started = time.perf_counter()
        pdf.render_pdf_in_chunks(
            "pdf/call_log.html",
            {"firm_name": "Studio", "description": "", "totals": {}, "columns": columns},
            rows,
            page_numbers_template="pdf/_page_numbers.html",
            chunk_rows=len(rows),
        )
        seconds = time.perf_counter() - started
        print(f"  baseline: 1,000 rows as one document in one process {seconds:.2f} s")


if __name__ == "__main__":
    main()
