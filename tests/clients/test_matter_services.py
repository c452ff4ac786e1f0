"""Matters: a code names one client or one matter; adding, recoding and deleting a matter
attaches and detaches the calls of its code as for clients (both databases)."""

from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from calls.services import (
    LinkedCalls,
    calls_assign,
    calls_link_clients,
    client_save_and_link,
    matter_delete_and_unlink,
    matter_save_and_link,
    period_close,
)
from clients.models import Client, Matter
from tests.conftest import ROME
from tests.factories import make_call, make_client, make_matter

pytestmark = pytest.mark.django_db


def test_adding_a_matter_attaches_the_calls_of_its_code_as_adding_a_client_does(paolo):
    affaroni = make_client("123", "Affaroni S.p.A.")
    bianchi = make_client("456", "Bianchi S.r.l.")
    period_close(month=date(2026, 4, 1), user=paolo)
    waiting = [make_call(billing_code="12301") for _ in range(3)]
    by_hand = make_call(billing_code="12301")
    calls_assign(calls=[by_hand], client=bianchi, user=paolo)
    in_april = make_call(billing_code="12301", start=datetime(2026, 4, 10, 9, 0, tzinfo=ROME))
    other = make_call(billing_code="123")

    saved = matter_save_and_link(matter=Matter(client=affaroni, code="12301", name="Causa Rossi"))

    assert saved.linked == LinkedCalls(attached=3, closed_not_attached=1)
    for call in [*waiting, by_hand, in_april, other]:
        call.refresh_from_db()
    assert {(c.client, c.matter) for c in waiting} == {(affaroni, saved.matter)}
    assert (by_hand.client, by_hand.matter, by_hand.client_set_by_hand) == (bianchi, None, True)
    assert (in_april.client, in_april.matter) == (None, None)
    assert (other.client, other.matter) == (None, None)  # only the matter's code is touched


def test_a_new_code_detaches_the_old_ones_calls_and_attaches_the_new_ones():
    affaroni = make_client("123", "Affaroni S.p.A.")
    matter = make_matter(affaroni, "12301")
    calls_link_clients(codes=["12301"])
    old = make_call(billing_code="12301", client=affaroni, matter=matter)
    new = make_call(billing_code="12399")
    matter.code = "12399"
    assert matter_save_and_link(matter=matter, previous_code="12301").linked == LinkedCalls(
        attached=1, detached=1
    )
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.client, old.matter) == (None, None)
    assert (new.client, new.matter) == (affaroni, matter)


def test_a_deleted_matter_leaves_its_calls_as_unknown_code():
    affaroni = make_client("123", "Affaroni S.p.A.")
    matter = make_matter(affaroni, "12301")
    call = make_call(billing_code="12301", client=affaroni, matter=matter)
    assert matter_delete_and_unlink(matter=matter) == LinkedCalls(detached=1)
    call.refresh_from_db()
    assert (call.client, call.matter) == (None, None)


def test_linking_keeps_the_matter_in_step_with_the_client():
    affaroni = make_client("123", "Affaroni S.p.A.")
    bianchi = make_client("456", "Bianchi S.r.l.")
    matter = make_matter(bianchi, "45601")
    # A call billed to Affaroni's code whose code now belongs to Bianchi's matter, and one
    # with a stale matter on a client code.
    moved = make_call(billing_code="45601", client=affaroni)
    stale = make_call(billing_code="123", client=affaroni, matter=matter)
    assert calls_link_clients(codes=["45601", "123"]) == LinkedCalls(attached=2)
    moved.refresh_from_db()
    stale.refresh_from_db()
    assert (moved.client, moved.matter) == (bianchi, matter)
    assert (stale.client, stale.matter) == (affaroni, None)


def test_a_matter_may_not_take_a_client_code_nor_a_client_a_matter_code():
    affaroni = make_client("123", "Affaroni S.p.A.")
    make_matter(affaroni, "12301", "Causa Rossi c. Bianchi")
    with pytest.raises(ValidationError) as error:
        matter_save_and_link(matter=Matter(client=affaroni, code="123", name="Una pratica"))
    assert error.value.message_dict["code"] == [
        "Il codice 123 è il codice del cliente Affaroni S.p.A."
    ]
    with pytest.raises(ValidationError) as error:
        client_save_and_link(client=Client(code="12301", name="Nuovo cliente"))
    assert error.value.message_dict["code"] == [
        "Il codice 12301 è il codice della pratica “Causa Rossi c. Bianchi” di Affaroni S.p.A."
    ]


@pytest.mark.parametrize("first", ["client", "matter"])
def test_the_database_refuses_a_code_that_names_a_client_and_a_matter(first):
    """The triggers of migration clients/0006, on SQLite and PostgreSQL: inserts and updates
    that skip the forms (bulk imports, the shell) are refused too."""
    affaroni = make_client("123", "Affaroni S.p.A.")
    if first == "client":
        make_client("555", "Cliente 555")
        with pytest.raises(IntegrityError), transaction.atomic():
            Matter.objects.create(client=affaroni, code="555", name="Pratica")
        matter = make_matter(affaroni, "556")
        with pytest.raises(IntegrityError), transaction.atomic():
            Matter.objects.filter(pk=matter.pk).update(code="555")
    else:
        make_matter(affaroni, "555")
        with pytest.raises(IntegrityError), transaction.atomic():
            Client.objects.create(code="555", name="Cliente 555")
        with pytest.raises(IntegrityError), transaction.atomic():
            Client.objects.filter(pk=affaroni.pk).update(code="555")
    # Other codes and other columns pass.
    Matter.objects.filter(client=affaroni).update(name="Rinominata")
    Client.objects.filter(pk=affaroni.pk).update(code="124")
    assert Client.objects.filter(code="124").exists()
