"""Benchmark: what joining a transfer's records costs the import (calls.importing.legs).

    .venv/bin/python bench/import_legs.py [--lines 200000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc .venv/bin/python bench/import_legs.py
    .venv/bin/python bench/import_legs.py --lines 100000 --rounds 3

Writes N Avaya IP Office SMDR records (20% with an account code; every fifth call transferred:
two records under one Call ID) and imports them into a throw-away database; then the same
records without Call IDs (so no record has a group and nothing is joined). Prints calls/s of
both and their ratio: the share of speed the joining keeps. On a shared machine whose load
moves during a run, ``--rounds 3`` imports both files three times, in turn (the calls deleted
between imports), and compares the best rate of each. Records without Call IDs are not quite
the same work (their PBX ids, 'avaya::' + a digest, are told apart otherwise), so
``--join-off`` compares instead the file with Call IDs imported with the joining switched off
(the writers told that no batch has a group): the cost of the joining alone.
"""

import argparse
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from _django import connection, throwaway_database  # sets Django up: import it first


def avaya_lines(count: int, *, with_call_ids: bool):
    start = datetime(2025, 1, 1, 8, 0, 0)
    call_id = 1000000000
    written = 0
    while written < count:
        start += timedelta(seconds=7)
        call_id += 1
        code = str(100 + call_id % 300) if call_id % 5 == 0 else ""
        legs = 2 if call_id % 5 == 1 and written + 2 <= count else 1
        for leg in range(legs):
            talk = timedelta(seconds=60 + (call_id + leg) % 240)
            more = 1 if leg < legs - 1 else 0
            ident = call_id if with_call_ids else ""
            yield (
                f"{start:%Y/%m/%d %H:%M:%S},{talk},5,20{leg},O,9345{call_id % 10**7:07d},"
                f"9345{call_id % 10**7:07d},{code},0,{ident},{more},E20{leg},Interno {leg},"
                f"T9001,Line 1.1,0,0,,,,,,,,,,,,,\n"
            )
            written += 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--join-off", action="store_true", help="baseline: Call IDs, no join")
    args = parser.parse_args()
    rates = {False: [], True: []}
    with throwaway_database() as folder:
        set_up()
        for _ in range(args.rounds):
            for joined in (False, True):
                path = Path(folder) / "smdr.csv"
                with_call_ids = joined or args.join_off
                with joining(joined):
                    rates[joined].append(run(args.lines, path, with_call_ids, joined))
                with connection.cursor() as cursor:  # the next run starts from no calls
                    cursor.execute("DELETE FROM calls_call")
    if args.rounds > 1:
        each = ", ".join(
            f"{grouped / plain:.2f}" for plain, grouped in zip(*rates.values(), strict=True)
        )
        print(f"{connection.vendor}: ratio of each round: {each}")
    print(
        f"{connection.vendor}: joining transfers keeps {max(rates[True]) / max(rates[False]):.2f} "
        + ("of the speed with the joining off" if args.join_off else "of the speed without groups")
        + (" (best of each)" if args.rounds > 1 else "")
    )


@contextmanager
def joining(on: bool):
    """The writers join the records of a group (on), or take no batch for one with groups."""
    from calls.importing import writers

    has_legs = writers._has_legs
    if not on:
        writers._has_legs = lambda rows: False
    try:
        yield
    finally:
        writers._has_legs = has_legs


def set_up():
    from clients.models import Client
    from tests.factories import make_trunk

    Client.objects.bulk_create(Client(code=str(100 + n), name=f"Cliente {n}") for n in range(300))
    make_trunk("9", "Telecom", identifiers=["T9001"])


def run(lines: int, path: Path, with_call_ids: bool, joined: bool) -> float:
    from calls.importing.files import inspect_cdr_file
    from calls.importing.services import cdr_import
    from calls.models import Call

    with open(path, "w", encoding="utf-8", newline="") as out:
        out.writelines(avaya_lines(lines, with_call_ids=with_call_ids))
    started = time.perf_counter()
    summary = cdr_import(cdr_file=inspect_cdr_file(path))
    seconds = time.perf_counter() - started
    rate = summary.lines_read / seconds
    what = (
        "with Call IDs (transfers joined)"
        if joined
        else "with Call IDs, joining off"
        if with_call_ids
        else "without Call IDs"
    )
    print(
        f"{connection.vendor}: {summary.imported:,} records {what} in {seconds:.1f} s = "
        f"{rate:,.0f} records/s; {Call.objects.count():,} calls"
    )
    started = time.perf_counter()
    again = cdr_import(cdr_file=inspect_cdr_file(path))
    seconds = time.perf_counter() - started
    print(f"  same file again: {again.duplicates:,} duplicates in {seconds:.1f} s")
    return rate


if __name__ == "__main__":
    main()
