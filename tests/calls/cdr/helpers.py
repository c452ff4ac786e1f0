"""Small helpers for the CDR parser tests."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable
from pathlib import Path

from calls.cdr import THREECX_FIELDS, CdrRecord, CdrRejection, detect_format, parse
from tests.conftest import ROME

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "cdr"


def lines_of(text: str) -> list[str]:
    """The text as the lines ``open(..., newline='')`` would give (line endings kept)."""
    return text.splitlines(keepends=True)


def split(items: Iterable[CdrRecord | CdrRejection]) -> tuple[list, list]:
    items = list(items)
    records = [item for item in items if isinstance(item, CdrRecord)]
    rejections = [item for item in items if isinstance(item, CdrRejection)]
    assert len(records) + len(rejections) == len(items)
    return records, rejections


def read_file(path: Path, tz=ROME):
    """Detect and parse a file the way the importer does: two passes over the open file."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        fmt = detect_format(list(itertools.islice(handle, 50)))
    with open(path, encoding="utf-8-sig", newline="") as handle:
        records, rejections = split(parse(handle, fmt, tz))
    return fmt, records, rejections


def only(items: Iterable):
    items = list(items)
    assert len(items) == 1, items
    return items[0]


# Call 9748 of the v16 sample: an outbound call through trunk 10001.
OUTBOUND = {
    "historyid": "Call 9748",
    "callid": "00000171DEE71559_2510",
    "duration": "00:05:07",
    "time-start": "2020/05/04 10:56:58",
    "time-answered": "2020/05/04 10:57:03",
    "time-end": "2020/05/04 11:02:10",
    "reason-terminated": "TerminatedByDst",
    "from-no": "Ext.114",
    "to-no": "0232354095",
    "from-dn": "114",
    "to-dn": "10001",
    "dial-no": "0232354095",
    "bill-rate": "1",
    "bill-cost": "5.12",
    "bill-name": "default",
    "chain": "Chain: Ext.114,0232354095,",
    "from-type": "Internal",
    "to-type": "External",
    "final-type": "External",
    "from-dispname": "from disp",
    "to-dispname": "to disp",
    "final-dispname": "fin disp",
}


def threecx_line(layout=THREECX_FIELDS, end="\n", **changes):
    """A 3CX record in ``layout`` from the outbound call, with changes (keys use '_' for '-')."""
    values = dict(OUTBOUND)
    values.update({key.replace("_", "-"): value for key, value in changes.items()})
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=end).writerow([values.get(name, "") for name in layout])
    return buffer.getvalue()
