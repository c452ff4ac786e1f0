"""Behaviour of the 3CX CDR parser: layouts, CSV details, fields, statuses and rejections."""

from datetime import UTC, datetime

import pytest

from calls.cdr import (
    THREECX_FIELDS,
    THREECX_LAYOUTS,
    CdrRejection,
    parse_layout,
    parse_threecx,
)

from .helpers import FIXTURES, lines_of, only, split
from .helpers import threecx_line as line

DEFAULT = THREECX_LAYOUTS["default-27"]
TYPES_LAST = THREECX_LAYOUTS["27-missed-queue-after-chain"]
SOCKET = THREECX_LAYOUTS["socket-20"]


def parse_text(text, layout=DEFAULT):
    return split(parse_threecx(lines_of(text), layout))


# --- the sample excerpts -----------------------------------------------------------------------


def test_the_v16_excerpt_is_read_with_its_bom_and_quoted_chains():
    with open(FIXTURES / "3cx-v16-excerpt.csv", encoding="utf-8-sig", newline="") as handle:
        records, rejections = split(parse_threecx(handle, DEFAULT))

    assert rejections == []
    assert [r.pbx_call_id for r in records] == [
        "3cx:9744",
        "3cx:9745",
        "3cx:9746",
        "3cx:9748",
        "3cx:11315",
    ]
    assert [r.line_number for r in records] == [1, 2, 3, 4, 5]
    assert records[-1].billing_code == "114"
    assert records[-1].dialled == "700**114"


def test_the_socket_excerpt_reads_in_the_socket_layout():
    with open(FIXTURES / "3cx-socket-excerpt.log", encoding="utf-8-sig", newline="") as handle:
        records, rejections = split(parse_threecx(handle, SOCKET))

    assert rejections == []
    assert [r.pbx_call_id for r in records] == ["3cx:23193", "3cx:23194", "3cx:23195"]
    assert records[1].final_number == "194"
    assert records[1].final_type == "extension"


def test_the_v20_file_ending_with_an_empty_line_gives_one_record():
    with open(FIXTURES / "3cx-v20-one-call.log", encoding="utf-8-sig", newline="") as handle:
        records, rejections = split(parse_threecx(handle, DEFAULT))

    assert rejections == []
    call = only(records)
    assert call.billing_code == ""  # bill-code 'default'
    assert call.cost is not None and str(call.cost) == "0.43"


# --- CSV details -------------------------------------------------------------------------------


def test_crlf_line_endings_are_not_part_of_the_fields_or_the_raw_text():
    text = line(end="\r\n") + line(end="\r\n", historyid="Call 9749")

    records, rejections = parse_text(text)

    assert rejections == []
    assert [r.pbx_call_id for r in records] == ["3cx:9748", "3cx:9749"]
    assert all(not r.raw.endswith(("\r", "\n")) for r in records)
    assert records[1].final_type == "line"  # the last-but-four field, not polluted by '\r'


def test_a_whole_text_passed_as_one_string_is_read_line_by_line():
    records, rejections = split(parse_threecx(line() + line(historyid="Call 9749"), DEFAULT))

    assert rejections == []
    assert [r.pbx_call_id for r in records] == ["3cx:9748", "3cx:9749"]


def test_a_bom_still_at_the_start_is_tolerated():
    records, rejections = parse_text("\ufeff" + line())

    assert rejections == []
    assert only(records).pbx_call_id == "3cx:9748"
    assert not records[0].raw.startswith("\ufeff")


def test_blank_lines_are_skipped_and_line_numbers_stay_physical():
    text = "\n" + line() + "\r\n   \n" + line(historyid="Call 9749") + "\n"

    records, rejections = parse_text(text)

    assert rejections == []
    assert [(r.line_number, r.pbx_call_id) for r in records] == [(2, "3cx:9748"), (5, "3cx:9749")]


def test_a_quoted_chain_with_commas_stays_one_field():
    records, _ = parse_text(line(chain="Chain: Ext.114,0232354095,Ext.101,"))

    record = only(records)
    assert '"Chain: Ext.114,0232354095,Ext.101,"' in record.raw
    assert record.caller_type == "extension"  # the fields after the chain are still in place


def test_a_trailing_empty_field_is_the_last_field_of_the_layout():
    text = line()  # missed-queue-calls is empty: the line ends with a comma
    assert text.endswith(",\n")

    records, rejections = parse_text(text)

    assert rejections == []
    assert only(records).caller_name == "from disp"


def test_one_extra_trailing_comma_is_accepted_but_not_a_filled_extra_field():
    good = line(SOCKET).rstrip("\n") + ",\n"
    bad = line(SOCKET).rstrip("\n") + ",extra\n"

    records, rejections = parse_text(good + bad, SOCKET)

    assert only(records).line_number == 1
    assert only(rejections).reason == "expected 20 fields, got 21"


def test_a_quoted_field_spanning_two_lines_is_one_record_numbered_from_its_first_line():
    text = line(from_dispname="Studio Rossi\nsede di Milano") + line(historyid="Call 9749")

    records, rejections = parse_text(text)

    assert rejections == []
    assert [(r.line_number, r.pbx_call_id) for r in records] == [(1, "3cx:9748"), (3, "3cx:9749")]
    assert records[0].caller_name == "Studio Rossi\nsede di Milano"


def test_an_unclosed_quote_does_not_swallow_the_following_records():
    broken = line(historyid="Call 2").replace('0232354095,",', "0232354095,,")
    assert broken.count('"') == 1
    text = line(historyid="Call 1") + broken + line(historyid="Call 3") + line(historyid="Call 4")

    records, rejections = parse_text(text)

    assert [r.pbx_call_id for r in records] == ["3cx:1", "3cx:3", "3cx:4"]
    rejection = only(rejections)
    assert rejection.line_number == 2
    assert "never closed" in rejection.reason


# --- fields ------------------------------------------------------------------------------------


def test_an_outbound_call_has_its_times_in_utc_and_its_trunk():
    record = only(parse_text(line())[0])

    assert record.start == datetime(2020, 5, 4, 10, 56, 58, tzinfo=UTC)
    assert record.answered == datetime(2020, 5, 4, 10, 57, 3, tzinfo=UTC)
    assert record.end == datetime(2020, 5, 4, 11, 2, 10, tzinfo=UTC)
    assert (record.talk_seconds, record.ring_seconds) == (307, 5)
    assert (record.caller, record.called, record.dialled) == ("114", "0232354095", "0232354095")
    assert record.trunk_identifier == "10001"
    assert record.termination == "TerminatedByDst"


def test_an_inbound_call_takes_its_trunk_from_the_from_dn():
    text = line(
        from_no="0611360468",
        from_dn="10000",
        from_type="External",
        to_no="Ext.610",
        to_dn="610",
        to_type="Internal",
    )

    assert only(parse_text(text)[0]).trunk_identifier == "10000"


def test_an_internal_call_has_no_trunk():
    text = line(to_no="Ext.102", to_dn="102", to_type="Internal", final_type="Internal")

    assert only(parse_text(text)[0]).trunk_identifier == ""


@pytest.mark.parametrize(
    ("bill_code", "expected"),
    [("114", "114"), ("default", ""), ("", ""), ("12a", ""), (" 0042 ", "0042")],
)
def test_only_an_all_digit_bill_code_is_a_billing_code(bill_code, expected):
    record = only(parse_text(line(bill_code=bill_code))[0])

    assert record.billing_code == expected


def test_an_unanswered_call_rings_until_its_end():
    text = line(duration="", time_answered="", reason_terminated="Failed_Cancelled")

    record = only(parse_text(text)[0])

    assert record.answered is None
    assert record.talk_seconds == 0
    assert record.ring_seconds == (11 - 10) * 3600 - 56 * 60 - 58 + 2 * 60 + 10
    assert record.status == "no_answer"


def test_talk_time_over_a_day_is_counted_in_hours():
    assert only(parse_text(line(duration="25:00:01"))[0]).talk_seconds == 90001


# --- types and statuses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("Internal", "extension"),
        ("Extension", "extension"),
        ("extension", "extension"),
        ("External", "line"),
        ("Line", "line"),
        ("external_line", "line"),
        ("Queue", "queue"),
        ("ring_group", "other"),
        ("", ""),
    ],
)
def test_type_words_of_every_3cx_version_are_normalised(written, normalised):
    record = only(parse_text(line(from_type=written))[0])

    assert record.caller_type == normalised


def test_v20_lowercase_types_find_the_trunk():
    text = line(from_type="extension", to_type="external_line", final_type="external_line")

    record = only(parse_text(text)[0])

    assert (record.caller_type, record.called_type) == ("extension", "line")
    assert record.trunk_identifier == "10001"


@pytest.mark.parametrize(
    ("reason", "answered", "status"),
    [
        ("TerminatedBySrc", True, "answered"),
        ("TerminatedByDst", True, "answered"),
        ("TerminatedBySrc", False, "no_answer"),
        ("Failed_Cancelled", False, "no_answer"),
        ("Failed", False, "failed"),
        ("Failed", True, "answered"),
        ("NoRouteExists", False, "failed"),
        ("NotAvailable", False, "failed"),
        ("RouteBusy", False, "busy"),
        ("Connected", False, "no_answer"),
        ("src_participant_terminated", True, "answered"),
        ("dst_participant_terminated", True, "answered"),
        ("dst_participant_terminated", False, "no_answer"),
        ("cancelled", False, "no_answer"),
        ("continued_in", False, "no_answer"),
        ("redirected", False, "no_answer"),
        ("rejected", False, "busy"),
        ("busy", False, "busy"),
        ("no_route", False, "failed"),
    ],
)
def test_the_status_comes_from_the_answer_then_the_termination_reason(reason, answered, status):
    if answered:
        text = line(reason_terminated=reason)
    else:
        text = line(reason_terminated=reason, duration="", time_answered="")

    record = only(parse_text(text)[0])

    assert record.status == status
    assert record.termination == reason


def test_without_answer_fields_a_normal_ending_counts_as_answered():
    layout = parse_layout("historyid time-start time-end reason-terminated")
    text = line(layout, reason_terminated="TerminatedBySrc") + line(
        layout, historyid="Call 2", reason_terminated="Failed_Cancelled"
    )

    records, _ = parse_text(text, layout)

    assert [r.status for r in records] == ["answered", "no_answer"]


# --- layouts -----------------------------------------------------------------------------------


def test_the_types_last_layout_reads_types_from_the_end():
    assert TYPES_LAST[19:] == (
        "chain",
        "missed-queue-calls",
        "from-dispname",
        "to-dispname",
        "final-dispname",
        "from-type",
        "to-type",
        "final-type",
    )
    text = line(TYPES_LAST)
    assert text.rstrip("\n").endswith("from disp,to disp,fin disp,Internal,External,External")

    record = only(parse_text(text, TYPES_LAST)[0])

    assert (record.caller_type, record.called_type, record.caller_name) == (
        "extension",
        "line",
        "from disp",
    )


def test_every_built_in_layout_uses_known_fields_once_and_keeps_the_defaults_first():
    assert len(THREECX_FIELDS) == 27
    for layout in THREECX_LAYOUTS.values():
        assert set(layout) <= set(THREECX_FIELDS)
        assert len(set(layout)) == len(layout)
        assert layout[:15] == THREECX_FIELDS[:15]
    assert sorted(len(layout) for layout in THREECX_LAYOUTS.values()) == [20, 22, 27, 27]


def test_parse_layout_reads_an_admins_field_order():
    layout = parse_layout("HistoryID, time_start;duration  from-no,to-no\nbill-code")

    assert layout == ("historyid", "time-start", "duration", "from-no", "to-no", "bill-code")


def test_a_custom_layout_parses_records_in_that_order():
    layout = parse_layout("historyid,time-start,duration,from-no,to-no,bill-code")
    text = "Call 77,2021/03/01 09:00:00,00:01:10,Ext.101,0612345678,42\n"

    record = only(parse_text(text, layout)[0])

    assert record.pbx_call_id == "3cx:77"
    assert record.start == datetime(2021, 3, 1, 9, 0, tzinfo=UTC)
    assert (record.caller, record.caller_type) == ("101", "extension")
    assert (record.called, record.called_type) == ("0612345678", "line")
    assert record.billing_code == "42"
    assert record.status == "answered"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("historyid,time-start,caller", "unknown 3CX field 'caller'"),
        ("historyid,time-start,historyid", "'historyid' is listed twice"),
        ("historyid,duration", "must contain time-start"),
        (" , ", "empty"),
    ],
)
def test_parse_layout_rejects_wrong_lists_naming_the_problem(text, message):
    with pytest.raises(ValueError, match=message):
        parse_layout(text)


def test_parse_threecx_refuses_an_invalid_layout_at_once():
    with pytest.raises(ValueError, match="unknown 3CX field 'nope'"):
        parse_threecx([], ("time-start", "nope"))


def test_a_layout_without_historyid_gets_stable_distinct_hash_ids():
    layout = parse_layout("time-start,from-no,to-no")
    text = "2021/03/01 09:00:00,Ext.101,0612345678\n" * 2 + "2021/03/01 09:05:00,Ext.101,061\n"

    first, _ = parse_text(text, layout)
    again, _ = parse_text(text, layout)

    ids = [r.pbx_call_id for r in first]
    assert ids == [r.pbx_call_id for r in again]
    assert len(set(ids)) == 3
    assert all(call_id.startswith("3cx:h") for call_id in ids)


def test_the_same_call_from_a_file_and_from_the_socket_has_the_same_id():
    from_file = only(parse_text(line())[0])
    from_socket = only(parse_text(line(SOCKET, chain="Chain: Ext.114;0232354095;"), SOCKET)[0])

    assert from_file.pbx_call_id == from_socket.pbx_call_id == "3cx:9748"
    assert from_socket.trunk_identifier == from_file.trunk_identifier == "10001"


# --- rejections --------------------------------------------------------------------------------


def test_a_bad_date_names_its_line_field_and_value():
    text = line(historyid="Call 1") + "\n" + line(historyid="Call 3", time_start="2020/13/04")

    records, rejections = parse_text(text)

    assert only(records).pbx_call_id == "3cx:1"
    rejection = only(rejections)
    assert rejection.message() == "line 3: field time-start '2020/13/04' is not a date"
    assert rejection.field == "time-start"
    assert rejection.raw == text.splitlines()[2]


def test_an_impossible_day_is_not_a_date():
    rejection = only(parse_text(line(time_end="2020/02/30 10:00:00"))[1])

    assert rejection.reason == "field time-end '2020/02/30 10:00:00' is not a date"


def test_an_empty_start_is_rejected():
    rejection = only(parse_text(line(time_start=""))[1])

    assert rejection.field == "time-start"
    assert "empty" in rejection.reason


def test_a_bad_duration_names_its_field_and_value():
    rejection = only(parse_text(line(duration="5 min"))[1])

    assert rejection.message() == "line 1: field duration '5 min' is not a duration (HH:MM:SS)"
    assert rejection.field == "duration"


def test_a_bad_cost_names_its_field_and_value():
    rejection = only(parse_text(line(bill_cost="cinque"))[1])

    assert rejection.message() == "line 1: field bill-cost 'cinque' is not a number"


def test_a_bad_historyid_is_rejected():
    rejection = only(parse_text(line(historyid="Chiamata 5"))[1])

    assert rejection.field == "historyid"
    assert "'Chiamata 5'" in rejection.reason


def test_a_record_with_the_wrong_number_of_fields_is_rejected_as_a_whole():
    short = ",".join(line(chain="Chain: Ext.114;0232354095;").split(",")[:25]) + "\n"

    items = list(parse_threecx(lines_of(line() + short), DEFAULT))

    rejection = items[1]
    assert isinstance(rejection, CdrRejection)
    assert rejection.field == ""
    assert rejection.message() == "line 2: expected 27 fields, got 25"
    assert rejection.raw == short.rstrip("\n")
