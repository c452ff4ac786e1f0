import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from calls.models import Trunk, TrunkIdentifier
from tests.conftest import logged_in
from tests.factories import make_trunk

pytestmark = pytest.mark.django_db


def _add_trunk(user, **fields):
    data = {
        "name": "Nuovo trunk",
        "kind": "voip",
        "prefix": "",
        "strip_prefix": "on",
        "is_active": "on",
        "notes": "",
        "identifiers-TOTAL_FORMS": "1",
        "identifiers-INITIAL_FORMS": "0",
        "identifiers-MIN_NUM_FORMS": "0",
        "identifiers-MAX_NUM_FORMS": "1000",
        "identifiers-0-value": "",
    }
    data.update(fields)
    return logged_in(user).post(reverse("admin:calls_trunk_add"), data)


def test_an_administrator_adds_a_trunk_with_its_pbx_identifier(anna):
    response = _add_trunk(
        anna,
        name="Gateway cellulare",
        kind="cellular",
        prefix="9",
        **{"identifiers-0-value": "10001"},
    )
    assert response.status_code == 302
    trunk = Trunk.objects.get(name="Gateway cellulare")
    assert (trunk.prefix, trunk.strip_prefix, trunk.kind) == ("9", True, "cellular")
    assert [i.value for i in trunk.identifiers.all()] == ["10001"]


@pytest.mark.parametrize("clash", ["9", "90", "901"])
def test_a_prefix_that_begins_with_another_trunks_prefix_is_refused(anna, clash):
    make_trunk("9", "Gateway cellulare")
    response = _add_trunk(anna, prefix=clash)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["prefix"]
    assert "Gateway cellulare" in errors[0]
    assert Trunk.objects.count() == 1


def test_a_prefix_that_another_trunks_prefix_begins_with_is_refused(anna):
    make_trunk("90", "Provider VoIP")
    response = _add_trunk(anna, prefix="9")
    assert response.status_code == 200
    assert "Provider VoIP" in response.context["adminform"].form.errors["prefix"][0]


def test_disjoint_prefixes_and_trunks_without_prefix_are_accepted(anna):
    make_trunk("9", "Gateway cellulare")
    make_trunk("", "Solo in entrata")
    assert _add_trunk(anna, name="VoIP", prefix="8").status_code == 302
    assert _add_trunk(anna, name="Altro senza prefisso", prefix="").status_code == 302
    assert Trunk.objects.count() == 4


def test_editing_a_trunk_does_not_clash_with_itself(anna):
    trunk = make_trunk("9", "Gateway cellulare")
    trunk.name = "Gateway GSM"
    trunk.full_clean()


@pytest.mark.parametrize("prefix", ["9a", "*9", "1234567"])
def test_a_prefix_that_is_not_up_to_six_digits_is_refused(anna, prefix):
    response = _add_trunk(anna, prefix=prefix)
    assert response.status_code == 200
    assert "prefix" in response.context["adminform"].form.errors


def test_one_pbx_identifier_cannot_name_two_trunks(anna):
    make_trunk("9", "Gateway cellulare", identifiers=["10001"])
    response = _add_trunk(anna, prefix="8", **{"identifiers-0-value": "10001"})
    assert response.status_code == 200
    assert TrunkIdentifier.objects.count() == 1


def test_the_database_refuses_duplicate_and_non_digit_prefixes_even_without_validation():
    make_trunk("9", "A")
    with pytest.raises(IntegrityError), transaction.atomic():
        Trunk.objects.create(name="B", prefix="9")
    with pytest.raises(IntegrityError), transaction.atomic():
        Trunk.objects.create(name="C", prefix="9x")
    Trunk.objects.create(name="D", prefix="")
    Trunk.objects.create(name="E", prefix="")  # many trunks may have no prefix
    assert Trunk.objects.filter(prefix="").count() == 2


def test_the_database_refuses_an_unknown_kind():
    with pytest.raises(IntegrityError), transaction.atomic():
        Trunk.objects.create(name="X", prefix="5", kind="pigeon")


def test_one_trunk_is_the_dial_helpers_default_and_the_admin_names_the_current_one(anna):
    make_trunk("9", "Gateway cellulare", is_default=True)
    response = _add_trunk(anna, name="Provider VoIP", prefix="8", is_default="on")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["is_default"] == [
        "“Gateway cellulare” è ora il predefinito: togli prima la spunta lì."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        make_trunk("7", "Altro", is_default=True)  # the database refuses a second one too


def test_a_trunk_without_prefix_cannot_be_the_default(anna):
    response = _add_trunk(anna, name="Solo identificativo", prefix="", is_default="on")
    assert response.status_code == 200
    assert "is_default" in response.context["adminform"].form.errors
