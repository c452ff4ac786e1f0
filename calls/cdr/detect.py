"""Format detection: which parser and which field order a CDR file needs.

``detect_format`` looks at the first lines (about 50) of a file:

1. empty (or only blank lines), or binary ('%PDF', a ZIP/.xlsx, an old .xls, more than 1%
   NUL or control bytes; runs of NULs, as a power loss leaves them, do not count) ->
   NotCdrError saying so;
2. a first non-blank line that is a header naming a start time and a destination ->
   headered CSV;
3. lines starting 'Call <digits>,' -> 3CX. The layout is chosen by the most common field count
   (one extra, empty, trailing field is allowed) and, among the built-in layouts of that count,
   by where 3CX type words (Internal/External/Extension/Line/Queue/...) sit, then by how many
   head records each candidate would reject; ties keep the ``THREECX_LAYOUTS`` order;
4. 16 to 21 fields with a 'YYYY-MM-DD HH:MM:SS' date in the 10th (start) column -> Asterisk
   cdr_csv, columns by count (17 and 20: uniqueid or userfield, by the values);
5. anything else -> NotCdrError("no line looks like a 3CX, Asterisk or headered CSV call
   record ...").

Other PBXs, checked before the general rules: a header naming cdrRecordType and
globalCallID_callId -> Cisco CUCM CDR (a CUCM CMR header -> NotCallsError: the file holds call
quality records, no calls); a header naming AcctId, src, dst and start -> Grandstream UCM; a
header naming a time, call from, call to and a PIN code -> Yeastar; a Panasonic SMDR page
header, or lines shaped like its records (``dd/mm/yy h:mmAM ext co ... 00:01'05``) ->
Panasonic SMDR (dates mm/dd/yy only when one of them cannot be dd/mm); headerless CSV records
with 'YYYY/MM/DD HH:MM:SS', 'HH:MM:SS', ring seconds, caller and I/O in their first five
fields -> Avaya IP Office SMDR.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import tzinfo

from . import (
    asterisk,
    avaya_smdr,
    cisco_cucm,
    grandstream_ucm,
    headered_csv,
    panasonic_smdr,
    threecx,
    yeastar,
)
from ._columns import sniff_delimiter
from ._common import RawRecord, is_type_word, read_records, strip_newline
from .records import (
    CdrRecord,
    CdrRejection,
    CdrSkip,
    DetectedFormat,
    NotCallsError,
    NotCdrError,
    UnknownLayoutError,
)

# What a file starting with these bytes is (the reason's code, calls.cdr.reasons).
_BINARY_SIGNATURES = (
    ("%PDF", "binary_pdf"),
    ("PK\x03\x04", "binary_zip"),
    ("\xd0\xcf\x11\xe0", "binary_ole"),
    ("{\\rtf", "binary_rtf"),
)


# A run of NUL bytes, as a power loss leaves at the end of a file (also shown shortened in
# rejected lines: calls.importing.services.shown_nul).
NUL_RUN = re.compile("\x00{8,}")


def _check_binary(lines: list[str]) -> None:
    text = "".join(lines).lstrip("\ufeff")
    for signature, code in _BINARY_SIGNATURES:
        if text.startswith(signature):
            raise NotCdrError(code)
    # A few NUL bytes in a field, or a run of them where a power loss cut the file, are
    # damage to a text file: its lines are rejected one by one and the rest imported. Only
    # a file that is more than 1% such bytes is binary.
    text = NUL_RUN.sub("", text)
    nul = text.count("\x00")
    odd = sum(1 for char in text if (ord(char) < 32 and char not in "\t\r\n") or char == "\ufffd")
    if odd * 100 > len(text):
        if nul * 2 > odd:
            raise NotCdrError("binary_nul")
        raise NotCdrError("binary_control")


def _header_format(first_line: str) -> DetectedFormat | None:
    line = strip_newline(first_line).lstrip("\ufeff")
    try:
        names = next(csv.reader([line], delimiter=sniff_delimiter(line)))
    except (csv.Error, StopIteration):
        return None
    names = [name.strip().lstrip("\ufeff") for name in names]
    if cisco_cucm.is_cucm_header(names):
        if cisco_cucm.is_cmr_header(names):
            raise NotCallsError("cucm_cmr")
        return DetectedFormat("cisco_cucm", tuple(names), cisco_cucm.describe(names))
    if grandstream_ucm.is_ucm_header(names):
        return DetectedFormat("grandstream_ucm", tuple(names), grandstream_ucm.describe(names))
    if yeastar.is_yeastar_header(names):
        return DetectedFormat("yeastar", tuple(names), yeastar.describe(names))
    roles = headered_csv.map_header(names)
    if not headered_csv.is_cdr_header(roles):
        return None
    return DetectedFormat("headered_csv", tuple(names), headered_csv.describe(names, roles))


def detect_format(
    head: list[str], *, threecx_layout: tuple[str, ...] | None = None
) -> DetectedFormat:
    """Detect the format of a CDR file from its first raw text lines (about 50).

    ``threecx_layout`` (optional, e.g. from ``parse_layout``) is the field order an admin
    configured: used for 3CX files instead of guessing. Raises NotCdrError with the reason when
    the lines are not CDR records (UnknownLayoutError, a NotCdrError, for 3CX records of a field
    count no built-in layout has).
    """
    nonblank = [line for line in head if line.strip().lstrip("\ufeff").strip()]
    if not nonblank:
        raise NotCdrError("file_empty")
    _check_binary(head)
    header = _header_format(nonblank[0])
    if header is not None:
        return header
    panasonic = _panasonic_format(nonblank)
    if panasonic is not None:
        return panasonic
    records = list(read_records(head, is_record_start=threecx.looks_like_threecx_record))
    threecx_rows = [r for r in records if threecx.looks_like_threecx_record(r.raw)]
    asterisk_rows = [
        r for r in records if r.fields is not None and asterisk.looks_like_asterisk_fields(r.fields)
    ]
    avaya_rows = [
        r for r in records if r.fields is not None and avaya_smdr.looks_like_avaya_fields(r.fields)
    ]
    if threecx_rows and len(threecx_rows) >= max(len(asterisk_rows), len(avaya_rows)):
        return _threecx_format(threecx_rows, threecx_layout)
    if avaya_rows and len(avaya_rows) > len(asterisk_rows):
        _, same = _most_common_count(avaya_rows)
        count = len(same[0].fields or ())
        return DetectedFormat("avaya_smdr", (), avaya_smdr.describe(count))
    if asterisk_rows:
        return _asterisk_format(asterisk_rows)
    raise NotCdrError("no_call_records", line=repr(strip_newline(nonblank[0])[:80]))


def _panasonic_format(lines: list[str]) -> DetectedFormat | None:
    """A Panasonic SMDR printout: a page header among the lines, or most lines its records."""
    shaped = [line for line in lines if panasonic_smdr.looks_like_panasonic_line(line)]
    headed = any(panasonic_smdr.is_page_header(strip_newline(line)) for line in lines)
    if not headed and (not shaped or len(shaped) * 2 < len(lines)):
        return None
    month_first = panasonic_smdr.month_first_from(shaped)
    order = "mm/dd/yy" if month_first else "dd/mm/yy"
    return DetectedFormat("panasonic_smdr", (order,), panasonic_smdr.describe(month_first))


def _most_common_count(rows: list[RawRecord]) -> tuple[int, list[RawRecord]]:
    readable = [row for row in rows if row.fields is not None]
    if not readable:
        raise NotCdrError("records_not_csv")
    count = Counter(len(row.fields or ()) for row in readable).most_common(1)[0][0]
    return count, [row for row in readable if len(row.fields or ()) == count]


def _threecx_format(rows: list[RawRecord], configured: tuple[str, ...] | None) -> DetectedFormat:
    if configured is not None:
        layout = threecx.check_layout(tuple(configured))
        return DetectedFormat(
            "threecx", layout, f"3CX CDR, {len(layout)} fields (configured order)"
        )
    count, same = _most_common_count(rows)
    trailing_empty = all(not (row.fields or [""])[-1].strip() for row in same)
    candidates = [
        (name, layout)
        for name, layout in threecx.THREECX_LAYOUTS.items()
        if len(layout) == count or (trailing_empty and len(layout) == count - 1)
    ]
    if not candidates:
        sizes = sorted({len(layout) for layout in threecx.THREECX_LAYOUTS.values()})
        raise UnknownLayoutError(
            "unknown_threecx_layout", count=count, sizes=", ".join(map(str, sizes))
        )

    def score(candidate: tuple[str, tuple[str, ...]]) -> tuple[int, int]:
        _, layout = candidate
        positions = [
            layout.index(name) for name in ("from-type", "to-type", "final-type") if name in layout
        ]
        type_words = sum(
            1
            for row in same
            for position in positions
            if is_type_word((row.fields or [])[position])
        )
        parsed = threecx.parse_threecx((row.raw + "\n" for row in same), layout)
        rejections = sum(1 for item in parsed if isinstance(item, CdrRejection))
        return type_words, -rejections

    name, layout = max(candidates, key=score)
    description = f"3CX CDR, {len(layout)} fields ({threecx.LAYOUT_DESCRIPTIONS[name]})"
    return DetectedFormat("threecx", layout, description)


def _asterisk_format(rows: list[RawRecord]) -> DetectedFormat:
    _, same = _most_common_count(rows)
    columns = asterisk.columns_for([row.fields or [] for row in same])
    if columns is None:  # pragma: no cover - every count 16..21 has a layout
        raise NotCdrError("asterisk_unknown_columns")
    return DetectedFormat("asterisk", columns, asterisk.describe(columns))


def parse(
    lines: Iterable[str], fmt: DetectedFormat, tz: tzinfo
) -> Iterator[CdrRecord | CdrRejection | CdrSkip]:
    """Parse ``lines`` (the whole file, head included) with the parser ``fmt`` names."""
    if fmt.name == "threecx":
        return threecx.parse_threecx(lines, fmt.layout)
    if fmt.name == "asterisk":
        return asterisk.parse_asterisk(lines, fmt.layout, tz)
    if fmt.name == "headered_csv":
        return headered_csv.parse_headered_csv(lines, tz)
    if fmt.name == "cisco_cucm":
        return cisco_cucm.parse_cisco_cucm(lines)
    if fmt.name == "avaya_smdr":
        return avaya_smdr.parse_avaya_smdr(lines, tz)
    if fmt.name == "panasonic_smdr":
        month_first = fmt.layout[:1] == ("mm/dd/yy",)
        return panasonic_smdr.parse_panasonic_smdr(lines, tz, month_first=month_first)
    if fmt.name == "grandstream_ucm":
        return grandstream_ucm.parse_grandstream_ucm(lines, tz)
    if fmt.name == "yeastar":
        return yeastar.parse_yeastar(lines, tz)
    raise ValueError(f"unknown CDR format {fmt.name!r}")
