import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import Workbook

from calls.services import period_close
from clients.models import Client
from tests.conftest import ROME, logged_in
from tests.factories import make_call, make_client

pytestmark = pytest.mark.django_db


def _client_form(**fields):
    data = {
        "code": "123",
        "name": "Affaroni S.p.A.",
        "tax_code": "",
        "vat_number": "",
        "notes": "",
        "is_active": "on",
        "Contact_clients-TOTAL_FORMS": "0",
        "Contact_clients-INITIAL_FORMS": "0",
        "Contact_clients-MIN_NUM_FORMS": "0",
        "Contact_clients-MAX_NUM_FORMS": "1000",
        "matters-TOTAL_FORMS": "0",
        "matters-INITIAL_FORMS": "0",
        "matters-MIN_NUM_FORMS": "0",
        "matters-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    return data


def test_adding_a_client_attaches_the_calls_already_recorded_with_its_code(anna):
    earlier = make_call(billing_code="123", destination="3454565678**123")
    other = make_call(billing_code="456", destination="3454565678**456")
    response = logged_in(anna).post(reverse("admin:clients_client_add"), _client_form())
    assert response.status_code == 302
    earlier.refresh_from_db()
    other.refresh_from_db()
    assert earlier.client.name == "Affaroni S.p.A."
    assert other.client is None


def test_changing_a_clients_code_moves_its_calls_to_the_new_code(anna):
    client = make_client("123", "Affaroni S.p.A.")
    old = make_call(billing_code="123", client=client)
    new = make_call(billing_code="124")
    url = reverse("admin:clients_client_change", args=[client.pk])
    assert logged_in(anna).post(url, _client_form(code="124")).status_code == 302
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.client is None
    assert new.client == client


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_adding_a_client_says_how_many_calls_it_attached_and_left_in_closed_months(anna):
    for _ in range(8):
        make_call(billing_code="123")
    period_close(month=date(2026, 4, 1), user=anna)
    for _ in range(5):
        make_call(billing_code="123", start=datetime(2026, 4, 9, 9, 0, tzinfo=ROME))
    response = logged_in(anna).post(reverse("admin:clients_client_add"), _client_form())
    assert response.status_code == 302
    assert "8 chiamate collegate; 5 in periodi chiusi non collegate" in _messages(response)


def test_changing_a_code_says_what_it_detached_and_attached(anna):
    client = make_client("123", "Affaroni S.p.A.")
    make_call(billing_code="123", client=client)
    make_call(billing_code="124")
    make_call(billing_code="124")
    url = reverse("admin:clients_client_change", args=[client.pk])
    response = logged_in(anna).post(
        url, _client_form(code="124"), headers={"accept-language": "en"}
    )
    assert "2 calls attached; 1 call detached (no client has its code now)" in _messages(response)


def test_saving_a_client_with_the_same_code_says_nothing_about_calls(anna):
    client = make_client("123", "Affaroni S.p.A.")
    make_call(billing_code="123", client=client)
    url = reverse("admin:clients_client_change", args=[client.pk])
    response = logged_in(anna).post(url, _client_form(name="Affaroni S.r.l."))
    assert not [text for text in _messages(response) if "collegat" in text]


@pytest.mark.parametrize("code", ["12a", "", "12345678901", "1 2", "1.5"])
def test_a_code_that_is_not_one_to_ten_digits_is_refused(anna, code):
    response = logged_in(anna).post(reverse("admin:clients_client_add"), _client_form(code=code))
    assert response.status_code == 200
    assert "code" in response.context["adminform"].form.errors
    assert not Client.objects.exists()


def test_a_code_already_used_is_refused_with_a_message(anna):
    make_client("123", "Affaroni S.p.A.")
    response = logged_in(anna).post(reverse("admin:clients_client_add"), _client_form(name="Altro"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Client.objects.count() == 1


def test_the_database_refuses_bad_codes_even_without_validation():
    with pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.create(code="12a", name="X")
    with pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.create(code="", name="X")
    make_client("123")
    with pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.create(code="123", name="Y")


def _upload(user, name, content):
    upload = SimpleUploadedFile(name, content)
    return logged_in(user).post(
        reverse("admin:clients_client_import"), {"file": upload}, follow=True
    )


def test_an_italian_excel_csv_imports_clients_and_attaches_their_calls(anna):
    call = make_call(billing_code="200")
    content = (
        "Codice;Ragione sociale;Partita IVA;Codice fiscale;Note;Attivo\r\n"
        "200;Società Alfa S.r.l.;IT11111111115;;cliente storico;sì\r\n"
        "201;Beta S.p.A.;IT22222222220;;;no\r\n"
    ).encode("cp1252")
    response = _upload(anna, "clienti.csv", content)
    assert response.status_code == 200
    assert "1 chiamata collegata" in [str(m) for m in response.context["messages"]]
    alfa = Client.objects.get(code="200")
    assert (alfa.name, alfa.vat_number, alfa.notes, alfa.is_active) == (
        "Società Alfa S.r.l.",
        "IT11111111115",
        "cliente storico",
        True,
    )
    assert Client.objects.get(code="201").is_active is False
    call.refresh_from_db()
    assert call.client == alfa


def test_rejected_rows_are_listed_with_line_and_field_and_good_rows_still_import(anna):
    content = b"code,name\n300,Gamma\nabc,Delta\n301,\n300,Gamma bis\n302,Epsilon\n"
    response = _upload(anna, "clients.csv", content)
    page = response.content.decode()
    assert sorted(Client.objects.values_list("code", flat=True)) == ["300", "302"]
    rejected = response.context["result"].rejected
    assert [(e.line, e.field) for e in rejected] == [(3, "code"), (4, "name"), (5, "code")]
    assert "abc" in page and "clients.csv" in page


def test_importing_the_same_list_again_updates_instead_of_duplicating(anna):
    _upload(anna, "clients.csv", b"code,name\n300,Gamma\n")
    response = _upload(anna, "clients.csv", b"code,name\n300,Gamma Nuova\n301,Delta\n")
    assert Client.objects.get(code="300").name == "Gamma Nuova"
    result = response.context["result"]
    assert (result.created, result.updated) == (1, 1)


def test_an_xlsx_client_list_imports_with_numeric_codes(anna):
    book = Workbook()
    sheet = book.active
    sheet.append(["Codice", "Nome", "P.IVA"])
    sheet.append([400, "Zeta S.r.l.", "IT33333333335"])
    sheet.append([401.0, "Eta S.n.c.", None])
    data = io.BytesIO()
    book.save(data)
    _upload(anna, "clienti.xlsx", data.getvalue())
    assert sorted(Client.objects.values_list("code", "name")) == [
        ("400", "Zeta S.r.l."),
        ("401", "Eta S.n.c."),
    ]


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("clients.csv", b"", ""),
        ("clients.csv", b"nome;indirizzo\nAlfa;Via Roma\n", "codice"),
        ("clients.xlsx", b"%PDF-1.4 not a spreadsheet", "XLSX"),
        ("clients.pdf", b"%PDF-1.4", ".csv"),
    ],
)
def test_a_file_that_is_not_a_client_list_is_refused_with_a_message(anna, name, content, says):
    response = _upload(anna, name, content)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["file"])
    assert says in errors
    assert not Client.objects.exists()


def test_only_administrators_can_import(rita):
    response = logged_in(rita).get(reverse("admin:clients_client_import"))
    assert response.status_code == 302  # to the admin login: no admin site for receptionists


def test_a_client_list_with_hourly_rates_sets_them_and_one_without_leaves_them(anna):
    content = (
        "Codice;Ragione sociale;Tariffa oraria\r\n"
        "400;Alfa;180,00\r\n"
        "401;Beta;€ 1.250,50\r\n"
        "402;Gamma;\r\n"
        "403;Delta;150.5\r\n"
        "404;Epsilon;1.234\r\n"
        "405;Zeta;tanto\r\n"
        "406;Eta;-20\r\n"
    ).encode("cp1252")
    response = _upload(anna, "tariffe.csv", content)
    rates = dict(Client.objects.values_list("code", "hourly_rate"))
    assert rates == {
        "400": Decimal("180.00"),
        "401": Decimal("1250.50"),
        "402": None,
        "403": Decimal("150.50"),
        "404": Decimal("1234.00"),
    }
    rejected = response.context["result"].rejected
    assert [(e.line, e.field) for e in rejected] == [(7, "hourly_rate"), (8, "hourly_rate")]
    # A list without the rate column updates names and keeps the rates.
    _upload(anna, "clienti.csv", b"code,name\n400,Alfa Nuova\n")
    alfa = Client.objects.get(code="400")
    assert (alfa.name, alfa.hourly_rate) == ("Alfa Nuova", Decimal("180.00"))


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("150,00", Decimal("150.00")),
        ("150", Decimal("150.00")),
        ("150.00", Decimal("150.00")),
        ("1.250,50", Decimal("1250.50")),
        ("€ 180", Decimal("180.00")),
        ("", None),
    ],
)
def test_an_hourly_rate_is_typed_the_italian_way(anna, typed, stored):
    response = logged_in(anna).post(
        reverse("admin:clients_client_add"), _client_form(hourly_rate=typed)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Client.objects.get(code="123").hourly_rate == stored


@pytest.mark.parametrize("typed", ["15O", "-150", "150,001", "1,5,0"])
def test_a_rate_that_is_not_an_amount_is_refused_with_a_message(anna, typed):
    response = logged_in(anna).post(
        reverse("admin:clients_client_add"), _client_form(hourly_rate=typed)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["hourly_rate"] == [
        "Scrivi un importo in euro, ad esempio 150 oppure 150,00 oppure 1.250,50."
    ]
    assert not Client.objects.exists()


def test_an_implausible_rate_is_saved_only_once_confirmed(anna):
    browser = logged_in(anna)
    response = browser.post(reverse("admin:clients_client_add"), _client_form(hourly_rate="15000"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["hourly_rate"] == [
        "€ 15.000,00 all'ora è una tariffa insolitamente alta. Controllala, poi spunta "
        "«Sì, la tariffa è giusta» per salvarla."
    ]
    response = browser.post(
        reverse("admin:clients_client_add"), _client_form(hourly_rate="15000", confirm_rate="on")
    )
    assert response.status_code == 302
    assert Client.objects.get().hourly_rate == Decimal("15000.00")


def test_the_rate_is_shown_back_the_italian_way_and_with_euro_in_the_list(anna):
    client = make_client("123", "Affaroni S.p.A.")
    client.hourly_rate = Decimal("1250.50")
    client.save()
    browser = logged_in(anna)
    page = browser.get(reverse("admin:clients_client_change", args=[client.pk])).content.decode()
    assert 'name="hourly_rate" value="1250,50"' in page
    assert 'type="number"' not in page.split('name="hourly_rate"')[0][-200:]
    listing = browser.get(reverse("admin:clients_client_changelist")).content.decode()
    assert "€ 1.250,50" in listing
