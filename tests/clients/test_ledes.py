"""Behaviour of clients.billing.ledes: the LEDES 1998B text of billed call time."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clients.billable_time import BillingRules, bill_calls
from clients.billing.ledes import (
    FIELDS,
    LedesInvoice,
    LedesLine,
    clean_text,
    format_amount,
    format_date,
    format_units,
    ledes_1998b,
)

# The header line as published, written out by hand rather than built from FIELDS.
HEADER = (
    "INVOICE_DATE|INVOICE_NUMBER|CLIENT_ID|LAW_FIRM_MATTER_ID|INVOICE_TOTAL|BILLING_START_DATE|"
    "BILLING_END_DATE|INVOICE_DESCRIPTION|LINE_ITEM_NUMBER|EXP/FEE/INV_ADJ_TYPE|"
    "LINE_ITEM_NUMBER_OF_UNITS|LINE_ITEM_ADJUSTMENT_AMOUNT|LINE_ITEM_TOTAL|LINE_ITEM_DATE|"
    "LINE_ITEM_TASK_CODE|LINE_ITEM_EXPENSE_CODE|LINE_ITEM_ACTIVITY_CODE|TIMEKEEPER_ID|"
    "LINE_ITEM_DESCRIPTION|LAW_FIRM_ID|LINE_ITEM_UNIT_COST|TIMEKEEPER_NAME|"
    "TIMEKEEPER_CLASSIFICATION|CLIENT_MATTER_ID[]"
)

INVOICE = LedesInvoice(
    invoice_date=dt.date(2025, 2, 3),
    invoice_number="2025-0042",
    client_id="123",
    law_firm_matter_id="M-7",
    billing_start=dt.date(2025, 1, 1),
    billing_end=dt.date(2025, 1, 31),
    description="Telephone consultations, January 2025",
    law_firm_id="IT01234567890",
    client_matter_id="ACME-LIT-9",
)
FIRST = LedesLine(
    date=dt.date(2025, 1, 14),
    units_hours=Decimal("0.2"),
    unit_cost=Decimal("250.00"),
    total=Decimal("50.00"),
    description="Call to 3454565678",
    timekeeper_id="AR",
    timekeeper_name="Rossi, Anna",
    timekeeper_classification="PT",
    task_code="L120",
    activity_code="A106",
)
SECOND = LedesLine(
    date=dt.date(2025, 1, 20),
    units_hours=Decimal("1.3"),
    unit_cost=Decimal("180"),
    total=Decimal("234.00"),
    description="Call to 0612345678",
    timekeeper_id="LB",
    timekeeper_name="Bianchi, Luca",
    timekeeper_classification="AS",
)


def parse(text):
    """Split LEDES 1998B text into records of fields, checking the framing on the way."""
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "\r" not in text.replace("\r\n", "")
    records = text.split("\r\n")[:-1]
    assert records[0] == "LEDES1998B[]"
    rows = []
    for record in records[1:]:
        assert record.endswith("[]")
        body = record.removesuffix("[]")
        assert "[]" not in body
        rows.append(body.split("|"))
    return rows


def items(text):
    """The line items as dicts keyed by field name."""
    names, *rows = parse(text)
    return [dict(zip(names, row, strict=True)) for row in rows]


# --- the whole text ------------------------------------------------------------------------------


def test_it_writes_a_two_line_invoice_exactly():
    text = ledes_1998b(INVOICE, [FIRST, SECOND])

    assert text == (
        "LEDES1998B[]\r\n" + HEADER + "\r\n"
        "20250203|2025-0042|123|M-7|284.00|20250101|20250131|"
        "Telephone consultations, January 2025|1|F|0.2|0.00|50.00|20250114|L120||A106|AR|"
        "Call to 3454565678|IT01234567890|250.00|Rossi, Anna|PT|ACME-LIT-9[]\r\n"
        "20250203|2025-0042|123|M-7|284.00|20250101|20250131|"
        "Telephone consultations, January 2025|2|F|1.3|0.00|234.00|20250120||||LB|"
        "Call to 0612345678|IT01234567890|180.00|Bianchi, Luca|AS|ACME-LIT-9[]\r\n"
    )


def test_the_header_names_the_24_fields_in_order():
    assert len(FIELDS) == 24
    assert "|".join(FIELDS) + "[]" == HEADER


def test_an_invoice_without_line_items_is_the_two_header_lines_only():
    assert ledes_1998b(INVOICE, []) == "LEDES1998B[]\r\n" + HEADER + "\r\n"
    assert parse(ledes_1998b(INVOICE, [])) == [list(FIELDS)]


def test_it_parses_back_to_24_fields_per_record():
    rows = parse(ledes_1998b(INVOICE, [FIRST, SECOND, FIRST]))

    assert len(rows) == 4
    assert all(len(row) == 24 for row in rows)


def test_the_invoice_total_is_the_sum_of_the_line_totals_on_every_line():
    lines = [FIRST, SECOND, replace(FIRST, total=Decimal("0.01"))]

    parsed = items(ledes_1998b(INVOICE, lines))

    assert {item["INVOICE_TOTAL"] for item in parsed} == {"284.01"}
    assert sum(Decimal(item["LINE_ITEM_TOTAL"]) for item in parsed) == Decimal("284.01")


def test_line_items_are_numbered_from_1_in_the_given_order_and_are_all_fees():
    parsed = items(ledes_1998b(INVOICE, [SECOND, FIRST, SECOND]))

    assert [item["LINE_ITEM_NUMBER"] for item in parsed] == ["1", "2", "3"]
    assert [item["TIMEKEEPER_ID"] for item in parsed] == ["LB", "AR", "LB"]
    assert {item["EXP/FEE/INV_ADJ_TYPE"] for item in parsed} == {"F"}
    assert {item["LINE_ITEM_EXPENSE_CODE"] for item in parsed} == {""}


def test_a_statement_billed_per_call_exports_with_the_same_total():
    rate = Decimal("155.55")
    bill = bill_calls([1, 361, 400], BillingRules(increment_minutes=6), rate)
    lines = [
        replace(
            FIRST,
            units_hours=Decimal(call.billable_seconds) / 3600,
            unit_cost=rate,
            total=call.amount,
        )
        for call in bill.lines
    ]

    parsed = items(ledes_1998b(INVOICE, lines))

    assert [item["LINE_ITEM_NUMBER_OF_UNITS"] for item in parsed] == ["0.1", "0.2", "0.2"]
    assert [item["LINE_ITEM_TOTAL"] for item in parsed] == ["15.56", "31.11", "31.11"]
    assert parsed[0]["INVOICE_TOTAL"] == str(bill.amount) == "77.78"


# --- cleaning text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Rossi | Bianchi", "Rossi Bianchi"),
        ("a|b", "a b"),
        ("note []", "note"),
        ("x[]y", "xy"),
        ("[[]]", ""),
        ("a[[[]]]b", "ab"),
        ("[urgent]", "[urgent]"),
        ("[|]", "[ ]"),
        ("line one\r\nline two", "line one line two"),
        ("one\ntwo\rthree", "one two three"),
        ("tab\there", "tab here"),
        ("para\u2028graph\u2029end\x85", "para graph end"),
        ("bell\x07nul\x00", "bell nul"),
        ("  padded   out  ", "padded out"),
        ("[\n]", "[ ]"),
        ("Nicolò, attività", "Nicolò, attività"),
        ("", ""),
    ],
)
def test_text_is_cleaned_of_separators_terminators_and_line_breaks(raw, expected):
    assert clean_text(raw) == expected


def test_every_text_field_is_cleaned_in_the_output():
    invoice = replace(
        INVOICE,
        invoice_number="2025|42",
        description="Calls\r\nJanuary [] 2025",
        client_matter_id="ACME[]",
    )
    line = replace(
        FIRST,
        description="Called | about the\nmerger[]",
        timekeeper_name="Rossi,\r\nAnna",
        task_code="L1|20",
    )

    (item,) = items(ledes_1998b(invoice, [line]))

    assert item["INVOICE_NUMBER"] == "2025 42"
    assert item["INVOICE_DESCRIPTION"] == "Calls January 2025"
    assert item["CLIENT_MATTER_ID"] == "ACME"
    assert item["LINE_ITEM_DESCRIPTION"] == "Called about the merger"
    assert item["TIMEKEEPER_NAME"] == "Rossi, Anna"
    assert item["LINE_ITEM_TASK_CODE"] == "L1 20"


text_with_traps = st.text(
    alphabet=st.sampled_from(list("ab |[]\r\n\t\u2028\x00")) | st.characters(), max_size=30
)


@given(description=text_with_traps, name=text_with_traps, matter=text_with_traps)
def test_no_text_can_break_the_record_structure(description, name, matter):
    invoice = replace(INVOICE, description=description, client_matter_id=matter)
    line = replace(FIRST, description=description, timekeeper_name="Rossi " + name)

    rows = parse(ledes_1998b(invoice, [line, line]))

    assert len(rows) == 3
    assert all(len(row) == 24 for row in rows)
    assert rows[1][FIELDS.index("LINE_ITEM_DESCRIPTION")] == clean_text(description)


# --- numbers and dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("0"), "0.00"),
        (Decimal("-0.00"), "0.00"),
        (Decimal("12"), "12.00"),
        (Decimal("12.5"), "12.50"),
        (Decimal("0.07"), "0.07"),
        (Decimal("1234567.89"), "1234567.89"),
        (Decimal("1E+3"), "1000.00"),
        (Decimal("250.000"), "250.00"),
        (Decimal("-4000"), "-4000.00"),
        (180, "180.00"),
    ],
)
def test_amounts_have_a_dot_two_decimals_and_no_thousands_separator(amount, expected):
    assert format_amount(amount) == expected


@pytest.mark.parametrize("amount", [Decimal("0.005"), Decimal("12.345"), Decimal("1E-3")])
def test_amounts_finer_than_a_cent_are_refused_not_rounded(amount):
    with pytest.raises(ValueError, match="whole cents"):
        format_amount(amount)


@pytest.mark.parametrize("amount", [12.5, "12.50", None])
def test_amounts_must_be_decimals(amount):
    with pytest.raises(TypeError):
        format_amount(amount)


def test_an_infinite_amount_is_refused():
    with pytest.raises(ValueError, match="finite"):
        format_amount(Decimal("Infinity"))


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (Decimal("0.1"), "0.1"),
        (Decimal("0.10"), "0.1"),
        (Decimal("1"), "1.0"),
        (Decimal("0"), "0.0"),
        (Decimal("0.25"), "0.25"),
        (Decimal("2.5000"), "2.5"),
        (Decimal("1E+1"), "10.0"),
        (Decimal(60) / 3600, "0.0167"),
        (Decimal(61) / 3600, "0.0169"),
        (Decimal("0.00005"), "0.0001"),
        (Decimal("0.00004"), "0.0"),
        (Decimal(360) / 3600, "0.1"),
    ],
)
def test_units_are_decimal_hours_with_at_most_four_decimals(hours, expected):
    assert format_units(hours) == expected


def test_dates_are_written_yyyymmdd():
    assert format_date(dt.date(2025, 1, 5)) == "20250105"


def test_a_datetime_is_refused_as_a_date():
    with pytest.raises(TypeError, match="datetime"):
        format_date(dt.datetime(2025, 1, 5, 23, 30))
    with pytest.raises(TypeError):
        ledes_1998b(replace(INVOICE, invoice_date=dt.datetime(2025, 1, 5)), [])


# --- refused input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field", ["invoice_number", "client_id", "law_firm_matter_id", "law_firm_id"]
)
@pytest.mark.parametrize("value", ["", "   ", "[]", "\r\n"])
def test_an_invoice_without_its_identifiers_is_refused(field, value):
    with pytest.raises(ValueError, match=field.upper()):
        ledes_1998b(replace(INVOICE, **{field: value}), [FIRST])


@pytest.mark.parametrize("field", ["timekeeper_id", "timekeeper_name", "timekeeper_classification"])
def test_a_line_item_without_its_timekeeper_is_refused_naming_the_line(field):
    with pytest.raises(ValueError, match=f"line item 2: {field.upper()}"):
        ledes_1998b(INVOICE, [FIRST, replace(FIRST, **{field: " "})])


def test_optional_text_may_be_empty():
    invoice = replace(INVOICE, description="", client_matter_id="")
    line = replace(FIRST, description="", task_code="", activity_code="")

    (item,) = items(ledes_1998b(invoice, [line]))

    assert item["INVOICE_DESCRIPTION"] == item["CLIENT_MATTER_ID"] == ""
    assert item["LINE_ITEM_DESCRIPTION"] == item["LINE_ITEM_TASK_CODE"] == ""


def test_a_billing_period_ending_before_it_starts_is_refused():
    invoice = replace(INVOICE, billing_start=dt.date(2025, 2, 1), billing_end=dt.date(2025, 1, 31))

    with pytest.raises(ValueError, match="billing period"):
        ledes_1998b(invoice, [])


def test_a_one_day_billing_period_is_allowed():
    invoice = replace(INVOICE, billing_start=dt.date(2025, 1, 31), billing_end=dt.date(2025, 1, 31))

    assert ledes_1998b(invoice, [])


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("total", "LINE_ITEM_TOTAL"),
        ("unit_cost", "LINE_ITEM_UNIT_COST"),
        ("units_hours", "LINE_ITEM_NUMBER_OF_UNITS"),
    ],
)
def test_negative_numbers_on_a_fee_line_are_refused(field, label):
    with pytest.raises(ValueError, match=f"line item 1: {label}"):
        ledes_1998b(INVOICE, [replace(FIRST, **{field: Decimal("-0.10")})])


def test_a_line_total_finer_than_a_cent_is_refused():
    with pytest.raises(ValueError, match="whole cents"):
        ledes_1998b(INVOICE, [replace(FIRST, total=Decimal("15.555"))])


def test_invoice_and_line_are_frozen():
    with pytest.raises(AttributeError):
        INVOICE.invoice_number = "x"
    with pytest.raises(AttributeError):
        FIRST.total = Decimal("1")
