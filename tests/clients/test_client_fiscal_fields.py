"""A client's address and invoicing fields: admin and the CSV/XLSX import take them, checked."""

import pytest
from django.core.exceptions import ValidationError

from clients.importing import RowError, rows_from_table
from clients.models import Client
from clients.services import clients_import
from firm.models import FirmSettings
from firm.services import firm_settings_save
from tests.factories import make_client

HEADER = [
    "Codice",
    "Ragione sociale",
    "Partita IVA",
    "Indirizzo",
    "CAP",
    "Comune",
    "Provincia",
    "Codice destinatario",
    "PEC",
    "Sostituto d'imposta",
]


def _rows(*data):
    return list(rows_from_table([HEADER, *data]))


def test_the_import_reads_the_address_and_invoicing_columns():
    (row,) = _rows(
        [
            "200",
            "Alfa S.r.l.",
            "IT01234567897",
            "Via Roma 1",
            "20121",
            "Milano",
            "mi",
            "m5uxcr1",
            "alfa@pec.it",
            "sì",
        ]
    )
    assert not isinstance(row, RowError)
    assert (row.street, row.postal_code, row.city, row.province, row.country) == (
        "Via Roma 1",
        "20121",
        "Milano",
        "MI",
        "IT",
    )
    assert (row.sdi_code, row.pec, row.withholding_agent) == ("M5UXCR1", "alfa@pec.it", True)


@pytest.mark.parametrize(
    "cells, field",
    [
        (["IT01234567890", "Via Roma 1", "20121", "Milano", "MI", "", "", ""], "vat_number"),
        (["", "Via Roma 1", "2012", "Milano", "MI", "", "", ""], "postal_code"),
        (["", "Via Roma 1", "20121", "Milano", "XX", "", "", ""], "province"),
        (["", "Via Roma 1", "20121", "Milano", "MI", "ABC", "", ""], "sdi_code"),
        (["", "Via Roma 1", "20121", "Milano", "MI", "", "not-an-address", ""], "pec"),
        (["", "Via Roma 1", "20121", "Milano", "MI", "", "", "forse"], "withholding_agent"),
    ],
)
def test_the_import_refuses_a_bad_value_naming_line_and_field(cells, field):
    (row,) = _rows(["200", "Alfa S.r.l.", *cells])
    assert isinstance(row, RowError)
    assert (row.line, row.field) == (2, field)


@pytest.mark.django_db
def test_imported_fiscal_fields_are_saved_and_a_list_without_them_leaves_them():
    rows = _rows(
        ["200", "Alfa S.r.l.", "01234567897", "Via Roma 1", "20121", "Milano", "MI", "", "", "x"]
    )
    clients_import(rows=rows)
    alfa = Client.objects.get(code="200")
    assert (alfa.street, alfa.postal_code, alfa.city, alfa.province, alfa.country) == (
        "Via Roma 1",
        "20121",
        "Milano",
        "MI",
        "IT",
    )
    assert alfa.withholding_agent is True
    clients_import(rows=rows_from_table([["Codice", "Ragione sociale"], ["200", "Alfa S.p.A."]]))
    alfa.refresh_from_db()
    assert (alfa.name, alfa.street, alfa.withholding_agent) == ("Alfa S.p.A.", "Via Roma 1", True)


@pytest.mark.django_db
def test_a_client_and_the_firm_refuse_a_wrong_partita_iva_and_province():
    client = make_client(vat_number="IT01234567890", province="ZZ")
    with pytest.raises(ValidationError) as refused:
        client.full_clean()
    assert set(refused.value.message_dict) == {"vat_number", "province"}
    firm = FirmSettings.load()
    firm.vat_number, firm.postal_code = "01234567890", "123"
    with pytest.raises(ValidationError) as refused:
        firm_settings_save(firm_settings=firm)
    assert set(refused.value.message_dict) == {"vat_number", "postal_code"}
