"""Benchmark: what the marker history costs the matcher, on one core, run by hand.

    .venv/bin/python bench/match_former_markers.py [--repeat 100] [--runs 5]

Parses the 3CX v16 sample (tests/fixtures/samples, 1,404 calls, one coded) once, repeats its
records ``--repeat`` times and times ``calls.matching.match_record`` over them with the marker
``##`` and no history, then with the history ``**``, ``*0`` (``MatchRules.former_markers``);
best of ``--runs``. Prints µs per record and the ratio. Target: the history costs under 10%
(a record whose numbers hold no ``*`` or ``#``, most of them, is not searched for a former
marker at all).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from calls.cdr import CdrRecord, detect_format, parse  # noqa: E402
from calls.dialing import DialPlan  # noqa: E402
from calls.matching import MatchRules, match_record  # noqa: E402

SAMPLE = ROOT / "tests" / "fixtures" / "samples" / "3cx" / "v16-excel-export-1404-calls.csv"


def best_seconds(records, rules, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        for record in records:
            match_record(record, rules)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with open(SAMPLE, encoding="utf-8-sig", newline="") as handle:
        fmt = detect_format(list(itertools.islice(handle, 50)))
    with open(SAMPLE, encoding="utf-8-sig", newline="") as handle:
        once = [item for item in parse(handle, fmt, ZoneInfo("Europe/Rome"))]
    records = [item for item in once if isinstance(item, CdrRecord)] * args.repeat
    plan = DialPlan(marker="##")
    plain = best_seconds(records, MatchRules(plan, {}), args.runs)
    history = best_seconds(records, MatchRules(plan, {}, former_markers=("**", "*0")), args.runs)
    for name, seconds in (("no history", plain), ("history ** *0", history)):
        print(
            f"  {name:14} {len(records):,} records  {seconds / len(records) * 1e6:5.2f} µs/record"
        )
    print(f"  ratio history / none: {history / plain:.2f} (target < 1.10)")


if __name__ == "__main__":
    main()
