"""Spreadsheet formula injection: the one rule every export follows (CSV, XLSX, billing CSV,
LEDES).

Caller names, numbers and client names come from the PBX and from people: a text that a
spreadsheet would run as a formula (``=HYPERLINK(…)``, ``+39…``, ``-2+3``, ``@SUM(…)``, or any
of them after a tab or carriage return) is neutralised (OWASP "CSV injection"). Text files get a
leading apostrophe, which Excel and LibreOffice show as text; XLSX cells are written as strings
with Excel's quote prefix (``calls.exports.xlsx_text``), which is what Excel stores when a user
types the apostrophe. Pure: no Django.
"""

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
