import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from firm.models import FirmSettings
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db

# The smallest PNG: one transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000185d9b4c40000000049454e44ae426082"
)


def _save_settings(user, headers=None, **fields):
    data = {
        "firm_name": "Studio Legale Rossi",
        "billing_marker": "**",
        "internal_extension_lengths": "3",
        "country_code": "39",
        "international_prefix": "00",
        # The fee items' settings as the form shows them by default.
        "fiscal_regime": "RF01",
        "general_expenses_rate": "15.00",
        "cassa_rate": "4.00",
        "vat_rate": "22.00",
        "withholding_rate": "20.00",
        "withholding_type": "RT01",
    }
    data.update(fields)
    url = reverse("admin:firm_firmsettings_change", args=[FirmSettings.load().pk])
    return logged_in(user).post(url, data, headers=headers or {})


def test_the_settings_list_opens_the_single_settings_row(anna):
    response = logged_in(anna).get(reverse("admin:firm_firmsettings_changelist"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:firm_firmsettings_change", args=[1])


def test_an_administrator_changes_the_marker_and_firm_name(anna):
    assert _save_settings(anna, billing_marker="##", firm_name="Studio Bianchi").status_code == 302
    firm = FirmSettings.load()
    assert (firm.billing_marker, firm.firm_name) == ("##", "Studio Bianchi")


@pytest.mark.parametrize("marker", ["12", "", "ab", "*****", "*-"])
def test_a_marker_that_could_be_confused_with_digits_or_is_not_dialable_is_refused(anna, marker):
    response = _save_settings(anna, billing_marker=marker)
    assert response.status_code == 200
    assert "billing_marker" in response.context["adminform"].form.errors
    assert FirmSettings.load().billing_marker == "**"


@pytest.mark.parametrize(("typed", "lengths"), [("3", {3}), ("3,4", {3, 4}), (" 2 , 5 ", {2, 5})])
def test_internal_extension_lengths_are_read_as_a_set(anna, typed, lengths):
    assert _save_settings(anna, internal_extension_lengths=typed).status_code == 302
    assert FirmSettings.load().extension_lengths == lengths


@pytest.mark.parametrize("typed", ["three", "3;4", "0", "3,,4"])
def test_bad_extension_lengths_are_refused(anna, typed):
    response = _save_settings(anna, internal_extension_lengths=typed)
    assert "internal_extension_lengths" in response.context["adminform"].form.errors


def test_there_is_only_ever_one_settings_row(anna):
    FirmSettings.load()
    with pytest.raises(IntegrityError), transaction.atomic():
        FirmSettings.objects.create(pk=2)
    response = logged_in(anna).get(reverse("admin:firm_firmsettings_add"))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/calls/firmsettings/", "/admin/firm/firmsettings/"),
        ("/admin/calls/firmsettings/1/change/", "/admin/firm/firmsettings/1/change/"),
        ("/admin/calls/firmsettings/1/history/?x=1", "/admin/firm/firmsettings/1/history/?x=1"),
    ],
)
def test_the_old_admin_address_of_the_settings_leads_to_the_new_one(anna, old, new):
    response = logged_in(anna).get(old)
    assert response.status_code == 301
    assert response["Location"] == new


def test_the_letterhead_fieldset_saves_address_vat_tax_code_logo_and_switches(
    anna, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    logo = SimpleUploadedFile("logo.png", PNG, content_type="image/png")
    response = _save_settings(
        anna,
        address="Via Roma 1\n00100 Roma",
        vat_number="IT09876543217",
        tax_code="RSSMRA80A01H501U",
        logo=logo,
        statement_shows_cost="on",
    )
    assert response.status_code == 302
    firm = FirmSettings.load()
    assert firm.address == "Via Roma 1\n00100 Roma"
    assert (firm.vat_number, firm.tax_code) == ("IT09876543217", "RSSMRA80A01H501U")
    assert firm.statement_shows_cost is True
    assert firm.pack_skips_unbillable is False  # an unticked box
    assert (tmp_path / firm.logo.name).read_bytes() == PNG
    page = logged_in(anna).get(reverse("admin:firm_firmsettings_change", args=[1]))
    assert "Carta intestata" in page.content.decode()


def test_by_default_statements_hide_the_cost_and_the_pack_skips_unbillable_clients():
    firm = FirmSettings.load()
    assert firm.statement_shows_cost is False and firm.pack_skips_unbillable is True


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.gif", b"GIF89a", "PNG, JPEG or SVG"),
        ("logo.exe", PNG, "PNG, JPEG or SVG"),
        ("logo.png", PNG + b"0" * (1024 * 1024), "at most 1 MB"),
    ],
)
def test_a_logo_of_another_kind_or_too_big_is_refused(
    anna, settings, tmp_path, name, content, message
):
    settings.MEDIA_ROOT = tmp_path
    response = _save_settings(
        anna, logo=SimpleUploadedFile(name, content), headers={"accept-language": "en"}
    )
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors["logo"])
    assert not FirmSettings.load().logo
    assert list(tmp_path.iterdir()) == []


def test_changing_the_marker_keeps_the_old_one_in_the_history(anna):
    assert _save_settings(anna, billing_marker="##").status_code == 302
    assert _save_settings(anna, billing_marker="*0").status_code == 302
    assert FirmSettings.load().former_marker_list == ("##", "**")
    # Going back to an old marker takes it out of the history; saving again changes nothing.
    assert _save_settings(anna, billing_marker="**").status_code == 302
    assert _save_settings(anna, billing_marker="**", firm_name="Altro").status_code == 302
    assert FirmSettings.load().former_marker_list == ("*0", "##")


def test_the_history_is_shown_but_cannot_be_typed(anna):
    _save_settings(anna, billing_marker="##")
    response = _save_settings(anna, former_markers="12", billing_marker="##")
    assert FirmSettings.load().former_markers == "**"
    page = logged_in(anna).get(reverse("admin:firm_firmsettings_change", args=[1]))
    assert response.status_code == 302
    assert 'name="former_markers"' not in page.text
    assert "**" in page.text
