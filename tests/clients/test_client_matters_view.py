"""Receptionists and matters: the client's card lists its active matters with what to dial,
the dial helper takes a matter, and the client search finds matters."""

import re

import pytest
from django.urls import reverse

from tests.conftest import logged_in
from tests.factories import make_client, make_matter, make_trunk

pytestmark = pytest.mark.django_db


@pytest.fixture
def affaroni_with_matters(affaroni):
    client = affaroni
    make_matter(client, "12301", "Causa Rossi c. Bianchi")
    make_matter(client, "12302", "Recupero crediti")
    make_matter(client, "12309", "Pratica archiviata", is_active=False)
    return client


@pytest.fixture
def cellular(db):
    return make_trunk("9", "Gateway cellulare", is_default=True)


def _card(user, client, **query):
    return logged_in(user).get(reverse("clients:detail", kwargs={"code": client.code}), query)


def _dial_string(response) -> str | None:
    found = re.search(rb'<output id="dial-string">([^<]*)</output>', response.content)
    return found.group(1).decode() if found else None


def _matter_rows(response) -> dict[str, str]:
    return {
        row.matter.code: row.dial_string or f"{row.prefix} + … + {row.suffix}"
        for row in response.context["matters"]
    }


def test_the_card_lists_active_matters_with_the_shape_of_the_string_to_dial(
    rita, affaroni_with_matters, cellular
):
    response = _card(rita, affaroni_with_matters)
    assert _matter_rows(response) == {"12301": "9 + … + **12301", "12302": "9 + … + **12302"}
    page = response.content.decode()
    assert "Causa Rossi c. Bianchi" in page and "Pratica archiviata" not in page


def test_with_a_number_each_matter_shows_its_whole_string(rita, affaroni_with_matters, cellular):
    response = _card(rita, affaroni_with_matters, number="345 456 5678", trunk=cellular.pk)
    assert _dial_string(response) == "93454565678**123"
    assert _matter_rows(response) == {
        "12301": "93454565678**12301",
        "12302": "93454565678**12302",
    }


def test_the_helper_dials_the_chosen_matter(rita, affaroni_with_matters, cellular):
    rossi = affaroni_with_matters.matters.get(code="12301")
    response = _card(
        rita, affaroni_with_matters, number="3454565678", trunk=cellular.pk, matter=rossi.pk
    )
    assert _dial_string(response) == "93454565678**12301"
    assert "**12301" in response.content.decode()


def test_a_matter_of_another_client_or_a_closed_one_cannot_be_chosen(
    rita, affaroni_with_matters, cellular
):
    other = make_matter(make_client("456", "Bianchi S.r.l."), "45601")
    closed = affaroni_with_matters.matters.get(code="12309")
    for matter in (other, closed):
        response = _card(
            rita, affaroni_with_matters, number="3454565678", trunk=cellular.pk, matter=matter.pk
        )
        assert _dial_string(response) is None
        assert response.context["form"].errors["matter"]


def test_a_client_with_no_matters_shows_no_matter_choice(rita, cellular):
    bianchi = make_client("456", "Bianchi S.r.l.")
    response = _card(rita, bianchi, number="3454565678", trunk=cellular.pk)
    assert _dial_string(response) == "93454565678**456"
    assert 'name="matter"' not in response.content.decode()


@pytest.mark.parametrize("query", ["rossi", "crediti", "12302", "1230"])
def test_the_search_finds_a_client_by_its_matters_and_shows_them(
    rita, affaroni_with_matters, query
):
    make_client("456", "Bianchi S.r.l.")
    response = logged_in(rita).get(reverse("clients:search"), {"q": query})
    found = [row.record.code for row in response.context["table"].page.object_list]
    assert found == ["123"]
    assert "found-matters" in response.content.decode()


def test_a_matters_exact_code_puts_its_client_first(rita, affaroni_with_matters):
    make_client("12302999", "Aaa primo per nome")  # starts with 12302, sorts first by name
    response = logged_in(rita).get(reverse("clients:search"), {"q": "12302"})
    found = [row.record.code for row in response.context["table"].page.object_list]
    assert found == ["123", "12302999"]
