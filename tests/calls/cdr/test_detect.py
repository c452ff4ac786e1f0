"""Behaviour of format detection and of the ``parse`` dispatcher."""

import itertools

import pytest

from calls.cdr import (
    THREECX_LAYOUTS,
    CdrRecord,
    DetectedFormat,
    NotCdrError,
    UnknownLayoutError,
    detect_format,
    parse,
    parse_layout,
)

from .helpers import FIXTURES, ROME, lines_of, only, split
from .helpers import threecx_line as line


def head_of(name, count=50):
    with open(FIXTURES / name, encoding="utf-8-sig", newline="") as handle:
        return list(itertools.islice(handle, count))


@pytest.mark.parametrize(
    ("fixture", "name", "description"),
    [
        ("3cx-v16-excerpt.csv", "threecx", "3CX CDR, 27 fields (default order)"),
        (
            "3cx-socket-excerpt.log",
            "threecx",
            "3CX CDR, 20 fields (active socket order, historyid ... chain)",
        ),
        ("3cx-v20-one-call.log", "threecx", "3CX CDR, 27 fields (default order)"),
        (
            "asterisk-master-excerpt.csv",
            "asterisk",
            "Asterisk cdr_csv (Master.csv), 18 columns (with uniqueid, userfield)",
        ),
    ],
)
def test_each_sample_excerpt_is_recognised(fixture, name, description):
    fmt = detect_format(head_of(fixture))

    assert (fmt.name, fmt.description) == (name, description)


def test_the_27_field_types_last_order_is_told_from_the_default_by_the_type_values():
    layout = THREECX_LAYOUTS["27-missed-queue-after-chain"]
    head = [line(layout, historyid=f"Call {n}") for n in range(1, 4)]

    fmt = detect_format(head)

    assert fmt.layout == layout
    assert fmt.description == "3CX CDR, 27 fields (missed-queue-calls after chain, types last)"
    assert fmt.layout[-3:] == ("from-type", "to-type", "final-type")


def test_the_types_last_order_is_found_with_v20_lowercase_types_too():
    layout = THREECX_LAYOUTS["27-missed-queue-after-chain"]
    head = [line(layout, from_type="extension", to_type="external_line", final_type="queue")]

    assert detect_format(head).layout == layout


def test_a_default_order_file_without_type_values_stays_in_the_default_order():
    head = [line(from_type="", to_type="", final_type="")]

    assert detect_format(head).layout == THREECX_LAYOUTS["default-27"]


def test_a_22_field_file_gets_the_layout_without_billing_fields():
    layout = THREECX_LAYOUTS["22-no-billing"]

    fmt = detect_format([line(layout)])

    assert fmt.layout == layout
    assert "bill-code" not in fmt.layout
    assert fmt.description == "3CX CDR, 22 fields (default order without billing fields)"


def test_socket_lines_with_a_trailing_comma_still_get_the_socket_layout():
    head = [line(THREECX_LAYOUTS["socket-20"]).rstrip("\n") + ",\n"]

    assert detect_format(head).layout == THREECX_LAYOUTS["socket-20"]


def test_a_crlf_file_with_a_bom_still_on_its_first_line_is_recognised():
    head = ["\ufeff" + line(end="\r\n"), "\r\n", line(end="\r\n", historyid="Call 9749")]

    assert detect_format(head).layout == THREECX_LAYOUTS["default-27"]


def test_3cx_records_of_an_unknown_field_count_ask_for_the_field_order():
    head = [",".join(["Call 1", "x", "", "2020/05/04 10:53:43"] + [""] * 20) + "\n"]

    with pytest.raises(UnknownLayoutError, match="24 fields, which matches no built-in layout"):
        detect_format(head)
    assert issubclass(UnknownLayoutError, NotCdrError)


def test_a_configured_3cx_layout_is_used_instead_of_guessing():
    layout = parse_layout("historyid,time-start,from-no,to-no")

    fmt = detect_format(["Call 1,2020/05/04 10:53:43,Ext.101,0612345678\n"], threecx_layout=layout)

    assert fmt == DetectedFormat("threecx", layout, "3CX CDR, 4 fields (configured order)")


def test_a_head_cut_inside_a_quoted_multi_line_field_is_still_recognised():
    head = [line(historyid="Call 1"), line(historyid="Call 2"), 'Call 3,x,"open\n']

    assert detect_format(head).layout == THREECX_LAYOUTS["default-27"]


@pytest.mark.parametrize("head", [[], [""], ["\n", "\r\n", "   \n"], ["\ufeff"]])
def test_an_empty_file_is_not_a_cdr_file(head):
    with pytest.raises(NotCdrError, match="the file is empty"):
        detect_format(head)


@pytest.mark.parametrize(
    ("head", "what"),
    [
        (["%PDF-1.7\n", "%\xe2\xe3\xcf\xd3\n", "1 0 obj\n"], "PDF"),
        (["PK\x03\x04\x14\x00\x06\x00"], "ZIP"),
        (["Call 1,\x00\x00\x00\x01\n"], "binary"),
        (["\x01\x02\x03\x04\x05\x06 abc\n"], "binary"),
    ],
)
def test_binary_content_is_not_a_cdr_file(head, what):
    with pytest.raises(NotCdrError, match=what):
        detect_format(head)


@pytest.mark.parametrize(
    "text",
    [
        "code,name,vat\n114,Rossi srl,IT01234567890\n115,Bianchi spa,IT09876543210\n",
        "Gentile cliente,\nin allegato la fattura di maggio.\n",
        "2024-01-15 10:00:00,201,0612345678\n",
    ],
    ids=["client-list", "prose", "three-columns"],
)
def test_other_text_is_not_a_cdr_file(text):
    with pytest.raises(
        NotCdrError, match="no line looks like a 3CX, Asterisk or headered CSV call record"
    ):
        detect_format(lines_of(text))


def test_a_header_naming_start_and_destination_is_a_headered_csv():
    fmt = detect_format(["calldate,src,dst,billsec\n", "2024-01-15 10:00:00,201,061,5\n"])

    assert fmt.name == "headered_csv"
    assert fmt.layout == ("calldate", "src", "dst", "billsec")


@pytest.mark.parametrize(
    "fixture",
    ["3cx-v16-excerpt.csv", "asterisk-master-excerpt.csv"],
)
def test_parse_dispatches_to_the_detected_parser(fixture):
    fmt = detect_format(head_of(fixture))

    with open(FIXTURES / fixture, encoding="utf-8-sig", newline="") as handle:
        records, rejections = split(parse(handle, fmt, ROME))

    assert rejections == []
    assert records and all(isinstance(record, CdrRecord) for record in records)
    assert len(records) == len(head_of(fixture))


def test_parse_dispatches_headered_csv():
    text = "Data;Numero\n15/01/2024 09:05;0612345678\n"
    fmt = detect_format(lines_of(text))

    record = only(parse(lines_of(text), fmt, ROME))

    assert record.called == "0612345678"


def test_parse_refuses_an_unknown_format_name():
    with pytest.raises(ValueError, match="unknown CDR format 'pdf'"):
        parse([], DetectedFormat("pdf", (), "a PDF"), ROME)
