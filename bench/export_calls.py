"""Benchmark: stream the call log's CSV and XLSX exports of N calls on the configured database.

    .venv/bin/python bench/export_calls.py [--calls 100000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clientcalls \
        .venv/bin/python bench/export_calls.py

Makes a throw-away test database with a few hundred clients and two trunks, imports N
synthetic 3CX calls (20% with billing codes) with the same service import_cdr uses, gives
the coded ones a cost, then consumes ``stream_csv`` and ``stream_xlsx`` over all of them
(newest first, as the call log orders them) the way a WSGI server would: chunk by chunk,
writing to /dev/null. Prints rows/s, the chunks sent, and peak memory (ru_maxrss) before and
after each export. Last, for scale, the peak after holding all the rows in a list, which is
what an in-memory export needs before it writes a byte (tables2 then builds far more).
Goal: peak memory flat (no growth with N), far below the in-memory figure.
"""

import argparse
import gc
import os
import resource
import time
from datetime import UTC, datetime
from pathlib import Path

from _django import connection, throwaway_database  # sets Django up: import it first


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=300)
    args = parser.parse_args()
    with throwaway_database() as folder:
        fill(args, Path(folder) / "cdr.log")
        measure(args)


def fill(args, path: Path):
    from calls.cdr.synthetic import threecx_lines
    from calls.importing.files import inspect_cdr_file
    from calls.importing.services import cdr_import
    from calls.models import Call
    from clients.models import Client
    from tests.factories import make_trunk

    codes = [str(100 + n) for n in range(args.clients)]
    Client.objects.bulk_create(Client(code=code, name=f"Cliente {code} S.r.l.") for code in codes)
    make_trunk("9", "Gateway cellulare", identifiers=["10001"])
    make_trunk("8", "Provider VoIP", identifiers=["10000"])
    started = time.perf_counter()
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.writelines(
            threecx_lines(
                args.calls, seed=1, start=datetime(2026, 1, 1, tzinfo=UTC), client_codes=codes
            )
        )
    summary = cdr_import(cdr_file=inspect_cdr_file(path))
    path.unlink()
    Call.objects.exclude(billing_code="").update(cost="0.1250")
    print(
        f"{connection.vendor}: {summary.imported:,} calls stored in "
        f"{time.perf_counter() - started:.1f} s "
        f"({Call.objects.filter(client__isnull=False).count():,} with a client); "
        f"peak memory after filling {peak_mb():.0f} MB"
    )


def consume(response) -> tuple[int, int]:
    """Read the body as a WSGI server would; returns (chunks, bytes)."""
    chunks = size = 0
    with open(os.devnull, "wb") as sink:
        for chunk in response.streaming_content:
            sink.write(chunk)
            chunks += 1
            size += len(chunk)
    response.close()
    return chunks, size


def measure(args):
    from calls.exports import stream_csv, stream_xlsx
    from calls.models import Call

    queryset = Call.objects.order_by("-start", "-pk")
    total = queryset.count()
    for name, export in (("csv", stream_csv), ("xlsx", stream_xlsx)):
        gc.collect()
        before = peak_mb()
        started = time.perf_counter()
        response = export(queryset, filename=f"registro-chiamate.{name}")
        first = time.perf_counter() - started
        chunks, size = consume(response)
        seconds = time.perf_counter() - started
        print(
            f"  {name}: {total:,} rows in {seconds:.1f} s = {total / seconds:,.0f} rows/s; "
            f"{size / 1e6:.1f} MB in {chunks:,} chunks (response returned after {first:.2f} s); "
            f"peak memory {before:.0f} MB before, {peak_mb():.0f} MB after "
            f"(+{peak_mb() - before:.0f} MB)"
        )

    # For scale only: what holding every row costs (tables2 builds model instances, a table
    # row per call and a tablib Dataset on top of this).
    gc.collect()
    before = peak_mb()
    rows = list(queryset.select_related("client", "trunk"))
    print(
        f"  for scale: {len(rows):,} Call instances held in a list: peak memory "
        f"{before:.0f} MB before, {peak_mb():.0f} MB after (+{peak_mb() - before:.0f} MB)"
    )


if __name__ == "__main__":
    main()
