"""The synthetic 3CX generator: realistic, parseable, deterministic lines."""

import csv
import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone

import pytest

from calls.cdr import THREECX_LAYOUTS, CdrRecord, detect_format, parse_threecx
from calls.cdr.synthetic import threecx_lines

from .helpers import split

DEFAULT = THREECX_LAYOUTS["default-27"]
SOCKET = THREECX_LAYOUTS["socket-20"]
START = datetime(2024, 3, 1, 8, 30)
CODES = ("114", "2001", "42")
COUNT = 5000


def generate(count=COUNT, **changes):
    arguments = {"seed": 7, "start": START, "client_codes": CODES, **changes}
    return list(threecx_lines(count, **arguments))


@pytest.fixture(scope="module")
def lines():
    return generate()


@pytest.fixture(scope="module")
def records(lines):
    records, rejections = split(parse_threecx(lines, DEFAULT))
    assert rejections == []
    return records


def test_every_line_is_one_default_27_record_ending_with_a_newline(lines):
    assert len(lines) == COUNT
    assert all(line.endswith("\n") and line.count("\n") == 1 for line in lines)
    assert all(len(row) == 27 for row in csv.reader(lines))


@pytest.mark.parametrize("seed", [0, 1, 2, 12345])
def test_every_generated_line_parses_without_rejection(seed):
    items = list(parse_threecx(generate(seed=seed), DEFAULT))

    assert len(items) == COUNT
    assert all(isinstance(item, CdrRecord) for item in items)


def test_cut_to_the_socket_order_every_line_parses_in_socket_20(lines):
    rows = [",".join(row[:20]) + "\n" for row in csv.reader(lines) if "," not in row[19]]

    records, rejections = split(parse_threecx(rows, SOCKET))

    assert rejections == [] and len(records) == len(rows) > COUNT * 0.9


@pytest.mark.parametrize("seed", [0, 3, 99])
def test_a_head_of_generated_lines_is_detected_as_the_default_order(seed):
    fmt = detect_format(
        list(itertools.islice(threecx_lines(50, seed=seed, start=START, client_codes=CODES), 50))
    )

    assert fmt.name == "threecx"
    assert fmt.layout == DEFAULT
    assert fmt.description == "3CX CDR, 27 fields (default order)"


def test_history_ids_are_consecutive_from_the_first_one(records):
    more = generate(10, first_history_id=9744)

    assert [r.pbx_call_id for r in records] == [f"3cx:{n}" for n in range(1, COUNT + 1)]
    assert [line.split(",")[0] for line in more] == [f"Call {n}" for n in range(9744, 9754)]


def test_callids_are_unique_and_shaped_like_3cx_ones(lines):
    callids = [line.split(",")[1] for line in lines]

    assert len(set(callids)) == COUNT
    assert all(len(c.split("_")[0]) == 16 and c.split("_")[1].isdigit() for c in callids)


def test_the_coded_share_of_all_lines_carries_a_code_as_3cx_writes_it(records):
    coded = [r for r in records if r.billing_code]

    assert len(coded) == 1047  # the exact count for seed 7
    assert abs(len(coded) - 0.2 * COUNT) < 4 * (COUNT * 0.2 * 0.8) ** 0.5
    for record in coded:
        number, code = record.dialled.split("**")
        assert code == record.billing_code and code in CODES
        assert number == record.called and record.called_type == "line"
        assert record.caller_type == "extension" and record.trunk_identifier in ("10000", "10001")
    assert all("**" not in r.dialled for r in records if not r.billing_code)


@pytest.mark.parametrize("share", [0.0, 0.05, 0.5, 1.0])
def test_the_coded_share_can_be_chosen(share):
    records, _ = split(parse_threecx(generate(2000, coded_share=share), DEFAULT))

    coded = sum(1 for r in records if r.billing_code)
    assert abs(coded - share * 2000) <= 4 * (2000 * share * (1 - share)) ** 0.5 + 1


def test_a_marker_and_codes_of_ones_own(records):
    lines = generate(500, marker="#", client_codes=("7",), coded_share=0.5)
    parsed, _ = split(parse_threecx(lines, DEFAULT))

    assert {r.dialled.split("#")[1] for r in parsed if r.billing_code} == {"7"}


def test_the_mix_has_outbound_inbound_internal_unanswered_and_costs(records):
    directions = Counter((r.caller_type, r.called_type) for r in records)
    statuses = Counter(r.status for r in records)

    assert set(directions) == {
        ("extension", "line"),
        ("line", "extension"),
        ("extension", "extension"),
    }
    assert min(directions.values()) > COUNT * 0.1
    assert set(statuses) == {"answered", "no_answer", "busy", "failed"}
    assert 0.1 < 1 - statuses["answered"] / COUNT < 0.2
    assert all(
        r.answered is None and r.talk_seconds == 0 for r in records if r.status != "answered"
    )
    assert sum(1 for r in records if r.cost is not None) > COUNT * 0.1
    assert {r.trunk_identifier for r in records} == {"", "10000", "10001"}
    assert all(r.caller_name for r in records)


def test_a_small_share_of_chains_is_quoted_with_commas_as_excel_writes_them(lines):
    quoted = [line for line in lines if '"Chain: ' in line]

    assert 0.005 * COUNT < len(quoted) < 0.05 * COUNT
    assert all("," in row[19] for row in csv.reader(quoted))
    plain = [row[19] for row in csv.reader(lines) if "," not in row[19]]
    assert all(chain.startswith("Chain: ") and chain.endswith(";") for chain in plain)


def test_times_are_utc_and_move_forward_from_the_start(records):
    starts = [r.start for r in records]

    assert starts[0] == START.replace(tzinfo=UTC)
    assert starts == sorted(starts)
    assert all(r.start <= (r.answered or r.end) <= r.end for r in records)
    assert all(r.end - r.start < timedelta(hours=5) for r in records)
    assert starts[-1] - starts[0] < timedelta(seconds=60 * COUNT)


def test_an_aware_start_is_converted_to_utc():
    rome_winter = timezone(timedelta(hours=1))
    lines = generate(1, start=datetime(2024, 3, 1, 9, 30, 15, 999, tzinfo=rome_winter))

    assert lines[0].split(",")[3] == "2024/03/01 08:30:15"


def test_the_same_arguments_give_the_same_lines_and_another_seed_others():
    assert generate(300) == generate(300)
    assert generate(300) != generate(300, seed=8)


def test_it_is_a_lazy_iterator():
    lines = threecx_lines(10**12, start=START, client_codes=CODES)

    assert iter(lines) is lines
    assert next(lines).startswith("Call 1,")


def test_days_roll_over():
    lines = generate(6000, start=datetime(2024, 2, 28, 23, 0))

    dates = {line.split(",")[3][:10] for line in lines}
    assert {"2024/02/28", "2024/02/29", "2024/03/01"} <= dates


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"count": -1}, "negative"),
        ({"coded_share": 1.5}, "between 0 and 1"),
        ({"client_codes": ()}, "client_codes is empty"),
        ({"client_codes": ("12a",)}, "not all digits"),
        ({"extensions": ("101",)}, "at least two extensions"),
        ({"trunk_dns": ()}, "must not be empty"),
        ({"marker": ","}, "cannot be written"),
    ],
)
def test_unusable_arguments_are_refused_at_once(changes, message):
    arguments = {"count": 1, "start": START, "client_codes": CODES, **changes}

    with pytest.raises(ValueError, match=message):
        threecx_lines(**arguments)


def test_without_codes_nothing_is_coded():
    lines = generate(300, client_codes=(), coded_share=0.0)

    assert all(not r.billing_code for r in split(parse_threecx(lines, DEFAULT))[0])
