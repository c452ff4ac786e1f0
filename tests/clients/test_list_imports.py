"""The one path that imports client and matter lists (clients.services): which codes it
creates, updates and leaves, and which codes' calls it hands on to be linked."""

import pytest

from clients.importing import matter_rows_from_table, rows_from_table
from clients.models import Client, Matter
from clients.services import clients_import, matters_import
from tests.factories import make_client, make_matter

pytestmark = pytest.mark.django_db


def test_a_list_whose_rows_are_all_rejected_writes_nothing_and_says_why():
    make_client("300", "Gamma")
    result = clients_import(rows=rows_from_table([["code", "name"], ["abc", "Delta"], ["301", ""]]))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert [(e.line, e.field) for e in result.rejected] == [(2, "code"), (3, "name")]
    assert list(Client.objects.values_list("code", flat=True)) == ["300"]


def test_new_codes_and_matters_moved_to_another_client_are_handed_on_to_link():
    affaroni, bianchi = make_client("123", "Affaroni"), make_client("456", "Bianchi")
    make_matter(affaroni, "12301", "Causa Rossi")
    make_matter(affaroni, "12302", "Recupero")
    table = [
        ["Codice pratica", "Codice cliente", "Descrizione"],
        ["12301", "456", "Causa Rossi"],  # moved to Bianchi
        ["12302", "123", "Recupero crediti"],  # renamed, same client
        ["12303", "123", "Nuova"],
    ]
    result = matters_import(rows=matter_rows_from_table(table))
    assert (result.created, result.updated, result.unchanged) == (1, 2, 0)
    assert sorted(result.codes_to_link) == ["12301", "12303"]
    assert Matter.objects.get(code="12301").client == bianchi
    again = clients_import(rows=rows_from_table([["code", "name"], ["123", "Affaroni"]]))
    assert (again.created, again.unchanged, again.codes_to_link) == (0, 1, [])
