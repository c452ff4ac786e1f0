"""Panasonic KX-TDA / KX-TDE / KX-NS SMDR printout (Station Message Detail Recording).

Vendor documentation: Panasonic KX-NS1000 Feature Guide, "Record Log Features" (SMDR,
patterns A, B and C, page 222), and the KX-TDA100/200 Feature Guide, "Administrative
Information Output Features" (1.24, SMDR): the explanation of each item, the condition codes.
Sample printout lines are in tests/fixtures/cdr/panasonic-smdr-kx-ns.txt (see SOURCES.md).

The PBX prints (to its serial port, or over the network to a terminal that logs in with the
SMDR password) fixed-width text, 80 or 120 columns, with a page header repeated every page::

    Date     Time    Ext   CO  Dial Number          Ring Duration  Acc code   CD
    --------------------------------------------------------------------------
    01/02/02 10:07AM 1200  01  <I>                  0'05 00:01'05  9876543210

Items: date (``dd/mm/yy`` as Italian PBXs are set; ``mm/dd/yy`` with ``month_first``),
time ``h:mmAM`` — the time the call ENDED, to the minute —, extension, CO (trunk) number,
dial number (the number dialled; for an incoming call ``<I>`` + the caller's number or name,
after ``<D>`` + the DDI when shown; ``EXT1235`` an intercom call), ring time ``m'ss`` (incoming
calls), duration ``hh:mm'ss``, a cost in pattern B/C, the account code (up to 10 digits:
``billing_code``) and a condition code (CD: TR transfer, FW forward, NA no answer, AN answer,
RC receive, ...). Columns are found by their shape, not their position, so every pattern and
column width reads the same.

Lines that are no call are counted as skipped (``CdrSkip``): the page header, separator lines,
and the log-in/log-out, check-in/out, "In the office" and timed reminder lines the PBX prints
among the calls. A line starting with a date that cannot be read is rejected.

Times: local, read in the zone the caller passes. end = date + time; start = end - duration -
ring; answered = end - duration when the call has a duration.

Direction: ``<I>`` -> inbound (the caller is a line); ``EXT…`` -> internal; else outbound. The
CO number is the trunk (``trunk_identifier``, as printed: '01').

Identity: no call id is printed: ``pbx_call_id`` is 'pana:' + 12 hex digits of the sha1 of the
line's items, ':2', ':3'… for identical lines next to each other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, tzinfo
from hashlib import sha1 as _sha1

from ._common import (
    _DELTAS,
    BOM,
    FieldError,
    RunCounter,
    localize,
    make_record,
    money,
    seconds,
    show,
    strip_newline,
    within_a_call,
)
from .records import CdrRecord, CdrRejection, CdrSkip

_RECORD = re.compile(
    r"\s*(?P<date>\d{1,2}/\d{1,2}/\d{2,4})\s+"
    r"(?P<time>\*?\d{1,2}:\d{2}\s?[AaPp][Mm])\s+"
    r"(?P<ext>\S+)\s+"
    r"(?P<co>\d{1,4})\s+"
    r"(?P<dial>.*?)"
    r"(?:\s+(?P<ring>\d{1,2}'\d{2}))?"
    r"\s+(?P<duration>\d{1,2}:\d{2}'\d{2})"
    r"(?:\s+(?P<cost>\d+\.\d+[A-Z]*))?"
    r"(?:\s+(?P<account>[0-9]{1,10}))?"
    r"(?:\s+(?P<cd>[A-Z]{2}))?\s*"
)
_DATED = re.compile(r"\s*\d{1,2}/\d{1,2}/\d{2,4}\s")
_HEADER_WORDS = ("date", "time", "ext", "co")
_NOT_CALLS = (
    "log in",
    "log out",
    "in the office",
    "check in",
    "check out",
    "timed reminder",
    "absent",
)


def is_page_header(line: str) -> bool:
    words = line.lower().split()
    return words[:4] == list(_HEADER_WORDS) and "duration" in words


def is_separator(line: str) -> bool:
    text = line.strip()
    return bool(text) and set(text) <= set("-=_ *\f")


def looks_like_panasonic_line(line: str) -> bool:
    return _RECORD.fullmatch(strip_newline(line)) is not None


def month_first_from(lines: list[str]) -> bool:
    """Whether the dates of these lines are mm/dd/yy: only when one could not be dd/mm."""
    for line in lines:
        match = _RECORD.fullmatch(strip_newline(line))
        if match:
            first, second = (int(part) for part in match.group("date").split("/")[:2])
            if first > 12:
                return False
            if second > 12:
                return True
    return False


def describe(month_first: bool) -> str:
    order = "mm/dd/yy" if month_first else "dd/mm/yy"
    return f"Panasonic SMDR printout, dates {order}"


def parse_panasonic_smdr(
    lines: Iterable[str], tz: tzinfo, *, month_first: bool = False
) -> Iterator[CdrRecord | CdrRejection | CdrSkip]:
    """Read an SMDR printout; one item per non-blank line."""
    fullmatch = _RECORD.fullmatch
    record = _Converter(tz, month_first)
    for number, line in enumerate(lines, start=1):
        # strip_newline, inline: the line without its '\r\n', '\n' or '\r'
        if line[-1:] == "\n":
            text = line[:-2] if line[-2:-1] == "\r" else line[:-1]
        elif line[-1:] == "\r":
            text = line[:-1]
        else:
            text = line
        if number == 1:
            text = text.lstrip(BOM)
        if not text.strip() or not text.strip("\f\x00 \t"):
            continue
        match = fullmatch(text)
        if match is None:
            if is_page_header(text) or is_separator(text):
                yield CdrSkip(number, text, "page header")
            elif _DATED.match(text):
                if any(word in text.lower() for word in _NOT_CALLS):
                    yield CdrSkip(number, text, "not a call")
                else:
                    yield _wrong_count(number, text)
            else:
                yield _wrong_count(number, text)
            continue
        dial = match.group("dial").strip()
        if dial.lower().startswith(_NOT_CALLS):
            yield CdrSkip(number, text, "not a call")
            continue
        try:
            yield record(number, text, match, dial)
        except FieldError as error:
            yield error.rejection(number, text)


_ITEMS = "7 to 10"


def _wrong_count(number: int, text: str) -> CdrRejection:
    return CdrRejection(number, text, "", "wrong_count", {"expected": _ITEMS, "got": _count(text)})


def _count(text: str) -> int:
    return len(text.split())


def _local_uncached(date_text: str, time_text: str, month_first: bool, tz: tzinfo) -> datetime:
    parts = date_text.split("/")
    day, month = (parts[1], parts[0]) if month_first else (parts[0], parts[1])
    year = int(parts[2])
    if year < 100:
        year += 2000
    clock = time_text.lstrip("*").replace(" ", "").upper()
    hour, minute = int(clock[:-2].split(":")[0]), int(clock[:-2].split(":")[1])
    if not 1 <= hour <= 12:
        raise FieldError("Time", "not_a_date", value=show(time_text))
    hour = hour % 12 + (12 if clock.endswith("PM") else 0)
    try:
        naive = datetime(year, int(month), int(day), hour, minute)
    except ValueError:
        raise FieldError("Date", "not_a_date", value=show(date_text)) from None
    try:
        return localize(naive, tz).astimezone(UTC)
    except OverflowError:  # pragma: no cover - years 2000-2099 only
        raise FieldError("Date", "not_a_date", value=show(date_text)) from None


def _ring(value: str | None) -> int:
    if not value:
        return 0
    minutes, seconds = value.split("'")
    if int(seconds) > 59:
        raise FieldError("Ring", "not_a_duration", value=show(value))
    return int(minutes) * 60 + int(seconds)


def _duration(value: str) -> int:
    clock, seconds = value.split("'")
    hours, minutes = clock.split(":")
    if int(minutes) > 59 or int(seconds) > 59:
        raise FieldError("Duration", "not_a_duration", value=show(value))
    total = int(hours) * 3600 + int(minutes) * 60 + int(seconds)
    return within_a_call("Duration", value, total)


def _incoming(dial: str) -> tuple[str, str, str]:
    """'<D>CDE9876<I>Q COMPANY' -> (caller number, caller name, DDI)."""
    ddi = ""
    if dial.startswith("<D>"):
        ddi, _, dial = dial[3:].partition("<I>")
    else:
        dial = dial[3:]
    caller = dial.strip()
    digits = caller.replace(" ", "")
    if digits.lstrip("+").isdigit():
        return digits, "", ddi.strip()
    return "", caller, ddi.strip()


class _Converter:
    """Makes a matched line's CdrRecord; what repeats from line to line (the minute the call
    ended, durations, ring times) is converted once per printout."""

    def __init__(self, tz: tzinfo, month_first: bool):
        self.tz, self.month_first = tz, month_first
        self.runs = RunCounter()
        self.ends: dict[tuple[str, str], datetime] = {}
        self.durations: dict[str, int] = {}
        self.rings: dict[str | None, int] = {}

    def __call__(self, number: int, text: str, match: re.Match, dial: str) -> CdrRecord:
        groups = match.groups("")  # the optional groups (ring, cost, account, cd) as ''
        date_text, time_text, ext, co, _dial, ring_text, duration, cost_text, account, cd = groups
        end = self.ends.get((date_text, time_text))
        if end is None:
            end = _local_uncached(date_text, time_text, self.month_first, self.tz)
            _remember(self.ends, (date_text, time_text), end)
        talk = self.durations.get(duration)
        if talk is None:
            talk = _duration(duration)
            _remember(self.durations, duration, talk)
        ring = self.rings.get(ring_text)
        if ring is None:
            ring = _ring(ring_text)
            _remember(self.rings, ring_text, ring)
        answered = (end - (_DELTAS[talk] if talk < 3600 else seconds(talk))) if talk else None
        total = talk + ring
        start = end - (_DELTAS[total] if total < 3600 else seconds(total))
        cost = money("Cost", cost_text.rstrip(_CAPITALS)) if cost_text else None
        condition = cd
        digest = _sha1("\x1f".join(groups).encode()).hexdigest()[:12]  # stripped_hash(groups)

        if dial.startswith(("<I>", "<D>")):
            caller, caller_name, ddi = _incoming(dial)
            caller_type, called_type, called = "line", "extension", ddi or ext
            dialled = called
        elif dial.upper().startswith("EXT"):
            caller, caller_name = ext, ""
            caller_type = called_type = "extension"
            called = dialled = dial[3:].strip()
        else:
            caller, caller_name = ext, ""
            caller_type, called_type = "extension", "line"
            called = dialled = dial.rstrip("-")
        if talk or condition == "AN":
            status = "answered"
        else:
            status = "no_answer"
        return make_record(
            number, text, f"pana:{digest}{self.runs.suffix(digest, digest)}",
            start, answered, end, talk, ring,
            caller, caller_name, caller_type, called, called_type, dialled, "", "",
            co, account, cost, status, condition,
        )  # fmt: skip


_CAPITALS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _remember(cache: dict, key: object, value: object) -> None:
    if len(cache) >= 4096:
        cache.clear()
    cache[key] = value
