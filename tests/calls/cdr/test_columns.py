"""The one reader of the header-driven CSV formats (calls/cdr/_columns.py) and the quick
conversions beside it: each quick way gives exactly what the general way gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from calls.cdr import CdrRejection, CdrSkip, NotCdrError
from calls.cdr._columns import Columns, plain_key
from calls.cdr._common import (
    _HMS,
    _MS,
    _SECONDS,
    FieldError,
    flexible_seconds,
    local_times,
    parse_time,
    ring_seconds,
    seconds,
    stripped_hash,
    whole_seconds,
)
from calls.cdr.cisco_cucm import epoch_time, parse_cisco_cucm
from calls.cdr.grandstream_ucm import parse_grandstream_ucm
from calls.cdr.headered_csv import HeaderedRules, _columns
from calls.cdr.yeastar import parse_yeastar
from tests.conftest import ROME

from .helpers import lines_of


class Row(NamedTuple):
    start: str
    called: str
    code: str


def test_columns_find_each_role_once_by_its_first_present_alias():
    names = ["Start", " Called ", "start", "Code"]
    columns = Columns(names, plain_key, {"start": ("start",), "called": ("to", "called")})

    assert columns.roles == {"start": 0, "called": 1}  # the first 'start' column wins
    assert columns.name("called") == " Called " and columns.name("code") == "code"
    pick = columns.picker(Row)
    fields = [" 2024-12-02 10:00:00 ", " 0612345678", "late", "114"]
    row = pick(" ".join(fields), fields)
    assert row == Row("2024-12-02 10:00:00", "0612345678", "")  # 'code' is no role here
    assert fields == [" 2024-12-02 10:00:00 ", " 0612345678", "late", "114"]  # untouched


def test_a_record_with_no_white_space_is_picked_as_it_is():
    columns = Columns(["start", "called", "code"], plain_key, {r: (r,) for r in Row._fields})
    pick = columns.picker(Row)

    assert pick("1,2,3", ["1", "2", "3"]) == Row("1", "2", "3")
    assert pick("1, 2,3", ["1", " 2", "3"]) == Row("1", "2", "3")


@pytest.mark.parametrize(
    ("parse", "header"),
    [
        (parse_yeastar, "Time,Call From,Call To,PIN Code"),
        (parse_grandstream_ucm, "AcctId,src,dst,start"),
        (
            lambda lines, tz: parse_cisco_cucm(lines),
            "cdrRecordType,globalCallID_callId,dateTimeOrigination",
        ),
    ],
)
def test_every_header_driven_format_reads_a_semicolon_header_as_detection_does(parse, header):
    """The header's delimiter is taken from it for every format (as detect_format takes it)."""
    items = list(parse(lines_of(header.replace(",", ";") + "\n\nx;x\n"), ROME))

    assert [(type(item), item.line_number) for item in items] == [(CdrRejection, 3)]
    assert (items[0].code, items[0].params["expected"]) == ("wrong_count", header.count(",") + 1)


@pytest.mark.parametrize(
    "parse", [parse_yeastar, parse_grandstream_ucm, lambda lines, tz: parse_cisco_cucm(lines)]
)
def test_an_empty_or_headerless_file_is_no_cdr(parse):
    with pytest.raises(NotCdrError) as empty:
        parse(lines_of("\n  \n\ufeff\n"), ROME)
    with pytest.raises(NotCdrError) as other:
        parse(lines_of("a,b,c\n1,2,3\n"), ROME)

    assert (empty.value.code, other.value.code) == ("file_empty", "header_without_calls")


def test_a_cucm_types_row_with_the_header_count_or_another_is_skipped():
    header = "cdrRecordType,globalCallID_callId,dateTimeOrigination"
    items = list(parse_cisco_cucm(lines_of(f"{header}\nINTEGER,INTEGER,INTEGER\nINTEGER\n")))

    assert [type(item) for item in items] == [CdrSkip, CdrSkip]


# --- quick conversions against the general ones --------------------------------------------------

ZONES = [ROME, ZoneInfo("America/New_York"), ZoneInfo("Australia/Lord_Howe"), UTC]


def _general_seconds(value: str) -> int:
    """flexible_seconds as it was, by its regular expressions only."""
    value = value.strip()
    if not value:
        return 0
    for pattern, factors in ((_SECONDS, (1,)), (_MS, (60, 1)), (_HMS, (3600, 60, 1))):
        match = pattern.fullmatch(value)
        if match and len(match.group(1)) <= 18:
            total = sum(int(g) * f for g, f in zip(match.groups(), factors, strict=True))
            if total > 7 * 86400:
                raise FieldError("x", "longer_than_a_call")
            return total
    raise FieldError("x", "not_a_duration")


@settings(max_examples=400, deadline=None)
@given(value=st.one_of(st.integers(0, 10**7).map(str), st.text("0123456789 :.,٣x", max_size=9)))
@example(value="604800")
@example(value="604801")
@example(value="99999")
def test_plain_seconds_read_as_the_regular_expressions_read_them(value):
    outcomes = []
    for reader in (lambda v: flexible_seconds("x", v), _general_seconds):
        try:
            outcomes.append(reader(value))
        except FieldError as error:
            outcomes.append(error.code)
    assert outcomes[0] == outcomes[1]
    if value.isascii() and value.isdigit():
        try:
            assert whole_seconds("x", value) == outcomes[1]
        except FieldError as error:
            assert error.code == outcomes[1]


@given(count=st.integers(0, 10**6))
def test_seconds_is_timedelta(count):
    assert seconds(count) == timedelta(seconds=count)


@given(
    start=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1)),
    after=st.one_of(st.none(), st.timedeltas(timedelta(days=-3), timedelta(days=3))),
    end=st.one_of(st.none(), st.timedeltas(timedelta(days=-3), timedelta(days=3))),
)
def test_ring_seconds_is_the_whole_seconds_until_the_answer_or_the_end(start, after, end):
    answered = None if after is None else start + after
    ended = None if end is None else start + end
    until = answered or ended
    expected = 0 if until is None else max(0, int((until - start).total_seconds()))

    assert ring_seconds(start, answered, ended) == expected


@given(value=st.integers(0, 99_999_999_999))
def test_epoch_times_are_seconds_since_1970(value):
    expected = None if value == 0 else datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=value)

    assert epoch_time("t", str(value)) == expected


@settings(max_examples=400, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    moment=st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
    shape=st.sampled_from(
        ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S"]
    ),
    damage=st.sampled_from(["", "x", "9", "/", " "]),
    where=st.integers(0, 18),
)
@example(zone=ROME, moment=datetime(2024, 3, 31, 2, 30), shape="%d/%m/%Y %H:%M", damage="", where=0)
def test_headered_csv_quick_dates_are_parse_time(zone, moment, shape, damage, where):
    text = moment.strftime(shape)
    if damage:
        text = text[:where] + damage + text[where + 1 :]
    rules = HeaderedRules(_columns(["start", "to"]), zone)

    quick = rules._time(text)

    assert quick is None or quick == parse_time(text, zone)
    assert quick is None or quick.tzinfo is UTC
    if not damage and moment.year > 1900:
        assert quick == parse_time(text, zone)  # the usual shapes take the quick way


def test_local_times_convert_is_the_call():
    local = local_times(ROME)

    assert local.convert("2024-12-02 10:00:00") == local("2024-12-02 10:00:00")
    assert local.convert("2024-12-02 10:00:00") == datetime(2024, 12, 2, 9, tzinfo=UTC)


@settings(max_examples=200)
@given(st.lists(st.tuples(st.text(max_size=8), st.text(max_size=8)), min_size=1, max_size=6))
@example([("Call From", "1001 "), ("PIN", "\u00a0123\t")])
def test_a_row_digest_is_the_stripped_hash_of_its_key_value_texts(pairs):
    """The digest (an id stored with each call) stays what it was: the sha1 of
    'key=value' for each column, the value's end trimmed, joined by the unit separator."""
    names = [name for name, _ in pairs]
    values = [value for _, value in pairs]
    columns = Columns(names, plain_key, {})
    expected = stripped_hash(
        [f"{plain_key(name).strip()}={value.rstrip()}" for name, value in pairs]
    )
    assert columns.row_digest(values) == expected
    with pytest.raises(ValueError):
        columns.row_digest([*values, ""])
