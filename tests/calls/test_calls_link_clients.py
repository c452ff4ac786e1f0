from datetime import date, datetime

import pytest

from calls.services import LinkedCalls, calls_assign, calls_link_clients, period_close
from tests.conftest import ROME
from tests.factories import make_call, make_client

pytestmark = pytest.mark.django_db


def test_calls_get_the_client_whose_code_they_carry():
    affaroni = make_client("123", "Affaroni S.p.A.")
    coded = make_call(billing_code="123")
    uncoded = make_call(billing_code="")
    assert calls_link_clients(codes=["123"]) == LinkedCalls(attached=1)
    coded.refresh_from_db()
    uncoded.refresh_from_db()
    assert coded.client == affaroni
    assert uncoded.client is None


def test_calls_of_a_code_no_client_has_are_detached():
    affaroni = make_client("123", "Affaroni S.p.A.")
    orphan = make_call(billing_code="999", client=affaroni)
    assert calls_link_clients(codes=["999"]) == LinkedCalls(detached=1)
    orphan.refresh_from_db()
    assert orphan.client is None


def test_only_the_given_codes_are_touched():
    make_client("123", "Affaroni S.p.A.")
    other = make_call(billing_code="123")
    assert calls_link_clients(codes=["456", ""]) == LinkedCalls()
    other.refresh_from_db()
    assert other.client is None


def test_it_counts_what_it_changed_and_what_it_left_in_closed_months(paolo):
    affaroni = make_client("123", "Affaroni S.p.A.")
    bianchi = make_client("456", "Bianchi S.r.l.")
    april = datetime(2026, 4, 10, 9, 0, tzinfo=ROME)
    period_close(month=date(2026, 4, 1), user=paolo)
    for _ in range(3):
        make_call(billing_code="123")  # attached
    make_call(billing_code="123", client=affaroni)  # already right: not counted
    make_call(billing_code="999", client=bianchi)  # detached: no client has 999
    make_call(billing_code="999")  # nothing to detach
    calls_assign(calls=[make_call(billing_code="123")], client=bianchi, user=paolo)  # by hand
    make_call(billing_code="123", start=april)  # closed: not attached
    make_call(billing_code="123", start=april)
    make_call(billing_code="999", client=bianchi, start=april)  # closed: not detached
    assert calls_link_clients(codes=["123", "999"]) == LinkedCalls(
        attached=3, detached=1, closed_not_attached=2, closed_not_detached=1
    )
    assert calls_link_clients(codes=["123", "999"]) == LinkedCalls(
        closed_not_attached=2, closed_not_detached=1
    )
