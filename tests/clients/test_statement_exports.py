"""Billed call time for billing software: CSV entries and LEDES 1998B (clients/billing/exports.py),
from a client's statement page."""

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from calls.models import Call
from clients.billing import ledes
from clients.models import BillingPolicy
from firm.models import FirmSettings
from tests.conftest import ROME, logged_in
from tests.factories import make_call

pytestmark = pytest.mark.django_db

MAY = "?date_after=2026-05-01&date_before=2026-05-31"


@pytest.fixture
def affaroni_in_may(affaroni):
    """Client 123 at 120 €/h: 3 calls in May, one not answered."""
    firm = FirmSettings.load()
    firm.firm_name = "Studio Rossi"
    firm.save()
    client = affaroni
    client.hourly_rate = Decimal("120.00")
    client.save()
    calls = [("114", "Mario Rossi", 61), ("101", "", 400), ("114", "Mario Rossi", 0)]
    for minute, (caller, name, talk) in enumerate(calls):
        make_call(
            client=client,
            billing_code="123",
            caller=caller,
            caller_name=name,
            dialled_number="3454565678",
            talk_seconds=talk,
            status=Call.Status.ANSWERED if talk else Call.Status.NO_ANSWER,
            start=datetime(2026, 5, 4 + minute, 23, 30, tzinfo=ROME),
        )
    return client


def get(browser, export, query=MAY):
    url = reverse("clients:statement", kwargs={"code": "123"}) + query + f"&_export={export}"
    response = browser.get(url)
    assert response.status_code == 200
    if response.streaming:
        return response, b"".join(response.streaming_content).decode("utf-8-sig")
    return response, response.content.decode("utf-8")


def ledes_records(text):
    assert text.endswith("\r\n")
    lines = text.split("\r\n")[:-1]
    assert lines[0] == "LEDES1998B[]"
    assert all(line.endswith("[]") for line in lines)
    header = lines[1][:-2].split("|")
    assert tuple(header) == ledes.FIELDS
    return [dict(zip(header, line[:-2].split("|"), strict=True)) for line in lines[2:]]


def test_billing_entries_are_one_per_billed_call(paolo, affaroni_in_may):
    response, text = get(logged_in(paolo), "billing_csv")
    assert "addebiti-123-2026-05-01_2026-05-31.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == [
        "Codice cliente",
        "Codice pratica",
        "Data",
        "Minuti",
        "Scatti fatturabili",
        "Importo (€)",
        "Descrizione",
    ]
    # Ordered by caller, then time; the local day (23:30 in Rome is still that day).
    # Without a matter, the matter code is the client's.
    assert [row[:6] for row in rows[1:]] == [
        ["123", "123", "2026-05-05", "12,00", "2", "24,00"],
        ["123", "123", "2026-05-04", "6,00", "1", "12,00"],
    ]
    assert rows[2][6] == "Telefonata al 3454565678 da 114 Mario Rossi, conversazione 0:01:01"


def test_the_ledes_file_has_one_invoice_with_a_fee_line_per_billed_call(paolo, affaroni_in_may):
    policy = BillingPolicy.load()
    policy.law_firm_id = "IT09876543210"
    policy.save()
    response, text = get(logged_in(paolo), "ledes")
    assert "ledes-123-2026-05-01_2026-05-31.txt" in response["Content-Disposition"]
    records = ledes_records(text)
    assert len(records) == 2
    first, second = records
    assert first["INVOICE_NUMBER"] == "123-202605"
    assert first["INVOICE_DATE"] == "20260531"
    assert (first["BILLING_START_DATE"], first["BILLING_END_DATE"]) == ("20260501", "20260531")
    assert first["CLIENT_ID"] == first["LAW_FIRM_MATTER_ID"] == "123"
    assert first["LAW_FIRM_ID"] == "IT09876543210"
    assert first["INVOICE_TOTAL"] == second["INVOICE_TOTAL"] == "36.00"
    assert [r["LINE_ITEM_NUMBER"] for r in records] == ["1", "2"]
    assert {r["EXP/FEE/INV_ADJ_TYPE"] for r in records} == {"F"}
    assert (first["TIMEKEEPER_ID"], first["TIMEKEEPER_NAME"]) == ("101", "101")
    assert (second["TIMEKEEPER_ID"], second["TIMEKEEPER_NAME"]) == ("114", "Mario Rossi")
    assert (first["LINE_ITEM_NUMBER_OF_UNITS"], first["LINE_ITEM_TOTAL"]) == ("0.2", "24.00")
    assert first["LINE_ITEM_UNIT_COST"] == "120.00"
    assert first["LINE_ITEM_DATE"] == "20260505"


def test_with_rounding_on_the_total_each_client_has_one_line(paolo, affaroni_in_may):
    policy = BillingPolicy.load()
    policy.rounding = BillingPolicy.Rounding.TOTAL
    policy.save()
    browser = logged_in(paolo)
    records = ledes_records(get(browser, "ledes")[1])
    assert len(records) == 1
    # 61 + 400 s = 461 s -> two 6-minute units, 24.00 €; the firm is the timekeeper.
    assert records[0]["LINE_ITEM_TOTAL"] == records[0]["INVOICE_TOTAL"] == "24.00"
    assert records[0]["TIMEKEEPER_ID"] == records[0]["LAW_FIRM_ID"] == "Studio Rossi"
    rows = list(csv.reader(io.StringIO(get(browser, "billing_csv")[1]), delimiter=";"))
    assert [row[:6] for row in rows[1:]] == [["123", "123", "2026-05-31", "12,00", "2", "24,00"]]


def test_without_a_rate_amounts_are_zero_in_ledes_and_empty_in_csv(paolo, affaroni_in_may):
    affaroni_in_may.hourly_rate = None
    affaroni_in_may.save()
    browser = logged_in(paolo)
    records = ledes_records(get(browser, "ledes")[1])
    assert {r["LINE_ITEM_TOTAL"] for r in records} == {"0.00"}
    assert {r["LINE_ITEM_UNIT_COST"] for r in records} == {"0.00"}
    rows = list(csv.reader(io.StringIO(get(browser, "billing_csv")[1]), delimiter=";"))
    assert {row[5] for row in rows[1:]} == {""}


def test_a_period_that_is_not_a_month_numbers_the_invoice_by_its_days(paolo, affaroni_in_may):
    query = "?date_after=2026-05-04&date_before=2026-05-10"
    records = ledes_records(get(logged_in(paolo), "ledes", query)[1])
    assert records[0]["INVOICE_NUMBER"] == "123-20260504-20260510"


def test_a_client_without_billed_calls_gets_the_two_header_lines(paolo, affaroni_in_may):
    text = get(logged_in(paolo), "ledes", "?date_after=2026-06-01&date_before=2026-06-30")[1]
    assert ledes_records(text) == []


def test_billing_entries_keep_the_request_language_while_streaming(paolo, affaroni_in_may):
    url = reverse("clients:statement", kwargs={"code": "123"}) + MAY + "&_export=billing_csv"
    response = logged_in(paolo).get(url, headers={"accept-language": "en"})
    with translation.override("it"):  # the body is sent later, under another language
        text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Call to 3454565678 by 114 Mario Rossi, talk time 0:01:01" in text
