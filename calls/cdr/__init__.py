"""Reading call detail records (CDR) written by a PBX: 3CX, Asterisk cdr_csv, headered CSV,
Cisco CUCM, Avaya IP Office SMDR, Panasonic SMDR, Grandstream UCM, Yeastar.

Pure Python (standard library only). Typical use::

    with open(path, encoding="utf-8-sig", newline="") as handle:
        head = list(itertools.islice(handle, 50))
    fmt = detect_format(head)                      # NotCdrError when it is no CDR file
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for item in parse(handle, fmt, ZoneInfo("Europe/Rome")):
            ...                                    # CdrRecord or CdrRejection

Every non-blank record gives exactly one CdrRecord, one CdrRejection or (a page header, a
record that is no call) one CdrSkip.
"""

from .asterisk import ASTERISK_COLUMNS, ASTERISK_LAYOUTS, parse_asterisk
from .detect import detect_format, parse
from .headered_csv import COLUMN_ALIASES, parse_headered_csv
from .records import (
    STATUSES,
    TYPES,
    CdrRecord,
    CdrRejection,
    CdrSkip,
    DetectedFormat,
    NotCallsError,
    NotCdrError,
    UnknownLayoutError,
)
from .threecx import THREECX_FIELDS, THREECX_LAYOUTS, parse_layout, parse_threecx

__all__ = [
    "ASTERISK_COLUMNS",
    "ASTERISK_LAYOUTS",
    "COLUMN_ALIASES",
    "STATUSES",
    "THREECX_FIELDS",
    "THREECX_LAYOUTS",
    "TYPES",
    "CdrRecord",
    "CdrRejection",
    "CdrSkip",
    "DetectedFormat",
    "NotCallsError",
    "NotCdrError",
    "UnknownLayoutError",
    "detect_format",
    "parse",
    "parse_asterisk",
    "parse_headered_csv",
    "parse_layout",
    "parse_threecx",
]
