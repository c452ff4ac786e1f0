"""The admin speaks Italian through and through: model names, messages, the English texts an
import run stores, filter values, dates (months lower-case) and local times only."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from django.utils import translation

from calls.models import ImportRun
from clients.importing import RowError
from firm.lib.formats import month_name
from firm.models import FirmSettings
from tests.conftest import logged_in
from tests.factories import make_call, make_client, make_contact, make_matter, make_user

pytestmark = pytest.mark.django_db


def _run(**fields) -> ImportRun:
    values = dict(
        file_name="cdr.log",
        file_size=10,
        sha256="0" * 64,
        format_name="threecx",
        format_description="3CX CDR, 27 fields (default order)",
        lines_read=4,
        imported=4,
        status=ImportRun.Status.FINISHED,
        via="command:root",
    )
    values.update(fields)
    return ImportRun.objects.create(**values)


def _page(user, url) -> str:
    response = logged_in(user).get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_import_runs_list_shows_formats_sources_and_retries_in_italian(anna):
    _run()
    _run(
        file_name="retry of 4 rejected lines",
        format_name="retry",
        format_description="Retry of rejected lines",
        via="retry",
    )
    page = _page(anna, reverse("admin:calls_importrun_changelist"))

    for italian in (
        "CDR di 3CX, 27 campi (ordine predefinito)",
        "nuovo tentativo di 4 righe scartate",
        "Comando import_cdr (utente di sistema root)",
        "Nuovo tentativo delle righe scartate",
        "Scegli importazione da visualizzare",
    ):
        assert italian in page
    for english in ("27 fields", "default order", "retry of 4", "command:root", ">threecx<"):
        assert english not in page
    assert "?via=command%3Aroot" in page  # the filter still selects by the stored value


def test_an_interrupted_runs_page_explains_it_in_italian_at_local_time(anna):
    run = _run(
        status=ImportRun.Status.INTERRUPTED,
        error=(
            "The import stopped before its end (the process was killed, the power or the "
            "database went away). Import the same file again to complete it: calls already "
            "stored count as duplicates."
        ),
    )
    ImportRun.objects.filter(pk=run.pk).update(started_at=datetime(2026, 1, 9, 16, 52, tzinfo=UTC))
    page = _page(anna, reverse("admin:calls_importrun_change", args=[run.pk]))

    assert "L&#x27;importazione si è fermata prima della fine" in page
    assert "The import stopped" not in page
    assert "cdr.log (2026-01-09 17:52)" in page  # Rome, not UTC
    assert "16:52" not in page
    assert "9 gennaio 2026" in page or "09 gennaio 2026" in page
    assert "Gennaio" not in page


def test_a_calls_name_in_admin_is_at_local_time(anna):
    call = make_call(start=datetime(2026, 7, 1, 6, 30, tzinfo=UTC), caller="114")
    assert str(call).startswith("2026-07-01 08:30 114")


def test_saving_the_firm_settings_says_so_in_good_italian(anna):
    url = reverse("admin:firm_firmsettings_change", args=[FirmSettings.load().pk])
    data = {
        "firm_name": "Studio",
        "billing_marker": "**",
        "internal_extension_lengths": "3",
        "country_code": "39",
        "international_prefix": "00",
    }
    response = logged_in(anna).post(url, data, follow=True)
    page = response.content.decode()

    assert "Modifiche salvate: impostazioni dello studio" in page
    assert "Il impostazioni" not in page


def test_the_admin_index_and_a_clients_contacts_have_no_english(anna):
    client = make_client()
    make_contact("Mario Affaroni", clients=[client])
    index = _page(anna, reverse("admin:index"))
    card = _page(anna, reverse("admin:clients_client_change", args=[client.pk]))

    assert "Model name" not in index and "Change or view list link" not in index
    assert "Contact_clients object" not in card
    assert ">Contact<" not in card


def test_months_are_lower_case_in_italian_and_capitalised_in_english():
    with translation.override("it"):
        assert month_name(date(2026, 1, 1)) == "gennaio 2026"
    with translation.override("en"):
        assert month_name(date(2026, 1, 1)) == "January 2026"


def test_a_client_list_error_names_the_field_in_italian():
    with translation.override("it"):
        assert str(RowError(3, "code", "vuoto")) == "riga 3, campo codice: vuoto"


def test_every_3cx_layout_and_the_interrupted_explanation_have_their_italian():
    from calls.cdr.threecx import LAYOUT_DESCRIPTIONS
    from calls.importing.messages import LAYOUT_TEXTS, run_text
    from calls.importing.services import import_runs_mark_interrupted

    assert set(LAYOUT_DESCRIPTIONS.values()) <= set(LAYOUT_TEXTS)
    run = _run(status=ImportRun.Status.RUNNING, lines_read=0, imported=0)
    ImportRun.objects.filter(pk=run.pk).update(started_at=datetime(2020, 1, 1, tzinfo=UTC))
    assert import_runs_mark_interrupted() == 1
    run.refresh_from_db()
    with translation.override("it"):
        assert run_text(run.error).startswith("L'importazione si è fermata")


# --- Issue 21, what a new user found in the admin ---------------------------------------------


def test_the_user_admin_shows_roles_and_their_help_in_italian(anna):
    from firm.roles import RECEPTIONIST

    rita = make_user("rita2", role=RECEPTIONIST)
    change = _page(anna, reverse("admin:auth_user_change", args=[rita.pk]))
    add = _page(anna, reverse("admin:auth_user_add"))
    users = _page(anna, reverse("admin:auth_user_changelist"))
    groups = _page(anna, reverse("admin:auth_group_changelist"))

    assert ">Segreteria</option>" in change and ">Amministratore</option>" in change
    assert ">Administrator<" not in change and ">Receptionist<" not in change
    assert ">Segreteria</a>" in users and ">Receptionist</a>" not in users
    assert ">Amministratore</a>" in groups
    assert "Se l'utente può accedere con una password" in add
    assert "Whether the user will be able" not in add
    assert "Al massimo 150 caratteri" in add
    assert "Per impedirgli l'accesso togli la spunta" in change


def test_the_group_selector_script_speaks_italian(anna):
    script = _page(anna, reverse("admin:jsi18n"))

    assert "Scegli tutti (%s)" in script
    assert "Per rimuovere (%s), selezionali" in script


def test_the_login_attempts_section_and_the_delete_action_read_as_italian(anna):
    make_matter(make_client(code="123"))
    index = _page(anna, reverse("admin:index"))
    matters = _page(anna, reverse("admin:clients_matter_changelist"))

    assert ">Sicurezza degli accessi</a>" in index
    assert ">Axes<" not in index
    assert "Elimina gli elementi selezionati (pratiche)" in matters
    assert "pratiche selezionati" not in matters


def test_an_import_message_keeps_the_file_name_as_written(anna):
    from django.core.files.uploadedfile import SimpleUploadedFile

    make_client(code="123")
    upload = SimpleUploadedFile(
        "matters.csv", b"Matter code,Client code,Description\n12301,123,Causa Rossi\n"
    )
    response = logged_in(anna).post(
        reverse("admin:clients_matter_import"), {"file": upload}, follow=True
    )
    page = response.content.decode()

    assert "File matters.csv: 1 pratiche create" in page
    assert "Matters.csv" not in page
