"""Amounts in euro as people type them. Pure Python."""

import re
from decimal import Decimal

# An amount as Excel or an Italian accountant writes it: 180, 180,00, 1.234,50, € 180,
# 180.00 (a point before two last digits is a decimal point; before three, thousands).
_AMOUNT = re.compile(r"^\d{1,3}(?:\.\d{3})*(?:,\d{1,2})?$|^\d+(?:[.,]\d{1,2})?$")
AMOUNT_MAX = Decimal("9999999.99")  # the columns' 9 digits, 2 after the point


def parse_euro(text: str) -> Decimal | None:
    """``text`` as euro and cents; None when empty. ValueError when it is not an amount
    (negative, letters, three decimals, more than AMOUNT_MAX)."""
    text = text.replace("€", "").replace("EUR", "").replace(" ", "").replace("\xa0", "").strip()
    if not text:
        return None
    if not _AMOUNT.match(text):
        raise ValueError(text)
    if "," in text:  # Italian: '.' groups thousands, ',' is the decimal point
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text):  # 1.234: Italian thousands
        text = text.replace(".", "")
    amount = Decimal(text).quantize(Decimal("0.01"))
    if amount > AMOUNT_MAX:
        raise ValueError(text)
    return amount
