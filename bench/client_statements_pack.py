"""Benchmark: the month-end pack of client statements, run by hand.

    .venv/bin/python bench/client_statements_pack.py [--clients 500] [--calls 50000] [--zip]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clientcalls \\
        .venv/bin/python bench/client_statements_pack.py

Builds a throw-away database with ``--clients`` clients (each with an hourly rate) and
``--calls`` calls spread over them in May 2026 (30 extensions, a quarter unanswered), then
writes the pack exactly as ``manage.py client_statements --month 2026-05`` does, to a file in
a temporary folder. Prints the time of the summary query, of the whole pack, its pages and
size, and the peak resident memory of this process and of the largest rendering worker
(PDF_WORKERS; see bench/log_reporter_pdf.py). Memory only grows, so run one variant per
process for a clean figure.
"""

import argparse
import resource
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from _django import connection, throwaway_database  # sets Django up: import it first
from log_reporter_pdf import peak_mb


def fill(clients_count: int, calls_count: int):
    from calls.models import Call
    from clients.models import Client
    from tests.factories import make_trunk

    clients = Client.objects.bulk_create(
        Client(
            code=str(1000 + n),
            name=f"Cliente di prova {n} S.r.l.",
            vat_number=f"IT{n:011d}",
            hourly_rate=Decimal(80 + n % 5 * 20),
        )
        for n in range(clients_count)
    )
    trunk = make_trunk("9", "Gateway cellulare")
    start = datetime(2026, 4, 30, 22, 0, tzinfo=UTC)  # 1 May, midnight in Rome
    step = timedelta(days=31) / calls_count
    Call.objects.bulk_create(
        (
            Call(
                start=start + step * i,
                caller=str(101 + i % 30),
                caller_name=f"Avvocato {i % 30}",
                destination=f"34545{i % 100000:05d}**{clients[i % clients_count].code}",
                dialled_number=f"34545{i % 100000:05d}",
                billing_code=clients[i % clients_count].code,
                client=clients[i % clients_count],
                trunk=trunk,
                direction=Call.Direction.OUTBOUND,
                status=Call.Status.ANSWERED if i % 4 else Call.Status.NO_ANSWER,
                talk_seconds=(i * 37) % 900 if i % 4 else 0,
                ring_seconds=i % 20,
                cost=Decimal("0.0125") if i % 3 == 0 else None,
                pbx_call_id=f"bench-{i}",
            )
            for i in range(calls_count)
        ),
        batch_size=5000,
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--zip", action="store_true", help="a ZIP of one PDF per client")
    args = parser.parse_args()
    with throwaway_database() as folder:
        from datetime import date

        from django.utils import translation

        from clients.billing.printing import month_pack_pdf, month_pack_zip
        from clients.billing.selectors import client_summary_list
        from firm.lib import pdf

        started = time.perf_counter()
        fill(args.clients, args.calls)
        print(
            f"{connection.vendor}: {args.clients} clients, {args.calls} calls in May 2026"
            f" (filled in {time.perf_counter() - started:.1f} s), {pdf.pdf_workers()} workers,"
            f" start RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB",
            flush=True,
        )
        first, last = date(2026, 5, 1), date(2026, 5, 31)
        with translation.override("it"):
            started = time.perf_counter()
            rows = client_summary_list(first_day=first, last_day=last)
            print(f"  summary query: {len(rows)} clients in {time.perf_counter() - started:.2f} s")
            path = folder / ("pack.zip" if args.zip else "pack.pdf")
            started = time.perf_counter()
            with open(path, "wb") as target:
                write = month_pack_zip if args.zip else month_pack_pdf
                result = write(first, last, target)
            seconds = time.perf_counter() - started
        own, worker = peak_mb(pdf._pool)
        print(
            f"  pack ({'zip' if args.zip else 'pdf'}): {result.clients} clients,"
            f" {result.calls} calls, {result.pages} pages, {path.stat().st_size / 1e6:.1f} MB"
            f" in {seconds:.1f} s ({seconds / max(result.clients, 1):.2f} s per client);"
            f" peak RSS {own:.0f} MB (this process), {worker:.0f} MB (largest worker)",
            flush=True,
        )


if __name__ == "__main__":
    main()
