import pytest

from calls.services import calls_link_clients
from tests.factories import make_call, make_client

pytestmark = pytest.mark.django_db


def test_calls_get_the_client_whose_code_they_carry():
    affaroni = make_client("123", "Affaroni S.p.A.")
    coded = make_call(billing_code="123")
    uncoded = make_call(billing_code="")
    assert calls_link_clients(codes=["123"]) == 1
    coded.refresh_from_db()
    uncoded.refresh_from_db()
    assert coded.client == affaroni
    assert uncoded.client is None


def test_calls_of_a_code_no_client_has_are_detached():
    affaroni = make_client("123", "Affaroni S.p.A.")
    orphan = make_call(billing_code="999", client=affaroni)
    calls_link_clients(codes=["999"])
    orphan.refresh_from_db()
    assert orphan.client is None


def test_only_the_given_codes_are_touched():
    make_client("123", "Affaroni S.p.A.")
    other = make_call(billing_code="123")
    assert calls_link_clients(codes=["456", ""]) == 0
    other.refresh_from_db()
    assert other.client is None
