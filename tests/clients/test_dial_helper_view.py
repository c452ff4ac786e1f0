import re

import pytest
from django.urls import reverse

from firm.models import FirmSettings
from tests.conftest import logged_in
from tests.factories import make_contact, make_trunk

pytestmark = pytest.mark.django_db


@pytest.fixture
def cellular(db):
    return make_trunk("9", "Gateway cellulare")


def _dial(user, client, **query):
    return logged_in(user).get(reverse("clients:detail", kwargs={"code": client.code}), query)


def _dial_string(response) -> str | None:
    found = re.search(rb'<output id="dial-string">([^<]*)</output>', response.content)
    return found.group(1).decode() if found else None


def test_the_seed_example_gives_the_exact_string_to_dial(rita, affaroni, cellular):
    response = _dial(rita, affaroni, number="345 456 5678", trunk=cellular.pk)
    assert _dial_string(response) == "93454565678**123"


@pytest.mark.parametrize(
    "typed", ["+39 345 456 5678", "345.456.5678", "345-456-5678", "3454565678"]
)
def test_pasted_numbers_are_cleaned_before_composing(rita, affaroni, cellular, typed):
    response = _dial(rita, affaroni, number=typed, trunk=cellular.pk)
    assert _dial_string(response) == "93454565678**123"


def test_the_helper_follows_a_changed_marker(rita, affaroni, cellular):
    firm = FirmSettings.load()
    firm.billing_marker = "##"
    firm.save()
    response = _dial(rita, affaroni, number="345 456 5678", trunk=cellular.pk)
    assert _dial_string(response) == "93454565678##123"


def test_the_helper_uses_the_chosen_trunks_prefix(rita, affaroni, cellular):
    voip = make_trunk("8", "Provider VoIP")
    response = _dial(rita, affaroni, number="02 3235 4095", trunk=voip.pk)
    assert _dial_string(response) == "80232354095**123"


def test_a_number_with_letters_gets_a_clear_error_and_no_string(rita, affaroni, cellular):
    response = _dial(rita, affaroni, number="345 CALL ME", trunk=cellular.pk)
    assert response.status_code == 200
    assert _dial_string(response) is None
    errors = response.context["form"].errors["number"]
    assert errors and "C" in errors[0]


def test_an_empty_number_is_a_form_error(rita, affaroni, cellular):
    response = _dial(rita, affaroni, number="", trunk=cellular.pk)
    assert _dial_string(response) is None
    assert response.context["form"].errors["number"]


def test_an_inactive_trunk_cannot_be_chosen(rita, affaroni, cellular):
    old = make_trunk("7", "Vecchio ISDN", is_active=False)
    response = _dial(rita, affaroni, number="345 456 5678", trunk=old.pk)
    assert _dial_string(response) is None
    assert response.context["form"].errors["trunk"]


def test_the_page_lists_the_clients_contacts_with_a_link_to_dial_them(rita, affaroni, cellular):
    make_contact("Mario Verdi", "345 456 5678", clients=[affaroni])
    response = _dial(rita, affaroni)
    assert b"Mario Verdi" in response.content
    assert b"?number=345%20456%205678#dial" in response.content


def test_an_unknown_client_code_is_not_found(rita):
    response = logged_in(rita).get(reverse("clients:detail", kwargs={"code": "999"}))
    assert response.status_code == 404


def test_a_contacts_link_shows_the_string_at_once_through_the_first_trunk(rita, affaroni):
    make_trunk("8", "Provider VoIP")
    make_trunk("9", "Gateway cellulare")
    response = _dial(rita, affaroni, number="345 456 5678")  # no trunk in a contact's link
    assert _dial_string(response) == "83454565678**123"
    assert "Questo campo è obbligatorio" not in response.content.decode()


@pytest.mark.parametrize("typed", ["0039 345 456 5678", "+39 345 456 5678", "345 456 5678"])
def test_the_home_country_code_written_0039_dials_like_plus_39(rita, affaroni, cellular, typed):
    assert _dial_string(_dial(rita, affaroni, number=typed, trunk=cellular.pk)) == (
        "93454565678**123"
    )


def test_an_extension_gets_no_trunk_and_no_code_and_the_page_says_why(rita, affaroni, cellular):
    response = _dial(rita, affaroni, number="114", trunk=cellular.pk)
    assert _dial_string(response) == "114"
    page = response.content.decode()
    assert "114 è un interno: si compone così com'è, senza trunk e senza codice" in page


def test_the_copy_button_says_copied_in_the_pages_language(rita, affaroni, cellular):
    response = _dial(rita, affaroni, number="345 456 5678", trunk=cellular.pk)
    assert 'data-copy="dial-string" data-copied="Copiato"' in response.content.decode()


def test_the_firms_default_trunk_is_preselected_and_used_by_a_contacts_link(rita, affaroni):
    make_trunk("8", "Provider VoIP")
    make_trunk("9", "Gateway cellulare", is_default=True)
    page = _dial(rita, affaroni).content.decode()
    selected = re.search(r'<option value="(\d+)" selected>([^<]*)</option>', page)
    assert selected.group(2) == "Gateway cellulare (9)"
    assert _dial_string(_dial(rita, affaroni, number="345 456 5678")) == "93454565678**123"
