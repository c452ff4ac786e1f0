import pytest
from django.urls import reverse

from tests.conftest import logged_in
from tests.factories import make_client, make_contact

pytestmark = pytest.mark.django_db


def _names(response):
    return [row.record.name for row in response.context["table"].page.object_list]


@pytest.fixture
def index(db):
    return {
        "affaroni": make_client("123", "Affaroni S.p.A.", vat_number="IT01234567890"),
        "bianchi": make_client("456", "Bianchi Costruzioni S.r.l.", tax_code="BNCMRA80A01F205X"),
        "rossi": make_client("1234", "Rossi Trasporti S.n.c."),
    }


def test_it_finds_a_client_by_part_of_the_name_ignoring_case(rita, index):
    response = logged_in(rita).get(reverse("clients:search"), {"q": "affar"})
    assert _names(response) == ["Affaroni S.p.A."]
    assert b"123" in response.content


def test_it_finds_a_client_by_code_with_the_exact_code_first(rita, index):
    make_client("1230", "Abaco S.r.l.")  # sorts before Affaroni by name
    response = logged_in(rita).get(reverse("clients:search"), {"q": "123"})
    assert _names(response) == ["Affaroni S.p.A.", "Abaco S.r.l.", "Rossi Trasporti S.n.c."]


def test_it_finds_a_client_by_vat_number_and_tax_code(rita, index):
    browser = logged_in(rita)
    assert _names(browser.get(reverse("clients:search"), {"q": "01234567"})) == ["Affaroni S.p.A."]
    found = _names(browser.get(reverse("clients:search"), {"q": "bncmra80a01f205x"}))
    assert found == ["Bianchi Costruzioni S.r.l."]


def test_every_word_must_match(rita, index):
    response = logged_in(rita).get(reverse("clients:search"), {"q": "rossi affaroni"})
    assert _names(response) == []
    response = logged_in(rita).get(reverse("clients:search"), {"q": "trasp ross"})
    assert _names(response) == ["Rossi Trasporti S.n.c."]


def test_a_contact_called_for_several_clients_finds_all_of_them(rita, index):
    make_contact("Mario Verdi", "345 456 5678", clients=[index["affaroni"], index["bianchi"]])
    response = logged_in(rita).get(reverse("clients:search"), {"q": "verdi"})
    assert _names(response) == ["Affaroni S.p.A.", "Bianchi Costruzioni S.r.l."]


def test_an_empty_search_lists_clients_by_name_one_page_at_a_time(rita):
    for n in range(30):
        make_client(str(500 + n), f"Cliente {n:02d}")
    response = logged_in(rita).get(reverse("clients:search"))
    names = _names(response)
    assert len(names) == 25
    assert names == sorted(names)
    second = logged_in(rita).get(reverse("clients:search"), {"page": 2})
    assert len(_names(second)) == 5


def test_the_active_filter_hides_inactive_clients(rita, index):
    index["rossi"].is_active = False
    index["rossi"].save()
    response = logged_in(rita).get(reverse("clients:search"), {"is_active": "true"})
    assert "Rossi Trasporti S.n.c." not in _names(response)


@pytest.mark.parametrize("query", ["' OR 1=1 --", "<script>alert(1)</script>", "%", "_", "\\"])
def test_hostile_searches_find_nothing_and_do_not_break_the_page(rita, index, query):
    response = logged_in(rita).get(reverse("clients:search"), {"q": query})
    assert response.status_code == 200
    assert _names(response) == []
    assert b"<script>alert(1)</script>" not in response.content


def test_a_search_longer_than_the_limit_is_a_form_error_not_a_crash(rita, index):
    response = logged_in(rita).get(reverse("clients:search"), {"q": "x" * 5000})
    assert response.status_code == 200
    assert response.context["filter"].form.errors


# --- Found through a contact: its name or its phone number (issue 21) --------------------------


@pytest.mark.parametrize("typed", ["3454398547", "345 439 8547", "345-439-8547", "4398547"])
def test_a_contacts_phone_number_finds_its_client_however_it_is_written(rita, index, typed):
    make_contact("Mario Affaroni", "+39 345 439.8547", clients=[index["affaroni"]])
    response = logged_in(rita).get(reverse("clients:search"), {"q": typed})
    assert _names(response) == ["Affaroni S.p.A."]
    assert "tramite Mario Affaroni (+39 345 439.8547)" in response.content.decode()


def test_a_few_digits_do_not_search_phone_numbers(rita, index):
    make_contact("Mario Affaroni", "345 439 8547", clients=[index["bianchi"]])
    response = logged_in(rita).get(reverse("clients:search"), {"q": "439"})
    assert _names(response) == []


def test_a_client_found_by_a_contacts_name_says_through_whom(rita, index):
    make_contact("Mario Verdi", clients=[index["affaroni"], index["bianchi"]])
    make_contact("Anna Neri", clients=[index["affaroni"]])
    page = logged_in(rita).get(reverse("clients:search"), {"q": "verdi"}).content.decode()
    assert page.count("tramite Mario Verdi") == 2
    assert "Anna Neri" not in page


def test_a_client_found_by_its_own_name_names_no_contact(rita, index):
    make_contact("Mario Affaroni", clients=[index["affaroni"]])
    page = logged_in(rita).get(reverse("clients:search"), {"q": "affaroni"}).content.decode()
    assert "tramite" not in page


def test_words_found_partly_in_the_client_and_partly_in_a_contact(rita, index):
    make_contact("Mario Verdi", "02 9876 5432", clients=[index["affaroni"]])
    response = logged_in(rita).get(reverse("clients:search"), {"q": "affaroni 98765432"})
    assert _names(response) == ["Affaroni S.p.A."]
    assert "tramite Mario Verdi (02 9876 5432)" in response.content.decode()


def test_a_contacts_name_is_escaped_on_the_results(rita, index):
    make_contact("<b>Verdi</b>", clients=[index["affaroni"]])
    page = logged_in(rita).get(reverse("clients:search"), {"q": "verdi"}).content.decode()
    assert "tramite &lt;b&gt;Verdi&lt;/b&gt;" in page
