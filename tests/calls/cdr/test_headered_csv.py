"""Behaviour of the parser for CSV call lists with a header row."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from calls.cdr import NotCdrError, detect_format, parse_headered_csv

from .helpers import ROME, lines_of, only, split


def parse_text(text, tz=ROME):
    return split(parse_headered_csv(lines_of(text), tz))


ITALIAN = (
    "\ufeffData;Chiamante;Numero;Durata;Codice cliente;Esito;Costo\r\n"
    "04/05/2020 10:53;114;0612345678;0:01:15;114;Risposta;0,42\r\n"
    "\r\n"
    "15/01/2024 09:05:30;115;0298765432;;;Non risposta;\r\n"
)


def test_an_italian_excel_export_with_semicolons_and_day_first_dates_is_read():
    records, rejections = parse_text(ITALIAN)

    assert rejections == []
    first, second = records
    assert first.line_number == 2
    assert first.start == datetime(2020, 5, 4, 8, 53, tzinfo=UTC)  # 10:53 CEST
    assert (first.caller, first.called, first.dialled) == ("114", "0612345678", "0612345678")
    assert first.talk_seconds == 75
    assert first.billing_code == "114"
    assert first.cost == Decimal("0.42")
    assert (first.status, first.termination) == ("answered", "Risposta")
    assert second.line_number == 4
    assert second.start == datetime(2024, 1, 15, 8, 5, 30, tzinfo=UTC)  # 09:05:30 CET
    assert second.status == "no_answer"
    assert second.billing_code == ""


def test_the_italian_export_is_detected_as_a_headered_csv():
    fmt = detect_format(lines_of(ITALIAN))

    assert fmt.name == "headered_csv"
    assert fmt.layout[:3] == ("Data", "Chiamante", "Numero")
    assert "start: Data" in fmt.description
    assert "called: Numero" in fmt.description


def test_header_names_match_without_case_spaces_or_dashes():
    text = (
        "History ID,Time-Start,FROM-NO,To No,Dial_No,Billing Code,Duration\n"
        "Call 9748,2020/05/04 10:56:58,Ext.114,0232354095,700**114,114,00:05:07\n"
    )

    record = only(parse_text(text)[0])

    assert record.pbx_call_id == "3cx:9748"  # the same id the 3CX parser gives
    assert record.start == datetime(2020, 5, 4, 8, 56, 58, tzinfo=UTC)  # read as Rome time
    assert (record.caller, record.called, record.dialled) == ("114", "0232354095", "700**114")
    assert record.billing_code == "114"
    assert record.talk_seconds == 307


def test_asterisk_style_names_prefer_billsec_to_duration():
    text = (
        "calldate,src,dst,duration,billsec,disposition,accountcode,uniqueid,dstchannel\n"
        "2024-01-15 10:00:00,201,0612345678,127,120,ANSWERED,7,1705309200.17,SIP/eutelia-2\n"
        "2024-01-15 10:05:00,201,0612345678,30,0,BUSY,,1705309500.18,SIP/eutelia-3\n"
    )

    records, rejections = parse_text(text)

    assert rejections == []
    assert [r.talk_seconds for r in records] == [120, 0]
    assert [r.status for r in records] == ["answered", "busy"]
    assert records[0].billing_code == "7"
    assert records[0].trunk_identifier == "SIP/eutelia-2"
    assert records[0].pbx_call_id.startswith("csv:1705309200.17:")


def test_times_with_an_offset_ignore_the_zone_passed_in():
    text = "start,to\n2024-07-15T10:00:00+02:00,0612345678\n2024-07-15T08:00:00Z,0612345678\n"

    records, _ = parse_text(text)

    assert [r.start for r in records] == [datetime(2024, 7, 15, 8, 0, tzinfo=UTC)] * 2


def test_a_date_column_and_a_time_column_are_joined():
    text = "data,ora,numero\n15/01/2024,09:05,0612345678\n"

    record = only(parse_text(text)[0])

    assert record.start == datetime(2024, 1, 15, 8, 5, tzinfo=UTC)


def test_a_lone_time_column_holding_date_and_time_is_the_start():
    text = "Time,From,To\n2024-01-15 09:05:00,Ext.101,0612345678\n"

    record = only(parse_text(text)[0])

    assert record.start == datetime(2024, 1, 15, 8, 5, tzinfo=UTC)
    assert record.caller == "101"


def test_slashed_year_first_times_are_accepted():
    text = "date,number\n2024/01/15 09:05:00,0612345678\n"

    assert only(parse_text(text)[0]).start == datetime(2024, 1, 15, 8, 5, tzinfo=UTC)


def test_without_a_status_column_the_talk_time_decides():
    text = "start,to,talk\n2024-01-15 09:00:00,061,30\n2024-01-15 09:01:00,061,0\n"

    records, _ = parse_text(text)

    assert [r.status for r in records] == ["answered", "no_answer"]


def test_identical_rows_next_to_each_other_get_distinct_ids_that_reread_the_same():
    text = "start,to\n2024-01-15 09:00:00,061\n2024-01-15 09:00:00,061\n"

    first, _ = parse_text(text)
    again, _ = parse_text(text)

    ids = [r.pbx_call_id for r in first]
    assert ids == [r.pbx_call_id for r in again]
    assert ids[1] == ids[0] + ":2"


def test_a_bad_date_names_the_header_column_and_value():
    text = "Data;Numero\n31/02/2024 10:00;0612345678\n"

    rejection = only(parse_text(text)[1])

    assert rejection.message() == "line 2: field Data '31/02/2024 10:00' is not a date"
    assert rejection.field == "Data"


def test_a_bad_duration_names_its_column():
    rejection = only(parse_text("date,number,durata\n2024-01-15 09:00,061,lunga\n")[1])

    assert rejection.message() == "line 2: field durata 'lunga' is not a duration"


def test_a_row_with_the_wrong_number_of_fields_is_rejected():
    rejection = only(parse_text("date,number,code\n2024-01-15 09:00,061\n")[1])

    assert rejection.message() == "line 2: expected 3 fields, got 2"


def test_a_client_list_is_not_a_cdr_file():
    with pytest.raises(NotCdrError, match="no call start time and destination"):
        parse_headered_csv(lines_of("code,name,vat\n114,Rossi srl,IT01234567890\n"), ROME)


def test_an_empty_input_is_not_a_cdr_file():
    with pytest.raises(NotCdrError, match="empty"):
        parse_headered_csv(["\n", "  \r\n"], ROME)
