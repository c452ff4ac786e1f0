"""Spreadsheet formula injection: the one rule every export follows (CSV, XLSX, billing CSV,
LEDES).

Caller names, numbers and client names come from the PBX and from people: a text that a
spreadsheet would run as a formula (``=HYPERLINK(…)``, ``+39…``, ``-2+3``, ``@SUM(…)``, or any
of them after a tab or carriage return) is neutralised (OWASP "CSV injection"). Text files get a
leading apostrophe, which Excel and LibreOffice show as text; XLSX cells are written as strings
with Excel's quote prefix (``xlsx_text``), which is what Excel stores when a user
types the apostrophe. Pure: no Django.

The CSV and XLSX pieces every export shares are here too: Italian Excel's CSV (``;`` between
fields, a decimal comma) and a write-only workbook with a bold header row.
"""

from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# Italian Excel splits a CSV line at its list separator, ';', and reads a decimal comma.
CSV_DELIMITER = ";"
CSV_DECIMAL_SEPARATOR = ","

# Text starting with one of these may be read as a formula by a spreadsheet.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula."""
    return text.startswith(FORMULA_TRIGGERS)


def neutralise_formula(text: str) -> str:
    """``'=1+1`` for ``=1+1``: a spreadsheet shows the text instead of running a formula."""
    if looks_like_formula(text):
        return "'" + text
    return text


def csv_decimal(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value, "f").replace(".", CSV_DECIMAL_SEPARATOR)


def xlsx_text(sheet):
    def write(value: str):
        if ILLEGAL_CHARACTERS_RE.search(value):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not looks_like_formula(value):
            return value
        # A string cell with Excel's quote prefix: shown as typed, never a formula.
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell

    return write


def xlsx_workbook(title: str, labels, *, widths=()) -> tuple[Workbook, object]:
    """A write-only workbook whose one sheet has a bold, frozen header row of ``labels``."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for label in labels:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    return workbook, sheet
