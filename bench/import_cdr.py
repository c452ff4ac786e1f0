"""Benchmark: import N synthetic 3CX lines end to end on the configured database.

    .venv/bin/python bench/import_cdr.py [--lines 1000000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clientcalls .venv/bin/python bench/import_cdr.py

Makes a throw-away test database with a few hundred clients and two trunks, writes a
realistic 3CX cdr.log (20% of lines with billing codes), and imports it with the same
service import_cdr uses. Prints calls/s, peak memory, and the ratios to the targets
(100,000 calls/s on PostgreSQL, 50,000 on SQLite); on PostgreSQL also the ratio to a raw
COPY of the same file into a bare table, measured in the same run.
"""

import argparse
import resource
import time
from datetime import UTC, datetime
from pathlib import Path

from _django import connection, throwaway_database  # sets Django up: import it first

TARGETS = {"postgresql": 100_000, "sqlite": 50_000}
MEMORY_TARGET_MB = 300


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=None, help="lines per transaction")
    args = parser.parse_args()
    with throwaway_database() as folder:
        run(args, Path(folder) / "cdr.log")


def run(args, path: Path):
    from calls.cdr.synthetic import threecx_lines
    from calls.importing import inspect_cdr_file
    from calls.services import cdr_import
    from clients.models import Client
    from tests.factories import make_trunk

    codes = [str(100 + n) for n in range(args.clients)]
    Client.objects.bulk_create(Client(code=code, name=f"Cliente {code}") for code in codes)
    make_trunk("9", "Gateway cellulare", identifiers=["10001"])
    make_trunk("8", "Provider VoIP", identifiers=["10000"])

    started = time.perf_counter()
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.writelines(
            threecx_lines(
                args.lines, seed=1, start=datetime(2025, 1, 1, tzinfo=UTC), client_codes=codes
            )
        )
    size_mb = path.stat().st_size / 1e6
    print(
        f"{connection.vendor}: wrote {args.lines:,} lines ({size_mb:.0f} MB) in "
        f"{time.perf_counter() - started:.1f} s"
    )

    before = peak_mb()
    started = time.perf_counter()
    summary = cdr_import(cdr_file=inspect_cdr_file(path), batch_size=args.batch_size)
    seconds = time.perf_counter() - started
    rate = summary.lines_read / seconds
    target = TARGETS.get(connection.vendor, 50_000)
    print(
        f"  import: {summary.imported:,} imported, {summary.duplicates:,} duplicates, "
        f"{summary.rejected:,} rejected in {seconds:.1f} s = {rate:,.0f} calls/s "
        f"(ratio to target {target:,}/s: {rate / target:.2f})"
    )
    print(
        f"  peak memory: {peak_mb():.0f} MB (before import {before:.0f} MB; "
        f"ratio to {MEMORY_TARGET_MB} MB target: {peak_mb() / MEMORY_TARGET_MB:.2f})"
    )

    started = time.perf_counter()
    summary = cdr_import(cdr_file=inspect_cdr_file(path))
    seconds = time.perf_counter() - started
    print(
        f"  same file again: {summary.duplicates:,} duplicates in {seconds:.1f} s = "
        f"{summary.lines_read / seconds:,.0f} lines/s"
    )

    if connection.vendor == "postgresql":
        copy_rate = raw_copy_rate(path)
        print(
            f"  raw COPY of the file into a bare table: {copy_rate:,.0f} rows/s; "
            f"import / COPY ratio: {rate / copy_rate:.2f}"
        )


def raw_copy_rate(path: Path) -> float:
    columns = ", ".join(f"c{n} text" for n in range(27))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_raw ({columns})")
        started = time.perf_counter()
        with (
            open(path, "rb") as source,
            cursor.cursor.copy("COPY bench_raw FROM STDIN (FORMAT csv)") as copy,
        ):
            while block := source.read(1 << 20):
                copy.write(block)
        seconds = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_raw")
        rows = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_raw")
    return rows / seconds


if __name__ == "__main__":
    main()
