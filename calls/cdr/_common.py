"""Helpers shared by the CDR parsers: converting values (times, numbers, types and status),
building records, identity. Reading physical records is ``_reading``, re-exported here so the
parsers import their helpers from one place."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from inspect import signature

from calls.limits import CALL_SECONDS_MAX, COST_DECIMAL_PLACES, COST_LIMIT, COST_QUANTUM

from ._reading import (  # noqa: F401 - re-exported for the parsers
    BOM,
    RawRecord,
    convert_records,
    join_raw,
    read_records,
    strip_newline,
    unreadable,
    unreadable_line,
    wrong_count,
)
from .reasons import english, show  # noqa: F401 - show re-exported for the parsers
from .records import CdrRecord, CdrRejection


class FieldError(ValueError):
    """A field's value is wrong: the field's name, the reason's code (calls.cdr.reasons) and its
    parameters (the field's name among them)."""

    def __init__(self, field: str, code: str, **params: object):
        self.field, self.code, self.params = field, code, {"field": field, **params}
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        return english(self.code, self.params)

    def rejection(self, line_number: int, raw: str) -> CdrRejection:
        return CdrRejection(line_number, raw, self.field, self.code, self.params)


# --- times ---------------------------------------------------------------------------------------

_CLOCK = r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?)?"
_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _CLOCK)
_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})" + _CLOCK)
_OFFSET = re.compile(r"(.*?)\s*(Z|[+-]\d{2}:?\d{2})$", re.IGNORECASE)


def localize(naive: datetime, tz: tzinfo) -> datetime:
    """Attach ``tz`` to a naive local time; ambiguous or missing DST times resolve with fold=0."""
    localize_method = getattr(tz, "localize", None)  # pytz zones
    if localize_method is not None:
        return localize_method(naive, is_dst=True)
    return naive.replace(tzinfo=tz, fold=0)


def parse_time(text: str, tz: tzinfo, *, date_only: bool = False) -> datetime | None:
    """Parse a date-time written as 3CX, Asterisk or a spreadsheet writes it; return aware UTC.

    Accepted: ISO 8601 (with or without offset), 'YYYY-MM-DD HH:MM:SS', 'YYYY/MM/DD HH:MM:SS',
    'DD/MM/YYYY HH:MM[:SS]' (also with '-' or '.'). Times without an offset are local times in
    ``tz``. Returns None when the text is not such a date and time (or, with ``date_only``, a date
    without time is accepted and returned at midnight).
    """
    text = text.strip()
    if not text:
        return None
    offset: timedelta | None = None
    match = _OFFSET.fullmatch(text)
    if match and re.search(r"\d:\d\d", match.group(1)):
        text, sign = match.group(1), match.group(2).upper()
        if sign == "Z":
            offset = timedelta(0)
        else:
            digits = sign[1:].replace(":", "")
            offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            if sign[0] == "-":
                offset = -offset
    parts = None
    ymd = _YMD.fullmatch(text)
    if ymd:
        year, month, day, hour, minute, second, frac = ymd.groups()
        parts = (year, month, day, hour, minute, second, frac)
    else:
        dmy = _DMY.fullmatch(text)
        if dmy:
            day, month, year, hour, minute, second, frac = dmy.groups()
            parts = (year, month, day, hour, minute, second, frac)
    if parts is None:
        return None
    year, month, day, hour, minute, second, frac = parts
    if hour is None and not date_only:
        return None
    try:
        naive = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((frac or "0").ljust(6, "0")),
        )
    except ValueError:
        return None
    try:
        if offset is not None:
            return naive.replace(tzinfo=timezone(offset)).astimezone(UTC)
        return localize(naive, tz).astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01 00:00 in Rome is before the first UTC day
        return None


def _fromisoformat_takes_hour_24() -> bool:
    """Whether this Python's fromisoformat reads hour 24 (as the next midnight; 3.11 does not)."""
    try:
        datetime.fromisoformat("2000-01-01 24:00:00")
    except ValueError:
        return False
    return True


FROMISOFORMAT_TAKES_HOUR_24 = _fromisoformat_takes_hour_24()
_fromisoformat = datetime.fromisoformat


def fast_time(value: str, tz: tzinfo) -> datetime | None:
    """``parse_time(value, tz)`` for the one shape 'YYYY-MM-DD HH:MM:SS'; None for any other.

    The separators are checked here, the digits and the ranges by datetime.fromisoformat (which
    for this shape accepts exactly what parse_time accepts, ASCII digits only: a value it refuses
    gives None, and the caller then asks parse_time, which has the last word).
    """
    if (
        len(value) != 19
        or value[4::3] != "-- ::"
        or (FROMISOFORMAT_TAKES_HOUR_24 and value[11:13] == "24")
    ):
        return None
    try:
        return localize(_fromisoformat(value), tz).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


class LocalTimes:
    """``fast_time(value, tz)``, faster: 'YYYY-MM-DD HH:MM:SS' local to ``tz`` as aware UTC,
    None for any other shape (the caller then asks parse_time, as after fast_time).

    The zone's offset is looked up once per local hour (the first 13 characters) and kept:
    it is the same at the hour's first and last second in every zone whose changes fall on
    the hour (DST, all of Europe); an hour where the two differ is converted value by value
    by ``fast_time``. The result is always ``fast_time``'s (tests/calls/cdr/test_fast_paths.py).
    """

    def __init__(self, tz: tzinfo):
        self.tz = tz
        self._offsets: dict[str, timedelta | None] = {}

    def convert(self, value: str) -> datetime | None:
        """The conversion (a bound ``convert`` is a little quicker to call than the object)."""
        if (
            len(value) != 19
            or value[4::3] != "-- ::"
            or (FROMISOFORMAT_TAKES_HOUR_24 and value[11:13] == "24")
        ):
            return None
        hour = value[:13]
        offset = self._offsets.get(hour, _UNKNOWN)
        if offset is not _UNKNOWN and offset is not None:  # the usual: an hour seen before
            try:  # the local time's digits read as UTC, then moved by the hour's offset
                return _fromisoformat(value + "+00:00") - offset
            except (ValueError, OverflowError):
                return None
        try:
            moment = _fromisoformat(value + "+00:00")
        except ValueError:
            return None
        if offset is _UNKNOWN:
            offset = self._offset(moment.replace(tzinfo=None))
            if len(self._offsets) >= 4096:
                self._offsets.clear()
            self._offsets[hour] = offset
        if offset is None:
            return fast_time(value, self.tz)
        try:
            return moment - offset
        except OverflowError:
            return None

    __call__ = convert

    def _offset(self, naive: datetime) -> timedelta | None:
        try:
            first = localize(naive.replace(minute=0, second=0), self.tz).utcoffset()
            last = localize(naive.replace(minute=59, second=59), self.tz).utcoffset()
        except (ValueError, OverflowError):  # pragma: no cover - a zone that refuses it
            return None
        return first if first == last and first is not None else None


_UNKNOWN = object()


@functools.lru_cache(maxsize=16)
def local_times(tz: tzinfo) -> LocalTimes:
    """The LocalTimes of ``tz``, made once (a parser's record function calls this)."""
    return LocalTimes(tz)


def required_time(field: str, value: str, tz: tzinfo) -> datetime:
    parsed = parse_time(value, tz)
    if parsed is None:
        if not value.strip():
            raise FieldError(field, "time_empty")
        raise FieldError(field, "not_a_date", value=show(value))
    return parsed


def optional_time(field: str, value: str, tz: tzinfo) -> datetime | None:
    if not value.strip():
        return None
    return required_time(field, value, tz)


_DELTAS = tuple(timedelta(seconds=second) for second in range(3600))


def seconds(count: int) -> timedelta:
    """``timedelta(seconds=count)``, made once for counts under an hour (making one takes
    several times as long as this look-up)."""
    return _DELTAS[count] if 0 <= count < 3600 else timedelta(seconds=count)


def ring_seconds(start: datetime, answered: datetime | None, end: datetime | None) -> int:
    until = answered or end
    if until is None:
        return 0
    delta = until - start
    if delta.microseconds:
        return max(0, int(delta.total_seconds()))
    seconds = delta.days * 86400 + delta.seconds  # whole seconds: the same, sooner
    return seconds if seconds > 0 else 0


# --- numbers -------------------------------------------------------------------------------------

# More digits than any real duration or count holds (and far fewer than int() refuses).
DIGITS_MAX = 18
# A count of seconds with fewer digits than CALL_SECONDS_MAX is always within a call.
_FEWER_DIGITS_THAN_A_WEEK = len(str(CALL_SECONDS_MAX))
_HMS = re.compile(r"(\d+):([0-5]?\d):([0-5]?\d)(?:[.,]\d+)?")
_MS = re.compile(r"([0-5]?\d):([0-5]?\d)")
_SECONDS = re.compile(r"(\d+)(?:[.,]\d+)?")


def hms_seconds(field: str, value: str) -> int:
    """'HH:MM:SS' (hours may exceed 24) to seconds; '' is 0."""
    value = value.strip()
    if not value:
        return 0
    match = _HMS.fullmatch(value)
    if not match:
        raise FieldError(field, "not_hms", value=show(value))
    if len(match.group(1)) > DIGITS_MAX:  # int() refuses 4,300 digits; no call lasts so long
        raise FieldError(field, "not_hms", value=show(value))
    hours, minutes, seconds = (int(group) for group in match.groups())
    return within_a_call(field, value, hours * 3600 + minutes * 60 + seconds)


def whole_seconds(field: str, value: str) -> int:
    """A trimmed count of seconds, ASCII digits only; '' is 0."""
    if value.isdigit() and value.isascii() and len(value) < _FEWER_DIGITS_THAN_A_WEEK:
        return int(value)
    if not value:
        return 0
    if not value.isascii() or not value.isdigit() or len(value) > DIGITS_MAX:
        raise FieldError(field, "not_whole_seconds", value=show(value))
    return within_a_call(field, value, int(value))


def within_a_call(field: str, value: str, seconds: int) -> int:
    """``seconds``, unless more than a call may last (calls.limits.CALL_SECONDS_MAX)."""
    if seconds > CALL_SECONDS_MAX:
        raise FieldError(field, "longer_than_a_call", value=show(value), max=CALL_SECONDS_MAX)
    return seconds


@functools.lru_cache(maxsize=4096)  # durations repeat
def flexible_seconds(field: str, value: str) -> int:
    """Seconds written as '75', '75.0', '1:15' or '0:01:15'; '' is 0."""
    if value.isdigit() and value.isascii() and len(value) < _FEWER_DIGITS_THAN_A_WEEK:
        return int(value)  # the usual: plain seconds, fewer than a call may last
    value = value.strip()
    if not value:
        return 0
    for pattern, factors in ((_SECONDS, (1,)), (_MS, (60, 1)), (_HMS, (3600, 60, 1))):
        match = pattern.fullmatch(value)
        if match and len(match.group(1)) <= DIGITS_MAX:
            seconds = sum(int(g) * f for g, f in zip(match.groups(), factors, strict=True))
            return within_a_call(field, value, seconds)
    raise FieldError(field, "not_a_duration", value=show(value))


def money(field: str, value: str) -> Decimal | None:
    """A cost such as '5.12' or '5,12' (Italian); '' is None."""
    value = value.strip().replace("€", "").replace("EUR", "").strip()
    if not value:
        return None
    if "," in value and "." not in value:
        value = value.replace(",", ".")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise FieldError(field, "not_a_number", value=show(value))
    if not -COST_LIMIT < amount < COST_LIMIT:
        raise FieldError(field, "cost_too_large", value=show(value), limit=COST_LIMIT)
    if amount.as_tuple().exponent < -COST_DECIMAL_PLACES:  # the column keeps 4 decimals
        amount = amount.quantize(COST_QUANTUM, ROUND_HALF_UP)
    return amount


def digits_only(value: str) -> str:
    """The value when it is all ASCII digits, else ''."""
    value = value.strip()
    return value if value.isascii() and value.isdigit() else ""


def strip_ext(number: str) -> str:
    """'Ext.114' -> '114'; anything else unchanged (but trimmed)."""
    number = number.strip()
    if number[:4].lower() == "ext.":
        return number[4:].strip()
    return number


# --- types and status ----------------------------------------------------------------------------


def _key(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


_EXTENSION_TYPES = {"internal", "extension"}
_LINE_TYPES = {"external", "line", "externalline", "trunk"}
_QUEUE_TYPES = {"queue"}
# Words seen as 3CX type values (v16 Internal/External, v20 Extension/Line/Queue, and the
# lowercase v20 Update 6 entity types); used to find the type fields when detecting a layout.
TYPE_WORDS = (
    _EXTENSION_TYPES
    | _LINE_TYPES
    | _QUEUE_TYPES
    | {
        "ringgroup",
        "ivr",
        "voicemail",
        "fax",
        "conference",
        "parking",
        "script",
        "routepoint",
        "unknown",
        "specialmenu",
        "other",
    }
)


@functools.lru_cache(maxsize=1024)  # a few words, read on every record
def normalise_type(value: str) -> str:
    key = _key(value)
    if not key:
        return ""
    if key in _EXTENSION_TYPES:
        return "extension"
    if key in _LINE_TYPES:
        return "line"
    if key in _QUEUE_TYPES:
        return "queue"
    return "other"


def is_type_word(value: str) -> bool:
    return _key(value) in TYPE_WORDS


# 3CX reasons that end a conversation normally; used only when a layout has neither
# time-answered nor duration, so nothing says whether the call was answered.
_NORMAL_ENDINGS = {
    "terminatedbysrc",
    "terminatedbydst",
    "srcparticipantterminated",
    "dstparticipantterminated",
}
_FAILED_MARKS = (
    "fail",
    "noroute",
    "notavailable",
    "unavailable",
    "notfound",
    "notregistered",
    "error",
    "congestion",
    "invalid",
    "prohibited",
    "disabled",
    "licenselimit",
    "forwardingloop",
    "nodestinations",
    "blacklisted",
    "noaccess",
)
_BUSY_MARKS = ("busy", "rejected", "declined")
_NO_ANSWER_MARKS = ("cancelled", "canceled", "noanswer", "timeout", "abandon", "missed")


def threecx_status(reason: str, answered: bool | None) -> str:
    """Status of a 3CX record.

    The answer time (or talk time) decides first: an answered leg is 'answered' whatever ended
    it. Otherwise the reason decides: busy/rejected/declined -> 'busy'; 'Failed',
    'NoRouteExists', 'NotAvailable' and the v20 failure details -> 'failed'; everything else
    ('Failed_Cancelled', 'TerminatedBySrc' before an answer, 'cancelled', 'continued_in',
    'redirected', ...) -> 'no_answer'. ``answered`` is None when the layout has neither
    time-answered nor duration; then the normal endings count as answered.
    """
    key = _key(reason)
    if answered:
        return "answered"
    if answered is None and key in _NORMAL_ENDINGS:
        return "answered"
    if any(mark in key for mark in _BUSY_MARKS):
        return "busy"
    if key in ("failedcancelled", "failedcanceled"):
        return "no_answer"
    if any(mark in key for mark in _FAILED_MARKS):
        return "failed"
    return "no_answer"


_DISPOSITIONS = {
    "answered": "answered",
    "answer": "answered",
    "risposta": "answered",
    "risposto": "answered",
    "noanswer": "no_answer",
    "notanswered": "no_answer",
    "unanswered": "no_answer",
    "nonrisposta": "no_answer",
    "nonrisposto": "no_answer",
    "persa": "no_answer",
    "missed": "no_answer",
    "busy": "busy",
    "occupato": "busy",
    "failed": "failed",
    "fallita": "failed",
    "congestion": "failed",
}


@functools.lru_cache(maxsize=4096)  # a few words, read on every record
def disposition_status(disposition: str, answered: bool | None) -> str:
    """Status from an Asterisk disposition (or a spreadsheet's status column).

    ANSWERED -> 'answered', NO ANSWER -> 'no_answer', BUSY -> 'busy', FAILED and CONGESTION ->
    'failed' (and the Italian words risposta / non risposta / occupato / fallita). The
    disposition wins over the answer time. Other words go through ``threecx_status``; an empty
    disposition falls back to whether the call was answered.
    """
    key = _key(disposition)
    if key in _DISPOSITIONS:
        return _DISPOSITIONS[key]
    if not key:
        return "answered" if answered else "no_answer"
    return threecx_status(disposition, answered)


# --- building records ----------------------------------------------------------------------------


class _OpenCdrRecord:
    """CdrRecord's slots without the frozen dataclass machinery, to fill a record quickly."""

    __slots__ = CdrRecord.__slots__


def make_record(
    line_number: int,
    raw: str,
    pbx_call_id: str,
    start: datetime,
    answered: datetime | None,
    end: datetime | None,
    talk_seconds: int,
    ring_seconds: int,
    caller: str,
    caller_name: str,
    caller_type: str,
    called: str,
    called_type: str,
    dialled: str,
    final_number: str,
    final_type: str,
    trunk_identifier: str,
    billing_code: str,
    cost: Decimal | None,
    status: str,
    termination: str,
    leg_group: str = "",
) -> CdrRecord:
    """``CdrRecord(...)`` with the same positional arguments, about six times faster.

    The frozen dataclass's __init__ sets each of the 21 fields through object.__setattr__
    (about 2.3 us a record, a third of the 3CX parser's time). Here the fields are set on an
    object of a plain class with the very same slots, which then becomes a CdrRecord (a
    __class__ change CPython allows between classes of identical layout, and checks). The result
    is an ordinary CdrRecord: same type, fields, equality, hash, repr, and frozen afterwards.
    """
    record = _new_object(_OpenCdrRecord)
    record.line_number = line_number
    record.raw = raw
    record.pbx_call_id = pbx_call_id
    record.start = start
    record.answered = answered
    record.end = end
    record.talk_seconds = talk_seconds
    record.ring_seconds = ring_seconds
    record.caller = caller
    record.caller_name = caller_name
    record.caller_type = caller_type
    record.called = called
    record.called_type = called_type
    record.dialled = dialled
    record.final_number = final_number
    record.final_type = final_type
    record.trunk_identifier = trunk_identifier
    record.billing_code = billing_code
    record.cost = cost
    record.status = status
    record.termination = termination
    record.leg_group = leg_group
    record.__class__ = CdrRecord  # type: ignore[assignment]
    return record  # type: ignore[return-value]


_new_object = object.__new__


def _check_make_record() -> bool:
    """Whether make_record builds exactly what CdrRecord builds (else CdrRecord is used)."""
    names = [field.name for field in dataclasses.fields(CdrRecord)]
    values = [f"value {position}" for position in range(len(names))]
    try:
        made = make_record(*values)  # type: ignore[arg-type]
    except TypeError:  # pragma: no cover - a Python that refuses the __class__ change
        return False
    return (
        list(signature(make_record).parameters) == names
        and type(made) is CdrRecord
        and made == CdrRecord(*values)  # type: ignore[arg-type]
    )


if not _check_make_record():  # pragma: no cover
    make_record = CdrRecord  # type: ignore[assignment]  # noqa: F811


# --- identity ------------------------------------------------------------------------------------


def short_hash(fields: Iterable[str]) -> str:
    """12 hex digits of the sha1 of the fields (trimmed, joined by the unit separator)."""
    return stripped_hash([field.strip() for field in fields])


def stripped_hash(values: list[str]) -> str:
    """``short_hash`` of fields already trimmed."""
    return hashlib.sha1("\x1f".join(values).encode("utf-8")).hexdigest()[:12]


class RunCounter:
    """Tells apart identical records written next to each other (e.g. forked Asterisk dials).

    Within a run of consecutive records sharing a group key, the n-th record with the same
    digest gets the suffix ':n' (none for the first). Identical records far apart (a file that
    holds the same rows twice) keep the same id, as the same call read again should.
    """

    def __init__(self) -> None:
        self._group: str | None = None
        self._seen: dict[str, int] = {}

    def suffix(self, group: str, digest: str) -> str:
        if group != self._group:
            self._group = group
            self._seen = {}
        count = self._seen.get(digest, 0) + 1
        self._seen[digest] = count
        return "" if count == 1 else f":{count}"
