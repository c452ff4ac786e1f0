"""Matters in admin: their own list, inline under the client, and the import from CSV/XLSX;
each attaches the calls of its codes and says so."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from calls.services import period_close
from clients.models import Matter
from tests.conftest import ROME, logged_in
from tests.factories import make_call, make_client, make_matter

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _upload(user, name, content):
    upload = SimpleUploadedFile(name, content)
    return logged_in(user).post(
        reverse("admin:clients_matter_import"), {"file": upload}, follow=True
    )


def _matter_form(client, **fields):
    data = {
        "client": str(client.pk),
        "code": "12301",
        "name": "Causa Rossi c. Bianchi",
        "hourly_rate": "",
        "partner": "",
        "is_active": "on",
        "opened_on": "",
        "closed_on": "",
    }
    data.update(fields)
    return data


def test_adding_a_matter_attaches_its_calls_and_says_what_it_left_in_closed_months(anna):
    affaroni = make_client("123", "Affaroni S.p.A.")
    for _ in range(8):
        make_call(billing_code="12301")
    period_close(month=date(2026, 4, 1), user=anna)
    for _ in range(5):
        make_call(billing_code="12301", start=datetime(2026, 4, 9, 9, 0, tzinfo=ROME))
    response = logged_in(anna).post(
        reverse("admin:clients_matter_add"), _matter_form(affaroni, hourly_rate="1.250,50")
    )
    assert response.status_code == 302
    assert "8 chiamate collegate; 5 in periodi chiusi non collegate" in _messages(response)
    matter = Matter.objects.get()
    assert matter.hourly_rate == Decimal("1250.50")
    assert matter.calls.count() == 8


def test_a_matter_code_that_is_a_client_code_is_refused_with_a_message(anna):
    affaroni = make_client("123", "Affaroni S.p.A.")
    response = logged_in(anna).post(
        reverse("admin:clients_matter_add"), _matter_form(affaroni, code="123")
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["code"] == [
        "Il codice 123 è il codice del cliente Affaroni S.p.A."
    ]
    assert not Matter.objects.exists()


def test_a_matter_added_under_its_client_attaches_its_calls(anna):
    affaroni = make_client("123", "Affaroni S.p.A.")
    call = make_call(billing_code="12302")
    data = {
        "code": "123",
        "name": "Affaroni S.p.A.",
        "is_active": "on",
        "Contact_clients-TOTAL_FORMS": "0",
        "Contact_clients-INITIAL_FORMS": "0",
        "matters-TOTAL_FORMS": "1",
        "matters-INITIAL_FORMS": "0",
        "matters-0-code": "12302",
        "matters-0-name": "Recupero crediti",
        "matters-0-hourly_rate": "€ 180",
        "matters-0-is_active": "on",
    }
    response = logged_in(anna).post(
        reverse("admin:clients_client_change", args=[affaroni.pk]), data
    )
    assert response.status_code == 302, response.context["errors"]
    assert "Pratiche: 1 chiamata collegata" in _messages(response)
    call.refresh_from_db()
    assert (call.client, call.matter.code, call.matter.hourly_rate) == (
        affaroni,
        "12302",
        Decimal("180.00"),
    )


def test_the_matter_list_finds_matters_by_code_description_and_client(anna):
    affaroni = make_client("123", "Affaroni S.p.A.")
    bianchi = make_client("456", "Bianchi S.r.l.")
    make_matter(affaroni, "12301", "Causa Rossi c. Bianchi")
    make_matter(bianchi, "45601", "Contratto d'appalto")
    browser = logged_in(anna)
    url = reverse("admin:clients_matter_changelist")
    for query, expected in [
        ("12301", ["12301"]),
        ("appalto", ["45601"]),
        ("Affaroni", ["12301"]),
        ("456", ["45601"]),
    ]:
        response = browser.get(url, {"q": query})
        assert [m.code for m in response.context["cl"].result_list] == expected, query


def test_an_italian_csv_of_matters_imports_and_attaches_their_calls(anna):
    affaroni = make_client("123", "Affaroni S.p.A.", hourly_rate=Decimal("150"))
    call = make_call(billing_code="12301")
    content = (
        "Codice pratica;Codice cliente;Descrizione;Tariffa oraria;Attiva\r\n"
        "12301;123;Causa Rossi c. Bianchi;1.250,50;sì\r\n"
        "12302;123;Recupero crediti;€ 180;no\r\n"
        "12303;123;Senza tariffa;;\r\n"
    ).encode("cp1252")
    response = _upload(anna, "pratiche.csv", content)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert "File pratiche.csv: 3 pratiche create, 0 aggiornate, 0 invariate, 0 righe scartate." in (
        messages
    )
    assert "1 chiamata collegata" in messages
    rows = Matter.objects.order_by("code").values_list("code", "client", "hourly_rate", "is_active")
    assert list(rows) == [
        ("12301", affaroni.pk, Decimal("1250.50"), True),
        ("12302", affaroni.pk, Decimal("180.00"), False),
        ("12303", affaroni.pk, None, True),
    ]
    call.refresh_from_db()
    assert (call.client, call.matter.code) == (affaroni, "12301")


def test_rejected_matter_rows_name_line_and_field_and_good_rows_still_import(anna):
    make_client("123", "Affaroni S.p.A.")
    content = (
        b"Matter code,Client code,Description,Hourly rate,Active\n"
        b"12301,123,Good one,180,yes\n"  # 2
        b"12a,123,Bad code,,\n"  # 3
        b"12302,999,Unknown client,,\n"  # 4
        b"123,123,A client's code,,\n"  # 5
        b"12303,123,Bad rate,12 euro,\n"  # 6
        b"12304,123,,,\n"  # 7
        b"12301,123,Twice,,\n"  # 8
        b"12305,123,Maybe,,forse\n"  # 9
    )
    response = _upload(anna, "matters.csv", content)
    assert list(Matter.objects.values_list("code", flat=True)) == ["12301"]
    rejected = response.context["result"].rejected
    assert [(e.line, e.field) for e in rejected] == [
        (3, "Codice pratica"),
        (4, "Codice cliente"),
        (5, "Codice pratica"),
        (6, "Tariffa oraria"),
        (7, "Descrizione"),
        (8, "Codice pratica"),
        (9, "Attiva"),
    ]
    page = response.content.decode()
    assert "riga 4, campo Codice cliente: nessun cliente ha il codice 999." in page
    assert "matters.csv" in page


def test_an_xlsx_of_matters_imports_and_a_second_upload_updates(anna):
    make_client("123", "Affaroni S.p.A.")
    bianchi = make_client("456", "Bianchi S.r.l.")
    book = Workbook()
    book.active.append(["Codice pratica", "Codice cliente", "Descrizione"])
    book.active.append([12301, 123, "Causa Rossi"])
    data = io.BytesIO()
    book.save(data)
    _upload(anna, "pratiche.xlsx", data.getvalue())
    assert Matter.objects.get().code == "12301"
    call = make_call(billing_code="12301")
    response = _upload(
        anna, "pratiche.csv", b"Codice pratica,Codice cliente,Descrizione\n12301,456,Causa Rossi\n"
    )
    assert "File pratiche.csv: 0 pratiche create, 1 aggiornate, 0 invariate, 0 righe scartate." in [
        str(m) for m in response.context["messages"]
    ]
    call.refresh_from_db()
    assert (call.client, call.matter.code) == (bianchi, "12301")


def test_a_file_without_the_matter_columns_is_refused_with_a_message(anna):
    response = _upload(anna, "pratiche.csv", b"code,name\n1,x\n")
    errors = response.context["form"].errors["file"][0]
    assert "pratiche.csv" in errors and "Codice pratica" in errors
    assert not Matter.objects.exists()


def test_only_administrators_can_import_matters(rita):
    response = logged_in(rita).get(reverse("admin:clients_matter_import"))
    assert response.status_code == 302  # to the admin login


def test_a_client_list_may_not_use_a_matter_code(anna):
    affaroni = make_client("123", "Affaroni S.p.A.")
    make_matter(affaroni, "12301")
    upload = SimpleUploadedFile("clienti.csv", b"code,name\n12301,Nuovo\n300,Gamma\n")
    response = logged_in(anna).post(
        reverse("admin:clients_client_import"), {"file": upload}, follow=True
    )
    rejected = response.context["result"].rejected
    assert [(e.line, e.field) for e in rejected] == [(2, "code")]
    assert "il codice 12301 è il codice di una pratica." in str(rejected[0])
