"""The partner dashboard: each figure of calls.dashboard against a plain aggregate over
hand-made calls, and the home page for each role."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.dashboard import dashboard_get
from calls.models import Call
from calls.selectors import month_range_q
from clients.billable_time import PER_CALL, TOTAL, BillingRules, bill_calls
from clients.billing.selectors import statement_get
from tests.conftest import ROME, logged_in
from tests.factories import make_call, make_client, make_matter

MAY, APRIL = date(2026, 5, 1), date(2026, 4, 1)
TWELVE_MONTHS = [date(2025, 6 + n, 1) if n < 7 else date(2026, n - 6, 1) for n in range(12)]

pytestmark = pytest.mark.django_db


def rome(*args) -> datetime:
    return datetime(*args, tzinfo=ROME)


@pytest.fixture
def calls(frozen_now):
    """Two clients with calls this month and last, unknown codes, the queue, and calls on
    the edges of the months (local midnights) and of the twelve months."""
    affaroni = make_client("123", "Affaroni S.p.A.", hourly_rate=Decimal("120.00"))
    bianchi = make_client("456", "Bianchi Costruzioni S.r.l.")
    coded = {"billing_code": "123", "client": affaroni}
    for talk in (100, 100, 100, 400):
        make_call(start=rome(2026, 5, 4, 9, talk // 10), talk_seconds=talk, **coded)
    make_call(start=rome(2026, 5, 1, 0, 30), talk_seconds=61, **coded)  # May in Rome
    make_call(start=rome(2026, 4, 30, 23, 59), talk_seconds=10, **coded)  # April
    make_call(start=rome(2026, 5, 5, 10), talk_seconds=30, billing_code="456", client=bianchi)
    make_call(
        start=rome(2026, 5, 6, 10),
        talk_seconds=0,
        billing_code="456",
        client=bianchi,
        status=Call.Status.NO_ANSWER,
    )
    for day in (7, 8):
        make_call(start=rome(2026, 5, day, 10), talk_seconds=20, billing_code="999")
    make_call(start=rome(2026, 4, 7, 10), talk_seconds=20, billing_code="999")
    make_call(start=rome(2026, 4, 8, 10), talk_seconds=20, billing_code="777")
    make_call(start=rome(2025, 6, 1, 0, 10), talk_seconds=20, billing_code="888")  # 1st month
    make_call(start=rome(2025, 5, 31, 23, 50), talk_seconds=20, billing_code="555")  # before
    make_call(start=rome(2026, 5, 9, 10))  # the queue: no code, no client
    make_call(start=rome(2026, 5, 9, 11), client_set_by_hand=True)  # left without a client
    make_call(start=rome(2026, 4, 9, 11))  # last month's queue
    make_call(start=rome(2026, 5, 9, 12), direction=Call.Direction.INTERNAL, destination="115")
    make_call(start=rome(2026, 5, 9, 13), direction=Call.Direction.INBOUND, talk_seconds=95)
    return affaroni, bianchi


def plain_bill(month: date, client, policy):
    talks = list(
        Call.objects.filter(month_range_q(month), client=client).values_list(
            "talk_seconds", flat=True
        )
    )
    return bill_calls(talks, policy, client.hourly_rate)


@pytest.mark.parametrize("rounding", [PER_CALL, TOTAL])
def test_each_figure_equals_a_plain_aggregate_of_the_calls(calls, rounding):
    policy = BillingRules(increment_minutes=6, rounding=rounding, minimum_seconds=30)
    dashboard = dashboard_get(today=date(2026, 5, 13), policy=policy)

    for figures, month in ((dashboard.this_month, MAY), (dashboard.last_month, APRIL)):
        plain = Call.objects.filter(month_range_q(month)).aggregate(
            calls=Count("pk"), talk=Sum("talk_seconds")
        )
        assert figures.month == month
        assert (figures.calls, figures.talk_seconds) == (plain["calls"], plain["talk"])
        bills = [plain_bill(month, client, policy) for client in calls]
        assert figures.billable_seconds == sum(bill.billable_seconds for bill in bills)
        assert figures.amount == sum(bill.amount for bill in bills if bill.amount is not None)

    assert dashboard.this_month.calls == 13
    assert dashboard.last_month.calls == 4

    affaroni, bianchi = calls
    assert [figures.client for figures in dashboard.top_clients] == [affaroni, bianchi]
    for figures in dashboard.top_clients:
        bill = plain_bill(MAY, figures.client, policy)
        assert (figures.calls, figures.billable_seconds, figures.amount) == (
            Call.objects.filter(month_range_q(MAY), client=figures.client).count(),
            bill.billable_seconds,
            bill.amount,
        )
    assert dashboard.top_clients[1].amount is None  # Bianchi has no rate

    assert dashboard.waiting == 3  # two calls to the unknown 999 and one without a code

    assert [share.month for share in dashboard.coded_share] == TWELVE_MONTHS
    for share in dashboard.coded_share:
        outgoing = Call.objects.filter(month_range_q(share.month), direction="outbound")
        assert share.outgoing == outgoing.count()
        assert share.coded == outgoing.exclude(billing_code="").count()
    assert dashboard.coded_share[0].coded == 1  # June 2025; May 2025's call is before
    assert dashboard.coded_share[-1].coded == 9  # 5 + 2 Bianchi + 2 unknown

    assert [(unknown.code, unknown.calls) for unknown in dashboard.unknown_codes] == [
        ("999", 3),
        ("777", 1),
        ("888", 1),
    ]


def test_the_figures_per_call_and_on_the_total_differ_as_the_policy_says(calls):
    per_call = dashboard_get(today=date(2026, 5, 13), policy=BillingRules(rounding=PER_CALL))
    total = dashboard_get(today=date(2026, 5, 13), policy=BillingRules(rounding=TOTAL))
    # Affaroni's May: 100, 100, 100, 400, 61 s. Per call: 4 x 360 + 720; on the total:
    # 761 s -> 1080.
    assert per_call.top_clients[0].billable_seconds == 2160
    assert total.top_clients[0].billable_seconds == 1080
    assert per_call.top_clients[0].amount == Decimal("72.00")
    assert total.top_clients[0].amount == Decimal("36.00")


def test_an_empty_firm_has_a_dashboard_of_zeros(frozen_now):
    dashboard = dashboard_get(today=date(2026, 5, 13))
    assert (dashboard.this_month.calls, dashboard.this_month.billable_seconds) == (0, 0)
    assert dashboard.this_month.amount is None
    assert dashboard.top_clients == [] and dashboard.unknown_codes == []
    assert all(share.percent is None for share in dashboard.coded_share)


def test_a_partner_reads_the_dashboard_on_the_home_page(calls, paolo):
    page = logged_in(paolo).get(reverse("home")).content.decode()
    assert 'id="dashboard-title"' in page
    assert "maggio 2026" in page and "aprile 2026" in page
    assert "Affaroni S.p.A." in page
    assert "€ 72,00" in page  # Affaroni's May, 6-minute units per call at € 120
    assert '<svg class="chart chart-columns"' in page and 'role="img"' in page
    assert '<svg class="chart chart-bars"' in page
    assert reverse("calls:unassigned") in page
    assert "999" in page


def test_an_administrator_sees_the_dashboard_too(calls, anna):
    page = logged_in(anna).get(reverse("home")).content.decode()
    assert 'id="dashboard-title"' in page and "Affaroni S.p.A." in page


def test_a_receptionist_sees_the_tiles_and_no_dashboard_nor_figures(calls, rita):
    page = logged_in(rita).get(reverse("home")).content.decode()
    assert reverse("clients:search") in page
    for secret in ('id="dashboard-title"', "<svg", "Affaroni", "€", "999", "0:0"):
        assert secret not in page


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_dashboard_makes_as_many_queries_for_many_calls_as_for_few(calls, paolo):
    browser = logged_in(paolo)
    browser.get(reverse("home"))  # the session, the policy row
    with CaptureQueriesContext(connection) as few:
        browser.get(reverse("home"))
    for n in range(30):
        client = make_client(f"{700 + n}", f"Cliente {n}", hourly_rate=Decimal("90.00"))
        for talk in (n, n + 100, 2 * n + 7):
            make_call(
                start=rome(2026, 5, 10, 9, n),
                talk_seconds=talk,
                client=client,
                billing_code=client.code,
            )
            make_call(start=rome(2026, 4, 10, 9, n), talk_seconds=talk, billing_code=f"9{n}")
    with CaptureQueriesContext(connection) as many:
        page = browser.get(reverse("home")).content.decode()
    assert "Cliente 1" in page  # Cliente 0 has a call of 0 s, not billed
    assert len(many) == len(few) <= 15  # 15: the issued statements of the two months


@pytest.mark.parametrize("rounding", [PER_CALL, TOTAL])
def test_a_clients_matters_are_billed_at_their_rates_as_on_its_statement(frozen_now, rounding):
    affaroni = make_client("123", "Affaroni S.p.A.", hourly_rate=Decimal("120.00"))
    rossi = make_matter(affaroni, "12301", hourly_rate=Decimal("150.00"))
    for minute, (matter, talk) in enumerate([(rossi, 100), (rossi, 100), (None, 100)]):
        make_call(
            client=affaroni, matter=matter, talk_seconds=talk, start=rome(2026, 5, 4, 9, minute)
        )
    policy = BillingRules(rounding=rounding)
    top = dashboard_get(today=date(2026, 5, 13), policy=policy).top_clients[0]
    statement = statement_get(
        client=affaroni, first_day=MAY, last_day=date(2026, 5, 31), policy=policy
    )
    assert (top.billable_seconds, top.amount) == (
        statement.total.billable_seconds,
        statement.total.amount,
    )
    # Per call: 2 x 15.00 + 12.00; on the total: 200 s -> 15.00, 100 s -> 12.00.
    assert top.amount == (Decimal("42.00") if rounding == PER_CALL else Decimal("27.00"))
