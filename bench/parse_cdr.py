"""Benchmark: CDR parsing speed on one core, run by hand.

    .venv/bin/python bench/parse_cdr.py [--lines 1000000] [--layout both] [--repeat 1]
                                        [--no-memory] [--asterisk] [--other-pbx]

Writes N synthetic 3CX lines (``calls.cdr.synthetic.threecx_lines``, default 27-field order)
to a temporary file, and the same calls cut to the active-socket 20-field order to another,
then for each file times what the importer does: ``detect_format`` on the first 50 lines and
``parse(open(path, encoding='utf-8-sig', newline=''), fmt, tz)`` drained to the end. Prints
records/s, the ratio to a bare ``csv.reader`` over the same file timed in the same run, and the
peak memory of the parse (tracemalloc, in a separate pass so it does not slow the timed one)
plus the process's peak RSS. ``--asterisk`` also times the Asterisk sample
(../shared/samples/asterisk/master-218-calls.csv) repeated to N lines.

``--other-pbx`` also times Cisco CUCM, Avaya SMDR, Panasonic SMDR, Grandstream UCM and Yeastar
files made of their test samples (tests/fixtures/cdr) repeated to N records (header once), and
prints each one's time per record as a ratio to the default-27 3CX parse of the same run
(target: at most 1.0, as fast per record as 3CX).

Target: at least 200,000 3CX records/s (the importer must reach 100,000 calls/s end to end on
a 2-core machine), with memory flat whatever N.
"""

from __future__ import annotations

import argparse
import csv
import gc
import itertools
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from calls.cdr import CdrRejection, CdrSkip, detect_format, parse  # noqa: E402
from calls.cdr.synthetic import threecx_lines  # noqa: E402

ASTERISK_SAMPLE = ROOT.parent / "shared" / "samples" / "asterisk" / "master-218-calls.csv"
TZ = ZoneInfo("Europe/Rome")
CLIENT_CODES = tuple(str(code) for code in range(100, 1100))


def write_default(path: Path, count: int) -> None:
    lines = threecx_lines(count, seed=1, start=datetime(2024, 1, 1), client_codes=CLIENT_CODES)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.writelines(lines)


def write_socket(source: Path, path: Path) -> None:
    """The same calls in the socket order: the first 20 fields (historyid ... chain)."""
    with (
        open(source, encoding="utf-8", newline="") as reader,
        open(path, "w", encoding="utf-8", newline="") as writer,
    ):
        out = csv.writer(writer, lineterminator="\n")
        out.writerows(row[:20] for row in csv.reader(reader))


def write_asterisk(path: Path, count: int) -> None:
    with open(ASTERISK_SAMPLE, encoding="utf-8-sig", newline="") as handle:
        sample = [line for line in handle if line.strip()]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.writelines(itertools.islice(itertools.cycle(sample), count))


def time_it(action: Callable[[], int], repeat: int) -> tuple[float, int]:
    """Best wall time of ``repeat`` runs (garbage collection on, as in production)."""
    best, result = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - started)
    return best, result


def bare_csv(path: Path) -> int:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        count = 0
        for _ in csv.reader(handle):
            count += 1
        return count


def parse_file(path: Path) -> tuple[int, int]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        fmt = detect_format(list(itertools.islice(handle, 50)))
    records = rejections = 0
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for item in parse(handle, fmt, TZ):
            if isinstance(item, CdrRejection):
                rejections += 1
            elif isinstance(item, CdrSkip):
                continue
            else:
                records += 1
    return records, rejections


def peak_memory(path: Path) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        parse_file(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


FIXTURES = ROOT / "tests" / "fixtures" / "cdr"
OTHER_PBX = (
    ("cisco_cucm", "cdr_StandAloneCluster_01_202412021000_1", 2),
    ("avaya_smdr", "avaya-smdr-examples.csv", 0),
    ("panasonic_smdr", "panasonic-smdr-kx-ns.txt", 2),
    ("grandstream_ucm", "grandstream-ucm-cdr.csv", 1),
    ("yeastar", "yeastar-cdr.csv", 1),
)


def write_other(path: Path, sample: str, head: int, count: int) -> None:
    with open(FIXTURES / sample, encoding="utf-8", newline="") as handle:
        lines = [line if line.endswith("\n") else line + "\n" for line in handle if line.strip()]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.writelines(lines[:head])
        handle.writelines(itertools.islice(itertools.cycle(lines[head:]), count))


def bench(name: str, path: Path, repeat: int, memory: bool) -> float:
    """Print the figures; return the seconds per parsed item."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        fmt = detect_format(list(itertools.islice(handle, 50)))
    csv_time, rows = time_it(lambda: bare_csv(path), repeat)
    outcome: list[tuple[int, int]] = []
    parse_time, _ = time_it(lambda: outcome.append(parse_file(path)) or 0, repeat)
    records, rejections = outcome[-1]
    items = records + rejections
    print(f"{name}: {fmt.description}")
    print(f"  bare csv.reader : {rows / csv_time:>12,.0f} rows/s     ({csv_time:.2f} s)")
    print(
        f"  detect + parse  : {items / parse_time:>12,.0f} records/s  ({parse_time:.2f} s, "
        f"{records:,} records, {rejections:,} rejections)"
    )
    print(
        f"  parse / csv     : {csv_time / parse_time:>12.2f} "
        f"(parse takes {parse_time / csv_time:.1f}x the time of csv.reader)"
    )
    if memory:
        print(f"  peak traced mem : {peak_memory(path) / 1024:>12,.0f} KiB during the parse")
    return parse_time / max(items, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--layout", choices=("default-27", "socket-20", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=1, help="best of N timed runs")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc pass")
    parser.add_argument("--asterisk", action="store_true", help="also the Asterisk sample")
    parser.add_argument(
        "--other-pbx", action="store_true", help="also CUCM, Avaya, Panasonic, UCM, Yeastar"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="parse_cdr_") as folder:
        default = Path(folder) / "cdr-default-27.log"
        started = time.perf_counter()
        write_default(default, args.lines)
        elapsed = time.perf_counter() - started
        size = default.stat().st_size
        print(
            f"generated {args.lines:,} 3CX lines ({size / 1e6:,.0f} MB) in {elapsed:.2f} s: "
            f"{args.lines / elapsed:,.0f} lines/s written (generator + file)"
        )
        started = time.perf_counter()
        generated = sum(
            1
            for _ in threecx_lines(
                args.lines, seed=1, start=datetime(2024, 1, 1), client_codes=CLIENT_CODES
            )
        )
        elapsed = time.perf_counter() - started
        print(f"generator alone: {generated / elapsed:,.0f} lines/s")
        threecx_per_record = None
        if args.layout in ("default-27", "both") or args.other_pbx:
            threecx_per_record = bench("default-27", default, args.repeat, not args.no_memory)
        if args.layout in ("socket-20", "both"):
            socket = Path(folder) / "cdr-socket-20.log"
            write_socket(default, socket)
            bench("socket-20", socket, args.repeat, not args.no_memory)
        if args.asterisk:
            if ASTERISK_SAMPLE.is_file():
                asterisk = Path(folder) / "Master.csv"
                write_asterisk(asterisk, args.lines)
                bench("asterisk", asterisk, args.repeat, not args.no_memory)
            else:
                print(f"asterisk: sample {ASTERISK_SAMPLE} missing, skipped")
        if args.other_pbx and threecx_per_record:
            for name, sample, head in OTHER_PBX:
                other = Path(folder) / f"{name}.txt"
                write_other(other, sample, head, args.lines)
                per_record = bench(name, other, args.repeat, False)
                print(
                    f"  per record vs 3CX: {per_record / threecx_per_record:>11.2f} "
                    f"({per_record * 1e6:.2f} us vs {threecx_per_record * 1e6:.2f} us)"
                )
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"process peak RSS: {peak_rss / 1024:,.0f} MiB (ru_maxrss)")


if __name__ == "__main__":
    main()
