"""Client statements by matter (#15): each matter billed at its rate (the client's when it has
none), "Generale" last, rounding on the total per matter, and what follows from it: the
statement page and PDF, the billing CSV, LEDES 1998B, the summary and the month pack.

Client 123 bills € 120/h; its matter 12301 € 150/h, its matter 12302 has no rate of its own.
May 2026, 6-minute units."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from calls.models import Call
from clients.billable_time import PER_CALL, TOTAL, BillingRules
from clients.billing.printing import month_pack_pdf, statement_pdf
from clients.billing.selectors import client_summary_list, statement_build, statement_get
from clients.models import BillingPolicy, Client, Matter
from firm.models import FirmSettings
from tests.conftest import ROME, logged_in
from tests.factories import make_call, make_client, make_matter

MAY = {"first_day": date(2026, 5, 1), "last_day": date(2026, 5, 31)}
MAY_QUERY = {"date_after": "2026-05-01", "date_before": "2026-05-31"}


def row(talk, *, caller="114", day=4, matter=None, name="Mario Rossi"):
    """A StatementCall tuple (no database)."""
    return (
        datetime(2026, 5, day, 9, 0, tzinfo=ROME),
        caller,
        name,
        "3454565678",
        "",
        Call.Status.ANSWERED if talk else Call.Status.NO_ANSWER,
        talk,
        None,
        matter.pk if matter else None,
    )


# --- The arithmetic, without a database ---------------------------------------------------


@pytest.fixture
def pure():
    client = Client(pk=1, code="123", name="Affaroni S.p.A.", hourly_rate=Decimal("120.00"))
    rossi = Matter(
        pk=7, client=client, code="12301", name="Causa Rossi", hourly_rate=Decimal("150")
    )
    verdi = Matter(pk=8, client=client, code="12302", name="Successione Verdi")
    return client, rossi, verdi


def build(client, rows, matters, policy):
    return statement_build(client=client, rows=rows, policy=policy, matters=matters, **MAY)


def test_each_matter_is_billed_at_its_rate_and_general_calls_come_last(pure):
    client, rossi, verdi = pure
    rows = [
        row(61),  # general: 1 unit at 120 -> 12.00
        row(361, matter=rossi),  # 2 units at 150 -> 30.00
        row(1, matter=rossi, caller="101"),  # 1 unit at 150 -> 15.00
        row(400, matter=verdi),  # 2 units at the client's 120 -> 24.00
        row(0, matter=verdi),  # unanswered: nothing
    ]
    statement = build(client, rows, [verdi, rossi], BillingRules(6, PER_CALL))
    groups = statement.matters
    assert [group.code for group in groups] == ["12301", "12302", ""]
    assert [group.hourly_rate for group in groups] == [
        Decimal("150"),
        Decimal("120.00"),
        Decimal("120.00"),
    ]
    assert [group.subtotal.amount for group in groups] == [
        Decimal("45.00"),
        Decimal("24.00"),
        Decimal("12.00"),
    ]
    assert [group.subtotal.calls for group in groups] == [2, 2, 1]
    # Inside a matter, its callers, each with its subtotal.
    assert [(c.caller, c.subtotal.amount) for c in groups[0].callers] == [
        ("101", Decimal("15.00")),
        ("114", Decimal("30.00")),
    ]
    total = statement.total
    assert (total.calls, total.answered, total.billable_seconds) == (5, 4, 6 * 360)
    assert (total.units, total.amount) == (6, Decimal("81.00"))
    assert statement.by_matter and statement.rates_differ and statement.has_amounts


def test_with_rounding_on_the_total_each_matter_is_rounded_once(pure):
    client, rossi, _verdi = pure
    rows = [row(100, matter=rossi), row(100, matter=rossi), row(100)]
    statement = build(client, rows, [rossi], BillingRules(6, TOTAL))
    rossi_group, general = statement.matters
    # 200 s -> one 6-minute unit at 150; 100 s -> one unit at 120.
    assert (rossi_group.subtotal.billable_seconds, rossi_group.subtotal.amount) == (
        360,
        Decimal("15.00"),
    )
    assert (general.subtotal.billable_seconds, general.subtotal.amount) == (360, Decimal("12.00"))
    assert (statement.total.billable_seconds, statement.total.units) == (720, 2)
    assert statement.total.amount == Decimal("27.00")
    # Callers inside a matter keep their time before rounding and no amount.
    assert [c.subtotal.amount for c in rossi_group.callers] == [None]


def test_a_client_without_a_rate_still_bills_the_matter_that_has_one(pure):
    client, rossi, verdi = pure
    client.hourly_rate = None
    statement = build(
        client, [row(60, matter=rossi), row(60, matter=verdi)], [rossi, verdi], BillingRules()
    )
    assert [group.subtotal.amount for group in statement.matters] == [Decimal("15.00"), None]
    assert statement.total.amount == Decimal("15.00")
    assert statement.has_amounts


def test_without_matter_calls_the_statement_is_one_general_group(pure):
    client, _rossi, _verdi = pure
    statement = build(client, [row(61), row(400, caller="101")], [], BillingRules())
    assert [group.matter for group in statement.matters] == [None]
    assert not statement.by_matter and not statement.rates_differ
    assert statement.total.amount == Decimal("36.00")


# --- From the database: the statement, its page and its PDF -------------------------------


@pytest.fixture
def affaroni_by_matter(affaroni):
    """Client 123 at 120 €/h with two matters (one at 150 €/h) and calls in May."""
    firm = FirmSettings.load()
    firm.firm_name = "Studio Rossi"
    firm.save()
    client = affaroni
    client.hourly_rate = Decimal("120.00")
    client.save()
    rossi = make_matter(client, "12301", "Causa Rossi c. Bianchi", hourly_rate=Decimal("150"))
    verdi = make_matter(client, "12302", "Successione Verdi")
    calls = [
        (rossi, "114", "Mario Rossi", 361),
        (rossi, "101", "", 1),
        (verdi, "114", "Mario Rossi", 400),
        (None, "114", "Mario Rossi", 61),
    ]
    for day, (matter, caller, name, talk) in enumerate(calls, start=4):
        make_call(
            client=client,
            matter=matter,
            billing_code=matter.code if matter else "123",
            caller=caller,
            caller_name=name,
            dialled_number="3454565678",
            talk_seconds=talk,
            status=Call.Status.ANSWERED,
            start=datetime(2026, 5, day, 10, 0, tzinfo=ROME),
        )
    return client


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(content)).pages
    return "\n".join(" ".join(page.extract_text().split()) for page in pages)


def test_statement_get_groups_the_calls_by_matter(affaroni_by_matter):
    statement = statement_get(client=affaroni_by_matter, **MAY)
    assert [(g.code, g.subtotal.calls, g.subtotal.amount) for g in statement.matters] == [
        ("12301", 2, Decimal("45.00")),
        ("12302", 1, Decimal("24.00")),
        ("", 1, Decimal("12.00")),
    ]
    assert statement.total.amount == Decimal("81.00")


def test_the_statement_pdf_prints_each_matter_with_its_rate_and_total(affaroni_by_matter):
    with translation.override("it"):
        text = pdf_text(statement_pdf(statement_get(client=affaroni_by_matter, **MAY)))
    assert "Pratica 12301 · Causa Rossi c. Bianchi · tariffa € 150,00 all'ora" in text
    assert "Pratica 12302 · Successione Verdi · tariffa € 120,00 all'ora" in text
    assert "Generale · tariffa € 120,00 all'ora" in text
    assert "ogni pratica alla sua tariffa oraria" in text
    assert "Totale pratica 12301, 2 chiamate" in text and "€ 45,00" in text
    assert "Totale pratica 12302, 1 chiamata" in text and "€ 24,00" in text
    assert "Totale senza pratica, 1 chiamata" in text
    assert "Totale, 4 chiamate" in text and "€ 81,00" in text
    assert text.index("Pratica 12301") < text.index("Pratica 12302") < text.index("Generale")


def test_the_statement_page_shows_the_matters(affaroni_by_matter, paolo):
    url = reverse("clients:statement", kwargs={"code": "123"})
    with translation.override("it"):
        response = logged_in(paolo).get(url, MAY_QUERY)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Pratica 12301 · Causa Rossi c. Bianchi" in page
    assert "Totale pratica 12302" in page
    assert 'id="total-amount">€ 81,00<' in page


# --- Billing CSV and LEDES ----------------------------------------------------------------


def export(paolo, name):
    url = reverse("clients:statement", kwargs={"code": "123"})
    with translation.override("it"):
        response = logged_in(paolo).get(url, {**MAY_QUERY, "_export": name})
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode("utf-8")


def test_the_billing_csv_has_the_matter_code_and_name_on_every_line(affaroni_by_matter, paolo):
    rows = list(csv.reader(io.StringIO(export(paolo, "billing_csv")), delimiter=";"))
    assert rows[0][:3] == ["Codice cliente", "Codice pratica", "Data"]
    assert [(r[0], r[1], r[5]) for r in rows[1:]] == [
        ("123", "12301", "15,00"),  # caller 101 first, as on the statement
        ("123", "12301", "30,00"),
        ("123", "12302", "24,00"),
        ("123", "123", "12,00"),  # no matter: the client's code
    ]
    assert rows[1][6].startswith("Causa Rossi c. Bianchi: ")
    assert rows[3][6].startswith("Successione Verdi: ")
    assert not rows[4][6].startswith("Generale")


def ledes_items(text: str) -> list[dict]:
    lines = text.split("\r\n")[:-1]
    assert lines[0] == "LEDES1998B[]"
    fields = lines[1][:-2].split("|")
    return [dict(zip(fields, line[:-2].split("|"), strict=True)) for line in lines[2:]]


def test_ledes_makes_one_invoice_per_matter_with_its_id_rate_and_name(affaroni_by_matter, paolo):
    items = ledes_items(export(paolo, "ledes"))
    assert [
        (
            i["INVOICE_NUMBER"],
            i["LAW_FIRM_MATTER_ID"],
            i["CLIENT_ID"],
            i["LINE_ITEM_UNIT_COST"],
            i["LINE_ITEM_TOTAL"],
            i["INVOICE_TOTAL"],
        )
        for i in items
    ] == [
        ("12301-202605", "12301", "123", "150.00", "15.00", "45.00"),
        ("12301-202605", "12301", "123", "150.00", "30.00", "45.00"),
        ("12302-202605", "12302", "123", "120.00", "24.00", "24.00"),
        ("123-202605", "123", "123", "120.00", "12.00", "12.00"),
    ]
    assert items[0]["LINE_ITEM_DESCRIPTION"].startswith(
        "Causa Rossi c. Bianchi: Telefonata al 3454565678"
    )
    assert items[0]["INVOICE_DESCRIPTION"] == (
        "Telefonate, Affaroni S.p.A. · Causa Rossi c. Bianchi"
    )
    assert [i["LINE_ITEM_NUMBER"] for i in items] == ["1", "2", "1", "1"]


def test_ledes_with_rounding_on_the_total_has_one_line_per_matter(affaroni_by_matter, paolo):
    policy = BillingPolicy.load()
    policy.rounding = BillingPolicy.Rounding.TOTAL
    policy.save()
    items = ledes_items(export(paolo, "ledes"))
    # 362 s -> 2 units at 150; 400 s -> 2 units at 120; 61 s -> 1 unit at 120.
    assert [(i["LAW_FIRM_MATTER_ID"], i["LINE_ITEM_TOTAL"]) for i in items] == [
        ("12301", "30.00"),
        ("12302", "24.00"),
        ("123", "12.00"),
    ]


# --- The summary and the month pack -------------------------------------------------------


def test_the_summary_has_each_clients_matters(affaroni_by_matter):
    other = make_client(code="456", name="Bianchi", hourly_rate=Decimal("100"))
    make_call(client=other, talk_seconds=60, start=datetime(2026, 5, 6, 9, 0, tzinfo=ROME))
    rows = client_summary_list(**MAY)
    assert [(r.client.code, r.amount) for r in rows] == [
        ("123", Decimal("81.00")),
        ("456", Decimal("10.00")),
    ]
    assert [(m.matter.code if m.matter else "", m.calls, m.amount) for m in rows[0].matters] == [
        ("12301", 2, Decimal("45.00")),
        ("12302", 1, Decimal("24.00")),
        ("", 1, Decimal("12.00")),
    ]
    assert rows[1].matters == ()  # no matter calls: no matter level


def test_the_summary_page_opens_a_clients_matters_without_script(affaroni_by_matter, paolo):
    with translation.override("it"):
        response = logged_in(paolo).get(reverse("clients:statements"), MAY_QUERY)
    page = response.content.decode()
    assert "<details class='matters'><summary>2 pratiche</summary>" in page
    assert "12301 · Causa Rossi c. Bianchi" in page and "€ 45,00" in page


def test_the_summary_csv_lists_the_matters_under_their_client(affaroni_by_matter, paolo):
    with translation.override("it"):
        response = logged_in(paolo).get(
            reverse("clients:statements"), {**MAY_QUERY, "_export": "csv"}
        )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][10:12] == ["Codice pratica", "Pratica"]
    assert [(r[0], r[9], r[10], r[11]) for r in rows[1:]] == [
        ("123", "81,00", "", ""),
        ("123", "45,00", "12301", "12301 · Causa Rossi c. Bianchi"),
        ("123", "24,00", "12302", "12302 · Successione Verdi"),
        ("123", "12,00", "", "Generale"),
    ]


def test_the_month_pack_prints_the_matters_in_the_summary_and_the_statement(affaroni_by_matter):
    target = io.BytesIO()
    with translation.override("it"):
        result = month_pack_pdf(date(2026, 5, 1), date(2026, 5, 31), target)
    assert result.clients == 1
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(target).pages]
    assert "12301 · Causa Rossi c. Bianchi" in pages[0] and "Generale" in pages[0]
    statement = "\n".join(pages[1:])
    assert "Pratica 12301 · Causa Rossi c. Bianchi · tariffa € 150,00 all'ora" in statement
    assert "Totale pratica 12302, 1 chiamata" in statement
    assert "Totale, 4 chiamate" in statement and "€ 81,00" in statement


# --- Totals only where they add something (issue 21) -----------------------------------------


def _kinds(statement) -> list[tuple[str, str]]:
    from clients.billing.printing import statement_rows

    with translation.override("en"):
        return [
            (r["kind"], r.get("label", ""))
            for r in statement_rows(statement)
            if r["kind"] != "call"
        ]


def test_a_caller_with_one_call_gets_no_subtotal_and_two_calls_get_one(pure):
    client, _rossi, _verdi = pure
    rows = [row(61, caller="101"), row(61, caller="114"), row(61, caller="114", day=5)]
    statement = build(client, rows, [], BillingRules(6, PER_CALL))
    assert _kinds(statement) == [
        ("group", "Extension 101 · Mario Rossi"),
        ("group", "Extension 114 · Mario Rossi"),
        ("subtotal", "Subtotal, 2 calls"),
    ]


def test_the_only_caller_gets_no_subtotal_it_would_repeat_the_total(pure):
    client, _rossi, _verdi = pure
    statement = build(client, [row(61), row(61, day=5)], [], BillingRules(6, PER_CALL))
    assert _kinds(statement) == [("group", "Extension 114 · Mario Rossi")]


def test_a_matter_total_only_when_the_statement_has_several_matter_groups(pure):
    client, rossi, _verdi = pure
    one = build(client, [row(61, matter=rossi), row(61, matter=rossi)], [rossi], BillingRules(6))
    assert [kind for kind, _label in _kinds(one)] == ["matter", "group"]
    two = build(
        client,
        [row(61, matter=rossi, caller="101"), row(61, matter=rossi), row(61, matter=rossi), row(9)],
        [rossi],
        BillingRules(6),
    )
    assert _kinds(two) == [
        ("matter", "Matter 12301 · Causa Rossi"),
        ("group", "Extension 101 · Mario Rossi"),
        ("group", "Extension 114 · Mario Rossi"),
        ("subtotal", "Subtotal, 2 calls"),
        ("matter_total", "Total of matter 12301, 3 calls"),
        ("matter", "General (no matter)"),
        ("group", "Extension 114 · Mario Rossi"),
        ("matter_total", "Total without a matter, 1 call"),
    ]
