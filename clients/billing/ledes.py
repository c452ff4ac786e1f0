"""LEDES 1998B export of billed call time: the pipe-delimited e-billing file law firms send clients.

The file is text: the line ``LEDES1998B[]``, then the 24 field names joined by ``|`` and ending
with ``[]``, then one record per line item, its 24 values joined by ``|`` and ending with ``[]``.
Every invoice value (number, client, matter, total, period, description) is repeated on each
line item.

Rules and decisions
-------------------
* Records are separated by CR LF, and the last record ends with CR LF too (every record is a
  line of a DOS text file). The result is a ``str``; encoding it is the caller's job.
* Dates are ``YYYYMMDD``; a ``datetime`` is refused (``TypeError``): turning a moment into the
  firm's local day belongs to the caller.
* Amounts (INVOICE_TOTAL, LINE_ITEM_TOTAL, LINE_ITEM_UNIT_COST) are written with a dot and two
  decimals, without thousands separators: ``1234.50``. They must already be whole cents
  (``clients.billable_time`` rounds them); anything finer is refused rather than rounded again,
  so the file's totals are the statement's.
* Every line item is a fee (``F``): call time is fee work. LINE_ITEM_NUMBER_OF_UNITS is hours in
  decimal (``0.1`` for six minutes), rounded half up to at most 4 decimals, trailing zeros
  dropped but one decimal kept (``1.0``, ``0.25``, ``0.0167``). LINE_ITEM_UNIT_COST is the hourly
  rate. LINE_ITEM_ADJUSTMENT_AMOUNT is ``0.00``: LINE_ITEM_TOTAL is the billed amount as given,
  not recomputed from units x rate (with 1-minute units the hours are inexact).
  LINE_ITEM_EXPENSE_CODE is empty (fees have none).
* INVOICE_TOTAL is the sum of the line totals; LINE_ITEM_NUMBER counts 1..n in the given order.
  An invoice without line items gives the two header lines only (INVOICE_TOTAL, 0.00, is carried
  by line items, so it does not appear).
* Text values are cleaned, never refused: line breaks, tabs and other control characters become
  spaces, ``|`` becomes a space, ``[]`` is removed (repeatedly, so ``[[]]`` leaves nothing),
  runs of spaces shrink to one and ends are trimmed. Lone brackets stay. A text a spreadsheet
  would run as a formula (``=HYPERLINK(…)``, ``+…``, ``-…``, ``@…``: LEDES files are opened in
  Excel too) gets a leading apostrophe, as in every export (``firm.lib.spreadsheets``).
* Refused (``ValueError``): an empty invoice number, client id, law firm matter id or law firm id,
  or timekeeper id, name or classification (after cleaning); a billing period ending before it
  starts; negative hours, rates or totals.
* Not checked: field lengths, timekeeper classification codes (PT, AS, OC, LA, OT) and UTBMS
  task/activity codes, whose rules vary between the clients' e-billing systems.
"""

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from firm.lib.spreadsheets import neutralise_formula

FORMAT_LINE = "LEDES1998B[]"
RECORD_END = "[]"
SEPARATOR = "|"
LINE_BREAK = "\r\n"
FEE = "F"
FIELDS = (
    "INVOICE_DATE",
    "INVOICE_NUMBER",
    "CLIENT_ID",
    "LAW_FIRM_MATTER_ID",
    "INVOICE_TOTAL",
    "BILLING_START_DATE",
    "BILLING_END_DATE",
    "INVOICE_DESCRIPTION",
    "LINE_ITEM_NUMBER",
    "EXP/FEE/INV_ADJ_TYPE",
    "LINE_ITEM_NUMBER_OF_UNITS",
    "LINE_ITEM_ADJUSTMENT_AMOUNT",
    "LINE_ITEM_TOTAL",
    "LINE_ITEM_DATE",
    "LINE_ITEM_TASK_CODE",
    "LINE_ITEM_EXPENSE_CODE",
    "LINE_ITEM_ACTIVITY_CODE",
    "TIMEKEEPER_ID",
    "LINE_ITEM_DESCRIPTION",
    "LAW_FIRM_ID",
    "LINE_ITEM_UNIT_COST",
    "TIMEKEEPER_NAME",
    "TIMEKEEPER_CLASSIFICATION",
    "CLIENT_MATTER_ID",
)
CENT = Decimal("0.01")
UNITS_QUANTUM = Decimal("0.0001")


@dataclass(frozen=True)
class LedesInvoice:
    """The invoice values repeated on every line item."""

    invoice_date: dt.date
    invoice_number: str
    client_id: str
    law_firm_matter_id: str
    billing_start: dt.date
    billing_end: dt.date
    description: str
    law_firm_id: str
    client_matter_id: str = ""


@dataclass(frozen=True)
class LedesLine:
    """One fee line item: time billed by a timekeeper on a day.

    ``units_hours`` is hours in decimal, ``unit_cost`` the hourly rate and ``total`` the billed
    amount in whole cents.
    """

    date: dt.date
    units_hours: Decimal
    unit_cost: Decimal
    total: Decimal
    description: str
    timekeeper_id: str
    timekeeper_name: str
    timekeeper_classification: str
    task_code: str = ""
    activity_code: str = ""


def clean_text(value: str) -> str:
    """``value`` made safe for a LEDES field: no ``|``, no ``[]``, no line breaks, one line,
    no formula."""
    spaced = "".join(
        " " if ch == SEPARATOR or ch.isspace() or unicodedata.category(ch) == "Cc" else ch
        for ch in value
    )
    while RECORD_END in spaced:
        spaced = spaced.replace(RECORD_END, "")
    return neutralise_formula(" ".join(spaced.split()))


def format_date(value: dt.date) -> str:
    """``YYYYMMDD``; a ``datetime`` is refused, the caller picks the local day."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"a LEDES date must be a date (not a datetime), got {value!r}.")
    return value.strftime("%Y%m%d")


def format_amount(value: Decimal) -> str:
    """An amount in whole cents as ``1234.50``: a dot, two decimals, no thousands separators."""
    amount = _decimal(value, "amount")
    if amount != amount.quantize(CENT):
        raise ValueError(f"a LEDES amount must be whole cents, got {value}.")
    return f"{abs(amount) if amount == 0 else amount:.2f}"


def format_units(value: Decimal) -> str:
    """Hours in decimal, half up to at most 4 decimals, at least one: ``0.1``, ``1.0``."""
    hours = _decimal(value, "number of hours").quantize(UNITS_QUANTUM, rounding=ROUND_HALF_UP)
    text = f"{abs(hours) if hours == 0 else hours:.4f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _decimal(value: Decimal, what: str) -> Decimal:
    if not isinstance(value, Decimal | int) or isinstance(value, bool):
        raise TypeError(f"a LEDES {what} must be a Decimal, got {value!r}.")
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"a LEDES {what} must be a finite number, got {value}.")
    return value


def _required(value: str, field: str, number: int | None = None) -> str:
    cleaned = clean_text(value)
    if not cleaned:
        where = "" if number is None else f"line item {number}: "
        raise ValueError(f"{where}{field} is required in a LEDES 1998B file, and it is empty.")
    return cleaned


def _not_negative(value: Decimal, field: str, number: int) -> Decimal:
    if _decimal(value, field) < 0:
        raise ValueError(f"line item {number}: {field} cannot be negative, got {value}.")
    return value


def _record(values: Sequence[str]) -> str:
    return SEPARATOR.join(values) + RECORD_END + LINE_BREAK


def ledes_1998b(invoice: LedesInvoice, lines: Sequence[LedesLine]) -> str:
    """The LEDES 1998B text of one invoice whose line items are all fees (``F``)."""
    if invoice.billing_end < invoice.billing_start:
        raise ValueError(
            f"the billing period ends ({invoice.billing_end}) before it starts "
            f"({invoice.billing_start})."
        )
    head = _invoice_values(invoice, lines)
    records = [FORMAT_LINE + LINE_BREAK, _record(FIELDS)]
    for number, line in enumerate(lines, start=1):
        values = {**head, **_line_values(line, number)}
        records.append(_record([values[field] for field in FIELDS]))
    return "".join(records)


def _invoice_values(invoice: LedesInvoice, lines: Sequence[LedesLine]) -> dict[str, str]:
    for number, line in enumerate(lines, start=1):
        _not_negative(line.total, "LINE_ITEM_TOTAL", number)
    return {
        "INVOICE_DATE": format_date(invoice.invoice_date),
        "INVOICE_NUMBER": _required(invoice.invoice_number, "INVOICE_NUMBER"),
        "CLIENT_ID": _required(invoice.client_id, "CLIENT_ID"),
        "LAW_FIRM_MATTER_ID": _required(invoice.law_firm_matter_id, "LAW_FIRM_MATTER_ID"),
        "INVOICE_TOTAL": format_amount(sum((line.total for line in lines), Decimal("0.00"))),
        "BILLING_START_DATE": format_date(invoice.billing_start),
        "BILLING_END_DATE": format_date(invoice.billing_end),
        "INVOICE_DESCRIPTION": clean_text(invoice.description),
        "LAW_FIRM_ID": _required(invoice.law_firm_id, "LAW_FIRM_ID"),
        "CLIENT_MATTER_ID": clean_text(invoice.client_matter_id),
    }


def _line_values(line: LedesLine, number: int) -> dict[str, str]:
    return {
        "LINE_ITEM_NUMBER": str(number),
        "EXP/FEE/INV_ADJ_TYPE": FEE,
        "LINE_ITEM_NUMBER_OF_UNITS": format_units(
            _not_negative(line.units_hours, "LINE_ITEM_NUMBER_OF_UNITS", number)
        ),
        "LINE_ITEM_ADJUSTMENT_AMOUNT": format_amount(Decimal("0.00")),
        "LINE_ITEM_TOTAL": format_amount(line.total),
        "LINE_ITEM_DATE": format_date(line.date),
        "LINE_ITEM_TASK_CODE": clean_text(line.task_code),
        "LINE_ITEM_EXPENSE_CODE": "",
        "LINE_ITEM_ACTIVITY_CODE": clean_text(line.activity_code),
        "TIMEKEEPER_ID": _required(line.timekeeper_id, "TIMEKEEPER_ID", number),
        "LINE_ITEM_DESCRIPTION": clean_text(line.description),
        "LINE_ITEM_UNIT_COST": format_amount(
            _not_negative(line.unit_cost, "LINE_ITEM_UNIT_COST", number)
        ),
        "TIMEKEEPER_NAME": _required(line.timekeeper_name, "TIMEKEEPER_NAME", number),
        "TIMEKEEPER_CLASSIFICATION": _required(
            line.timekeeper_classification, "TIMEKEEPER_CLASSIFICATION", number
        ),
    }
