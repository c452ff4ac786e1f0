"""The parsers' fast paths give exactly what the general paths give.

Each fast path (splitting quote-free lines without csv, reading a quoted line alone with a
strict csv.reader, 'YYYY/MM/DD HH:MM:SS' times read by fromisoformat, cached conversions, the
quick CdrRecord construction) is compared with a reference: the general code it short-cuts, as
the parsers ran it before the fast paths existed, on random valid and invalid input.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from calls.cdr import (
    ASTERISK_LAYOUTS,
    THREECX_LAYOUTS,
    CdrRecord,
    CdrRejection,
    _common,
    asterisk,
    parse_asterisk,
    parse_layout,
    parse_threecx,
    threecx,
)
from calls.cdr._common import (
    FieldError,
    RawRecord,
    RunCounter,
    join_raw,
    make_record,
    read_records,
)
from calls.cdr._reading import _LineSource
from calls.cdr.synthetic import threecx_lines

from .helpers import OUTBOUND, ROME

# --- references: the general code as it ran before the fast paths --------------------------


def reference_read_records(lines, *, delimiter=",", is_record_start=None):
    """read_records before the fast paths: every line through one csv.reader."""
    if isinstance(lines, str):
        lines = lines.splitlines(keepends=True)
    source = _LineSource(lines)
    reader = csv.reader(source, delimiter=delimiter)
    while True:
        source.taken = []
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            taken = source.taken
            if taken and "".join(text for _, text in taken).strip():
                yield RawRecord(taken[0][0], join_raw(taken), None, f"unreadable CSV: {exc}")
            continue
        taken = source.taken
        if not taken or not "".join(text for _, text in taken).strip():
            continue
        if len(taken) > 1 and is_record_start is not None:
            cut = next(
                (i for i in range(1, len(taken)) if is_record_start(taken[i][1])),
                None,
            )
            if cut is not None:
                source.push_back(taken[cut:])
                yield RawRecord(
                    taken[0][0],
                    join_raw(taken[:cut]),
                    None,
                    f"a quote opened in this record is never closed "
                    f"(the record runs into the next one at line {taken[cut][0]})",
                )
                continue
        yield RawRecord(taken[0][0], join_raw(taken), fields)


def reference_parse_threecx(lines, layout):
    """parse_threecx before the fast paths: reference_read_records, then threecx._record."""
    index = {name: position for position, name in enumerate(layout)}
    start_check = threecx.looks_like_threecx_record if layout[0] == "historyid" else None
    runs = RunCounter()
    for raw in reference_read_records(lines, is_record_start=start_check):
        if raw.fields is None:
            yield CdrRejection(raw.line_number, raw.raw, "", raw.error)
            continue
        fields = raw.fields
        if len(fields) == len(layout) + 1 and not fields[-1].strip():
            fields = fields[:-1]
        if len(fields) != len(layout):
            got = len(raw.fields)
            yield CdrRejection(
                raw.line_number, raw.raw, "", f"expected {len(layout)} fields, got {got}"
            )
            continue
        try:
            yield threecx._record(raw, fields, index, runs)
        except FieldError as error:
            yield CdrRejection(raw.line_number, raw.raw, error.field, error.reason)


def _reference_digit_count(number):
    compact = re.sub(r"[\s\-./()]", "", number).removeprefix("+")
    return len(compact) if compact.isdigit() else None


def _reference_is_outgoing(src, dst, dcontext):
    context = dcontext.lower()
    if any(word in context for word in asterisk._INCOMING_CONTEXTS):
        return False
    if any(word in context for word in asterisk._OUTGOING_CONTEXTS):
        return True
    src_digits, dst_digits = _reference_digit_count(src), _reference_digit_count(dst)
    return (
        src_digits is not None
        and 1 <= src_digits <= 6
        and dst_digits is not None
        and dst_digits >= 7
    )


def reference_parse_asterisk(lines, columns, tz):
    """parse_asterisk before the fast paths."""
    index = {name: position for position, name in enumerate(columns)}
    runs = RunCounter()
    for raw in reference_read_records(lines):
        if raw.fields is None:
            yield CdrRejection(raw.line_number, raw.raw, "", raw.error)
            continue
        if len(raw.fields) != len(columns):
            yield CdrRejection(
                raw.line_number,
                raw.raw,
                "",
                f"expected {len(columns)} fields, got {len(raw.fields)}",
            )
            continue
        try:
            yield _reference_asterisk_record(raw, index, tz, runs)
        except FieldError as error:
            yield CdrRejection(raw.line_number, raw.raw, error.field, error.reason)


def _reference_asterisk_record(raw, index, tz, runs):
    fields = raw.fields

    def get(name):
        position = index.get(name)
        return "" if position is None else fields[position].strip()

    def seconds(name):
        value = get(name)
        if name not in index:
            return 0
        if not value.isascii() or not value.isdigit():
            raise FieldError(name, f"field {name} '{value}' is not a whole number of seconds")
        return int(value)

    start = _common.required_time("start", get("start"), tz)
    answered = _common.optional_time("answer", get("answer"), tz)
    end = _common.optional_time("end", get("end"), tz)
    seconds("duration")
    talk = seconds("billsec")
    digest = _common.short_hash(fields)
    uniqueid = get("uniqueid")
    if uniqueid:
        call_id = f"ast:{uniqueid}:{digest}{runs.suffix(uniqueid, digest)}"
    else:
        call_id = f"ast:{digest}{runs.suffix(digest, digest)}"
    src, dst = get("src"), get("dst")
    outgoing = _reference_is_outgoing(src, dst, get("dcontext"))
    trunk = get("dstchannel") if outgoing else get("channel")
    disposition = get("disposition")
    return CdrRecord(
        line_number=raw.line_number,
        raw=raw.raw,
        pbx_call_id=call_id,
        start=start,
        answered=answered,
        end=end,
        talk_seconds=talk,
        ring_seconds=_common.ring_seconds(start, answered, end),
        caller=src,
        caller_name=asterisk.caller_name(get("clid"), src),
        caller_type="",
        called=dst,
        called_type="",
        dialled=dst,
        final_number="",
        final_type="",
        trunk_identifier=trunk,
        billing_code=_common.digits_only(get("accountcode")),
        cost=None,
        status=_common.disposition_status(disposition, answered is not None or talk > 0),
        termination=disposition,
    )


def assert_same(items, expected):
    assert items == expected
    for item in items:  # equal datetimes could still differ in their zone object
        if isinstance(item, CdrRecord):
            assert {t.tzinfo for t in (item.start, item.answered, item.end) if t} <= {UTC}


# --- random input ----------------------------------------------------------------------------

DIGITS = "0123456789"


@st.composite
def time_texts(draw, date_separator="/"):
    """Times as 3CX (or Asterisk) writes them, often slightly or badly wrong."""
    moment = draw(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)))
    parts = [
        f"{moment.year:04d}",
        f"{moment.month:02d}",
        f"{moment.day:02d}",
        f"{moment.hour:02d}",
        f"{moment.minute:02d}",
        f"{moment.second:02d}",
    ]
    separators = [date_separator, date_separator, " ", ":", ":"]
    for _ in range(draw(st.integers(0, 2))):  # damage: a part or a separator replaced
        if draw(st.booleans()):
            parts[draw(st.integers(0, 5))] = draw(
                st.sampled_from(["00", "13", "24", "29", "30", "31", "60", "99", "1", "٣٣", "1a"])
                | st.text(DIGITS + " ", min_size=1, max_size=3)
            )
        else:
            separators[draw(st.integers(0, 4))] = draw(
                st.sampled_from(["/", "-", ".", " ", "T", ",", ":", "x", "", "  ", "W"])
            )
    text = parts[0]
    for separator, part in zip(separators, parts[1:], strict=True):
        text += separator + part
    suffix = draw(st.sampled_from(["", "", "", ".5", ".123456789", "Z", "+02:00", " "]))
    prefix = draw(st.sampled_from(["", "", "", " "]))
    return prefix + text + suffix


any_time = st.one_of(
    time_texts(),
    time_texts(date_separator="-"),
    st.just(""),
    st.text(DIGITS + "/:- T.,+Z٣W", max_size=22),
)
durations = st.one_of(
    st.just(""),
    st.builds(
        "{:02d}:{:02d}:{:02d}".format, st.integers(0, 30), st.integers(0, 59), st.integers(0, 59)
    ),
    st.sampled_from(["25:00:01", "0:5:7", "00:60:00", "5 min", " 00:01:00 ", "00:01:00.5", "1:2"]),
    st.text(DIGITS + ":., a", max_size=9),
)
costs = st.one_of(
    st.sampled_from(
        ["", "", "5.12", "0.07", "5,12", "€ 3", " 1.5 ", "cinque", "NaN", "inf", "1e3"]
    ),
    st.text(DIGITS + ".,-€ ", max_size=6),
)
types = st.sampled_from(
    [
        "Internal",
        "External",
        "Extension",
        "Line",
        "Queue",
        "ring_group",
        "",
        " Internal ",
        "external_line",
        "EXTENSION",
        "xyz",
        "Ivr",
    ]
)
numbers = st.one_of(
    st.sampled_from(
        [
            "Ext.114",
            "ext.114",
            "EXT. 114",
            " Ext.114 ",
            "0232354095",
            "",
            "  ",
            "Ext.",
            "Ex",
            "MakeCall",
            "+46703014082",
            "eXt.9",
        ]
    ),
    st.text("Ext.0123456789 +İ", max_size=10),
)
histories = st.one_of(
    st.integers(0, 10**12).map("Call {}".format),
    st.sampled_from(
        [
            "Call 9748",
            "Call 0",
            "Call 007",
            "call 5",
            "CALL 5",
            "Call  5",
            " Call 5 ",
            "Call ٣",
            "Call 5x",
            "Call ",
            "Chiamata 5",
            "Call\t5",
            "Call ²",
        ]
    ),
)
reasons = st.sampled_from(
    [
        "TerminatedBySrc",
        "TerminatedByDst",
        "Failed",
        "Failed_Cancelled",
        "NoRouteExists",
        "RouteBusy",
        "NotAvailable",
        " Failed ",
        "",
        "cancelled",
        "redirected",
        "dst_participant_terminated",
    ]
)
plain = st.text("abcXYZ 0123456789.;:-_", max_size=8)
bill_codes = st.sampled_from(["", "", "114", " 0042 ", "12a", "٣", "default"])


valid_times = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 1, 1)).map(
    lambda moment: moment.strftime("%Y/%m/%d %H:%M:%S")
)
# values every fast path takes, varied; and any values, valid or not
VALID = {
    "historyid": st.integers(1, 10**9).map("Call {}".format),
    "duration": st.one_of(
        st.just(""),
        st.builds(
            "{:02d}:{:02d}:{:02d}".format,
            st.integers(0, 30),
            st.integers(0, 59),
            st.integers(0, 59),
        ),
    ),
    "time-start": valid_times,
    "time-answered": st.one_of(st.just(""), valid_times),
    "time-end": st.one_of(st.just(""), valid_times),
    "reason-terminated": reasons,
    "from-no": st.sampled_from(["Ext.114", "0232354095", "", "+46703014082", "MakeCall"]),
    "to-no": st.sampled_from(["Ext.114", "0232354095", "", "EndCall"]),
    "final-number": st.sampled_from(["Ext.185", "0232354095", ""]),
    "bill-code": st.sampled_from(["", "114", "default"]),
    "bill-cost": st.sampled_from(["", "5.12", "0.43"]),
    "from-type": types,
    "to-type": types,
    "final-type": types,
}
WILD = {
    "historyid": histories,
    "duration": durations,
    "time-start": any_time,
    "time-answered": st.one_of(st.just(""), any_time),
    "time-end": any_time,
    "from-no": numbers,
    "to-no": numbers,
    "final-number": numbers,
    "bill-code": bill_codes,
    "bill-cost": costs,
    "from-dn": plain,
    "to-dn": plain,
    "dial-no": plain,
    "from-dispname": plain,
}


@st.composite
def threecx_values(draw):
    """A record's values: valid ones, then up to three of them replaced by any value."""
    values = dict(OUTBOUND)
    values.update({name: draw(strategy) for name, strategy in VALID.items()})
    for name in draw(st.sets(st.sampled_from(sorted(WILD)), max_size=3)):
        values[name] = draw(WILD[name])
    return values


def good_values():
    """Values every fast path takes (the sample's outbound call)."""
    values = dict(OUTBOUND)
    values.update({"time-answered": OUTBOUND["time-start"]})
    return values


LAYOUTS = [
    THREECX_LAYOUTS["default-27"],
    THREECX_LAYOUTS["socket-20"],
    THREECX_LAYOUTS["27-missed-queue-after-chain"],
    THREECX_LAYOUTS["22-no-billing"],
    parse_layout("historyid time-start time-end reason-terminated from-no to-no to-dn"),
    parse_layout("time-start from-no to-no duration"),
]


def threecx_text(layout, values, end="\n"):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=end).writerow([values.get(name, "") for name in layout])
    return buffer.getvalue()


# --- 3CX records -------------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(
    layout=st.sampled_from(LAYOUTS),
    records=st.lists(threecx_values(), min_size=1, max_size=6),
    end=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_3cx_records_read_as_the_general_path_reads_them(layout, records, end):
    lines = [threecx_text(layout, values, end) for values in records]

    assert_same(list(parse_threecx(lines, layout)), list(reference_parse_threecx(lines, layout)))


@settings(max_examples=400, deadline=None)
@given(start=any_time, answered=st.one_of(st.just(""), any_time), end=any_time)
@example(start="2020/05/04 24:00:00", answered="", end="")
@example(start="2020/02/30 10:00:00", answered="", end="")
@example(start="0000/01/01 10:00:00", answered="", end="")
@example(start="2020/05/04 10:00:0٣", answered="", end="")
@example(start="2020-05-04 10:56:58", answered="2020/05/04T10:57:03", end="2020/5/4 11:2:10")
@example(start="2020/05/04 10:56:58", answered="2020/05/04 10:56:58", end="2020/05/04 10:56:57")
@example(start="2020/05/04 10:56:58", answered="", end="2020/05/04 10:56:55")  # ends before
@example(start="2020/05/04 10:56:58", answered="2020/05/05 10:56:59", end="")  # a day later
@example(start="2020/W19/1 10:56:58", answered="", end="")
@example(start="20200504T105658.123", answered="", end="")
@example(start="2020/05/04x10:56:58", answered="", end="")
def test_3cx_times_fast_and_general_agree(start, answered, end):
    """The 'YYYY/MM/DD HH:MM:SS' fast path reads a time exactly as parse_time does."""
    values = good_values()
    values.update({"time-start": start, "time-answered": answered, "time-end": end})
    for layout in (THREECX_LAYOUTS["default-27"], THREECX_LAYOUTS["socket-20"]):
        line = threecx_text(layout, values)
        items = list(parse_threecx([line], layout))
        assert_same(items, list(reference_parse_threecx([line], layout)))


def test_the_good_values_take_the_fast_path(monkeypatch):
    """The examples above exercise the fast path: the general one is not called for them."""
    values = good_values()
    monkeypatch.setattr(threecx, "_record", None)  # calling it would fail

    record = list(parse_threecx([threecx_text(LAYOUTS[0], values)], LAYOUTS[0]))[0]

    assert isinstance(record, CdrRecord)
    assert record.start == record.answered == datetime(2020, 5, 4, 10, 56, 58, tzinfo=UTC)
    assert record.start.tzinfo is UTC


@pytest.mark.parametrize(
    "time",
    ["2020/05/04 24:00:00", "2020/13/04 10:00:00", "2020/02/30 10:00:00", "2020/05/04 10:60:00"],
)
def test_an_impossible_time_in_the_usual_shape_is_rejected_as_before(time):
    line = threecx_text(LAYOUTS[0], {**good_values(), "time-end": time})

    rejection = list(parse_threecx([line], LAYOUTS[0]))[0]

    assert rejection == CdrRejection(
        1, line.rstrip("\n"), "time-end", f"field time-end '{time}' is not a date"
    )


@settings(max_examples=100, deadline=None)
@given(records=st.lists(threecx_values(), min_size=5, max_size=20))
def test_full_caches_start_again_without_changing_results(records):
    layout = LAYOUTS[0]
    lines = [threecx_text(layout, values) for values in records]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(threecx, "_CACHE_LIMIT", 2)
        patch.setattr(threecx, "_NUMBER_CACHE_LIMIT", 2)
        items = list(parse_threecx(lines, layout))

    assert_same(items, list(reference_parse_threecx(lines, layout)))


def test_many_distinct_values_keep_the_caches_bounded(monkeypatch):
    monkeypatch.setattr(threecx, "_CACHE_LIMIT", 50)
    monkeypatch.setattr(threecx, "_NUMBER_CACHE_LIMIT", 100)
    lines = threecx_lines(20000, start=datetime(2024, 1, 1), client_codes=["1"])
    convert = threecx._converter({name: n for n, name in enumerate(LAYOUTS[0])}, RunCounter())

    items = list(_common.convert_records(lines, convert, threecx._unreadable))

    assert len(items) == 20000 and all(isinstance(item, CdrRecord) for item in items)
    caches = [cell.cell_contents for cell in convert.__closure__ or ()]
    caches = [cache for cache in caches if isinstance(cache, dict) and cache is not convert]
    sizes = sorted(len(cache) for cache in caches)
    assert len(sizes) >= 5 and sizes[-1] <= 100 and 0 < sizes[-1]


# --- reading lines -------------------------------------------------------------------------------

line_pieces = st.sampled_from(
    [
        '"',
        '""',
        ",",
        ";",
        "\t",
        " ",
        "a",
        "Call 1,",
        "x y",
        "\r",
        "\n",
        "\r\n",
        "\ufeff",
        "\x00",
        "é",
        '"a,b"',
        'Call 2,"open',
        "\u2028",
        "\x85",
    ]
)
raw_lines = st.lists(
    st.one_of(
        st.text('ab,;\t "\r\n\ufeff\x00é', max_size=12),
        st.lists(line_pieces, max_size=6).map("".join),
    ),
    max_size=8,
)


@settings(max_examples=500, deadline=None)
@given(
    lines=raw_lines,
    delimiter=st.sampled_from([",", ";", "\t", " "]),
    record_start=st.booleans(),
)
def test_records_are_read_as_csv_reader_reads_them(lines, delimiter, record_start):
    check = threecx.looks_like_threecx_record if record_start else None

    got = list(read_records(lines, delimiter=delimiter, is_record_start=check))
    expected = list(reference_read_records(lines, delimiter=delimiter, is_record_start=check))

    assert got == expected


def test_a_whole_text_is_read_as_lines():
    text = 'Call 1,a\r\nCall 2,"b\nc"\n\nCall 3,d'

    assert list(read_records(text)) == list(reference_read_records(text))


def test_a_line_longer_than_the_csv_field_limit_is_unreadable_as_before():
    lines = ["a," + "x" * (csv.field_size_limit() + 1) + "\n", "b,c\n"]

    got = list(read_records(lines))

    assert got == list(reference_read_records(lines))
    assert got[0].fields is None and "field larger than field limit" in got[0].error
    assert got[1].fields == ["b", "c"]


def test_a_bom_in_the_middle_of_a_file_is_dropped_at_a_line_start_only():
    lines = ["\ufeffa,b\n", "\ufeff\ufeffc,d\n", "e,\ufefff\n", '\ufeff"g",h\n']

    assert list(read_records(lines)) == list(reference_read_records(lines))


# --- Asterisk ----------------------------------------------------------------------------------

asterisk_numbers = st.one_of(
    st.sampled_from(
        [
            "201",
            "0612345678",
            "791-445-9811",
            "+39 06 1234 5678",
            "(06) 12.34",
            "",
            "s",
            "٣٣٣",
            "+",
            "12 34\t56",
        ]
    ),
    st.text("0123456789-+ ()./\x1c", max_size=12),
)


@st.composite
def asterisk_rows(draw):
    values = {
        "accountcode": draw(bill_codes),
        "src": draw(asterisk_numbers),
        "dst": draw(asterisk_numbers),
        "dcontext": draw(
            st.sampled_from(
                ["from-internal", "outrt-1", "from-trunk", "hq", "ext-did-0001", "Inbound", ""]
            )
        ),
        "clid": draw(
            st.sampled_from(
                ['"Avv. Bianchi" <201>', '"" <791-445-9811>', "201", "Rossi <0612>", ""]
            )
        ),
        "channel": draw(plain),
        "dstchannel": draw(plain),
        "lastapp": "Dial",
        "lastdata": draw(plain),
        "start": draw(time_texts(date_separator="-") | any_time),
        "answer": draw(st.one_of(st.just(""), time_texts(date_separator="-"), any_time)),
        "end": draw(time_texts(date_separator="-") | any_time),
        "duration": draw(st.sampled_from(["127", "0", "", " 5 ", "1.5", "x", "٣"])),
        "billsec": draw(st.sampled_from(["120", "0", "", "7", "-1", "٣"])),
        "disposition": draw(
            st.sampled_from(["ANSWERED", "NO ANSWER", "BUSY", "FAILED", "", "CONGESTION", "odd"])
        ),
        "amaflags": "DOCUMENTATION",
        "uniqueid": draw(st.sampled_from(["1705309200.17", "", "host-1.2"])),
        "userfield": "",
        "peeraccount": "",
        "linkedid": "1705309200.17",
        "sequence": "42",
    }
    return values


@settings(max_examples=300, deadline=None)
@given(
    columns=st.sampled_from(list(ASTERISK_LAYOUTS.values())),
    rows=st.lists(asterisk_rows(), min_size=1, max_size=5),
    quoting=st.sampled_from([csv.QUOTE_ALL, csv.QUOTE_MINIMAL]),
    zone=st.sampled_from([ROME, UTC, ZoneInfo("America/New_York")]),
)
def test_asterisk_records_read_as_the_general_path_reads_them(columns, rows, quoting, zone):
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=quoting, lineterminator="\n")
    for values in rows:
        writer.writerow([values[name] for name in columns])
    lines = buffer.getvalue().splitlines(keepends=True)

    assert list(parse_asterisk(lines, columns, zone)) == list(
        reference_parse_asterisk(lines, columns, zone)
    )


@settings(max_examples=500, deadline=None)
@given(value=time_texts(date_separator="-") | any_time, zone=st.sampled_from([ROME, UTC]))
@example(value="2024-03-31 02:30:00", zone=ROME)  # skipped by the spring change
@example(value="2024-10-27 02:30:00", zone=ROME)  # twice at the autumn change
@example(value="2024-01-01 24:00:00", zone=ROME)
def test_fast_time_is_parse_time_or_nothing(value, zone):
    fast = _common.fast_time(value, zone)

    assert fast is None or (fast == _common.parse_time(value, zone) and fast.tzinfo is UTC)
    if re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", value, re.ASCII):
        assert fast == _common.parse_time(value, zone)  # the usual shape: always the fast path


@given(st.text("0123456789-+ ()./\t\x0b\x1c\x1f\x85\u2009٣a", max_size=12))
def test_digit_count_is_the_regular_expression_one(number):
    assert asterisk._digit_count(number) == _reference_digit_count(number)


# --- building records --------------------------------------------------------------------------


def test_make_record_builds_the_same_frozen_cdr_record():
    names = [field.name for field in dataclasses.fields(CdrRecord)]
    values = [f"v{n}" for n in range(len(names))]
    values[names.index("cost")] = Decimal("1.5")

    made = make_record(*values)
    expected = CdrRecord(*values)

    assert type(made) is CdrRecord
    assert made == expected and hash(made) == hash(expected) and repr(made) == repr(expected)
    assert dataclasses.asdict(made) == dataclasses.asdict(expected)
    assert dataclasses.replace(made, raw="x") == dataclasses.replace(expected, raw="x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.raw = "changed"
