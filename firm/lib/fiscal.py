"""Italian fiscal identifiers and addresses: shape and check digits. Pure (no Django).

- Partita IVA: 11 digits, the last a check digit (the Luhn-like rule of DM 23/12/1976:
  odd positions summed, even positions doubled with 9 subtracted above 9, the check digit
  brings the sum to a multiple of 10). An ``IT`` prefix and spaces are accepted and dropped.
- Codice fiscale: a person's 16 characters (letters and digits in their places, the digits
  possibly replaced by the omocodia letters LMNPQRSTUV, the last a check letter), or an
  organisation's 11 digits (a partita IVA).
- CAP: 5 digits. Province: the two-letter sigla of an Italian province.
- Codice destinatario (SDI): 7 upper-case letters or digits (``0000000``: PEC or private).
"""

import re

PERSON_TAX_CODE = re.compile(
    r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$"
)
POSTAL_CODE = re.compile(r"^[0-9]{5}$")
SDI_CODE = re.compile(r"^[A-Z0-9]{7}$")
NO_SDI_CODE = "0000000"

# The sigle of the Italian provinces and metropolitan cities (with SU, Sud Sardegna).
PROVINCES = frozenset(
    """AG AL AN AO AP AQ AR AT AV BA BG BI BL BN BO BR BS BT BZ CA CB CE CH CL CN CO CR CS
    CT CZ EN FC FE FG FI FM FR GE GO GR IM IS KR LC LE LI LO LT LU MB MC ME MI MN MO MS MT NA
    NO NU OR PA PC PD PE PG PI PN PO PR PT PU PV PZ RA RC RE RG RI RM RN RO SA SI SO SP SR SS
    SU SV TA TE TN TO TP TR TS TV UD VA VB VC VE VI VR VT VV""".split()
)

# Check letter of a codice fiscale: values of the characters in odd and even positions.
_ODD = dict(
    zip(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        [
            1,
            0,
            5,
            7,
            9,
            13,
            15,
            17,
            19,
            21,
            1,
            0,
            5,
            7,
            9,
            13,
            15,
            17,
            19,
            21,
            2,
            4,
            18,
            20,
            11,
            3,
            6,
            8,
            12,
            14,
            16,
            10,
            22,
            25,
            24,
            23,
        ],
        strict=True,
    )
)


def _even(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A")


def normalize_vat_number(value: str) -> str:
    """A partita IVA as typed ("IT 01234567890") → its digits ("01234567890")."""
    cleaned = re.sub(r"[\s.\-]", "", value or "").upper()
    return cleaned[2:] if cleaned.startswith("IT") else cleaned


def vat_number_ok(value: str) -> bool:
    """Whether ``value`` is an Italian partita IVA: 11 digits with the right check digit."""
    digits = normalize_vat_number(value)
    if not re.fullmatch(r"[0-9]{11}", digits) or digits == "0" * 11:
        return False
    total = 0
    for position, char in enumerate(digits[:10]):
        number = int(char)
        if position % 2 == 1:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return (10 - total % 10) % 10 == int(digits[10])


def tax_code_ok(value: str) -> bool:
    """Whether ``value`` is a codice fiscale: a person's 16 characters with the right check
    letter, or an organisation's 11 digits (a partita IVA)."""
    code = (value or "").strip().upper()
    if len(code) == 11:
        return vat_number_ok(code)
    if not PERSON_TAX_CODE.match(code):
        return False
    total = sum(
        _ODD[char] if position % 2 == 0 else _even(char) for position, char in enumerate(code[:15])
    )
    return chr(ord("A") + total % 26) == code[15]


def postal_code_ok(value: str) -> bool:
    return bool(POSTAL_CODE.match((value or "").strip()))


def province_ok(value: str) -> bool:
    return (value or "").strip().upper() in PROVINCES


def sdi_code_ok(value: str) -> bool:
    return bool(SDI_CODE.match((value or "").strip()))
