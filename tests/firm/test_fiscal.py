"""Italian fiscal identifiers (firm/lib/fiscal.py): pure, no database."""

import pytest

from firm.lib.fiscal import postal_code_ok, province_ok, sdi_code_ok, tax_code_ok, vat_number_ok


@pytest.mark.parametrize(
    "value, ok",
    [
        ("01234567897", True),
        ("IT 01234567897", True),
        ("it01234567897", True),
        ("01234567890", False),  # wrong check digit
        ("0123456789", False),  # 10 digits
        ("00000000000", False),
        ("0123456789A", False),
    ],
)
def test_a_partita_iva_needs_eleven_digits_and_its_check_digit(value, ok):
    assert vat_number_ok(value) is ok


@pytest.mark.parametrize(
    "value, ok",
    [
        ("RSSMRA80A01H501U", True),
        ("rssmra80a01h501u", True),
        ("RSSMRA80A01H501A", False),  # wrong check letter
        ("RSSMRA80Z01H501U", False),  # no month Z
        ("RSSMRA80A01H50", False),
        ("01234567897", True),  # an organisation's: its partita IVA
        ("01234567890", False),
    ],
)
def test_a_codice_fiscale_has_a_persons_shape_or_is_a_partita_iva(value, ok):
    assert tax_code_ok(value) is ok


def test_cap_province_and_codice_destinatario():
    assert postal_code_ok("20121") and not postal_code_ok("2012") and not postal_code_ok("2012A")
    assert province_ok("MI") and province_ok("rm") and not province_ok("XX")
    assert sdi_code_ok("0000000") and sdi_code_ok("M5UXCR1") and not sdi_code_ok("M5UXCR")
