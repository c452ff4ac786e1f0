"""Client statements as read and billed (clients/billing/selectors.py): which calls count, grouping
by caller, totals and billable time under every rounding mode, the minimum, the short-call
rule, and the client summary. Calls are made by hand, times in Rome."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from calls.models import Call
from clients import billable_time
from clients.billing.selectors import client_summary_list, statement_get, summary_totals
from clients.models import BillingPolicy
from tests.conftest import ROME
from tests.factories import make_call, make_client

pytestmark = pytest.mark.django_db

MAY = {"first_day": date(2026, 5, 1), "last_day": date(2026, 5, 31)}


def set_policy(**fields) -> BillingPolicy:
    policy = BillingPolicy.load()
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.full_clean()
    policy.save()
    return policy


def call_for(client, talk, *, caller="114", day=4, minute=0, **fields):
    return make_call(
        client=client,
        billing_code=client.code,
        talk_seconds=talk,
        caller=caller,
        start=datetime(2026, 5, day, 9, minute, tzinfo=ROME),
        status=Call.Status.ANSWERED if talk else Call.Status.NO_ANSWER,
        **fields,
    )


@pytest.fixture
def client_123():
    return make_client(code="123", name="Affaroni S.p.A.", hourly_rate=Decimal("120.00"))


def test_the_default_policy_is_six_minute_units_per_call():
    policy = BillingPolicy.load().as_policy()
    assert policy == billable_time.BillingRules(6, billable_time.PER_CALL, 0, 0)


def test_per_call_rounding_bills_every_started_unit_and_unanswered_calls_bill_nothing(client_123):
    for minute, talk in enumerate([1, 360, 361, 0]):
        call_for(client_123, talk, minute=minute)
    statement = statement_get(client=client_123, **MAY)
    lines = statement.lines
    assert [line.billable_seconds for line in lines] == [360, 360, 720, 0]
    assert [line.amount for line in lines] == [
        Decimal("12.00"),
        Decimal("12.00"),
        Decimal("24.00"),
        Decimal("0.00"),
    ]
    total = statement.total
    assert (total.calls, total.answered, total.talk_seconds) == (4, 3, 722)
    assert (total.billable_seconds, total.units, total.amount) == (1440, 4, Decimal("48.00"))


def test_total_rounding_rounds_the_sum_once_and_subtotals_show_time_before_rounding(client_123):
    set_policy(rounding=BillingPolicy.Rounding.TOTAL)
    call_for(client_123, 100, caller="101", minute=1)
    call_for(client_123, 100, caller="114", minute=2)
    call_for(client_123, 100, caller="114", minute=3)
    statement = statement_get(client=client_123, **MAY)
    assert [(g.caller, g.subtotal.billable_seconds) for g in statement.groups] == [
        ("101", 100),
        ("114", 200),
    ]
    assert all(group.subtotal.amount is None for group in statement.groups)
    assert all(line.amount is None and line.units is None for line in statement.lines)
    assert statement.total.billable_seconds == 360  # 300 s rounded up once, not 3 x 360
    assert statement.total.units == 1
    assert statement.total.amount == Decimal("12.00")


@pytest.mark.parametrize(
    ("increment", "talk", "billable"),
    [(0, 61, 61), (1, 61, 120), (6, 61, 360), (10, 61, 600), (15, 61, 900), (15, 900, 900)],
)
def test_every_increment_rounds_up_to_whole_units(client_123, increment, talk, billable):
    set_policy(increment_minutes=increment)
    call_for(client_123, talk)
    statement = statement_get(client=client_123, **MAY)
    assert statement.total.billable_seconds == billable
    assert statement.total.units == (None if increment == 0 else billable // (increment * 60))
    assert statement.total.amount == billable_time.amount_for(billable, Decimal("120.00"))


def test_exact_seconds_are_priced_to_the_cent(client_123):
    set_policy(increment_minutes=0)
    call_for(client_123, 45)  # 45 s at 120 €/h = 1.50 €
    assert statement_get(client=client_123, **MAY).total.amount == Decimal("1.50")


def test_a_billed_call_counts_at_least_the_minimum(client_123):
    set_policy(increment_minutes=0, minimum_seconds=60)
    call_for(client_123, 10, minute=1)
    call_for(client_123, 90, minute=2)
    call_for(client_123, 0, minute=3)  # not answered: the minimum does not apply
    statement = statement_get(client=client_123, **MAY)
    assert [line.billable_seconds for line in statement.lines] == [60, 90, 0]


def test_calls_shorter_than_the_threshold_are_listed_but_not_billed(client_123):
    set_policy(ignore_below_seconds=30, increment_minutes=1)
    call_for(client_123, 29, minute=1)
    call_for(client_123, 30, minute=2)
    statement = statement_get(client=client_123, **MAY)
    assert [(line.billed, line.billable_seconds) for line in statement.lines] == [
        (False, 0),
        (True, 60),
    ]
    assert statement.total.calls == 2
    assert statement.total.amount == Decimal("2.00")


def test_the_short_call_rule_comes_before_the_minimum_in_total_mode(client_123):
    set_policy(
        rounding=BillingPolicy.Rounding.TOTAL,
        ignore_below_seconds=20,
        minimum_seconds=120,
        increment_minutes=6,
    )
    call_for(client_123, 10, minute=1)  # ignored
    call_for(client_123, 30, minute=2)  # 120 (minimum)
    call_for(client_123, 300, minute=3)  # 300
    statement = statement_get(client=client_123, **MAY)
    assert [line.billable_seconds for line in statement.lines] == [0, 120, 300]
    assert statement.total.billable_seconds == 720  # 420 s -> two 6-minute units


def test_calls_are_grouped_by_caller_with_subtotals_in_time_order(client_123):
    call_for(client_123, 60, caller="114", caller_name="Mario Rossi", day=5)
    call_for(client_123, 120, caller="114", caller_name="Mario Rossi", day=4)
    call_for(client_123, 30, caller="101", caller_name="Anna Bianchi", day=6, cost="0.0125")
    statement = statement_get(client=client_123, **MAY)
    assert [(g.caller, g.caller_name) for g in statement.groups] == [
        ("101", "Anna Bianchi"),
        ("114", "Mario Rossi"),
    ]
    mario = statement.groups[1]
    assert [line.start.day for line in mario.lines] == [4, 5]
    assert (mario.subtotal.calls, mario.subtotal.talk_seconds) == (2, 180)
    assert (mario.subtotal.billable_seconds, mario.subtotal.amount) == (720, Decimal("24.00"))
    assert mario.subtotal.cost is None
    assert statement.total.cost == Decimal("0.0125")
    assert sum(g.subtotal.amount for g in statement.groups) == statement.total.amount


def test_the_period_is_whole_days_in_rome(client_123):
    inside = [datetime(2026, 5, 1, 0, 0, tzinfo=ROME), datetime(2026, 5, 31, 23, 59, tzinfo=ROME)]
    outside = [datetime(2026, 4, 30, 23, 59, tzinfo=ROME), datetime(2026, 6, 1, 0, 0, tzinfo=ROME)]
    for start in inside + outside:
        make_call(client=client_123, billing_code="123", start=start)
    statement = statement_get(client=client_123, **MAY)
    assert sorted(line.start for line in statement.lines) == inside


def test_every_call_linked_to_the_client_counts_and_no_other(client_123):
    other = make_client(code="456", name="Altri S.r.l.")
    call_for(client_123, 60, minute=1)
    call_for(client_123, 60, minute=2, direction=Call.Direction.INBOUND, caller="0298765432")
    call_for(other, 60, minute=3)
    make_call(billing_code="999", talk_seconds=60)  # unknown code: no client
    statement = statement_get(client=client_123, **MAY)
    assert statement.total.calls == 2


def test_a_client_without_a_rate_has_no_amounts():
    client = make_client(code="77", name="Senza Tariffa")
    call_for(client, 100)
    statement = statement_get(client=client, **MAY)
    assert statement.total.amount is None
    assert statement.lines[0].amount is None
    assert statement.total.billable_seconds == 360


def test_a_client_without_calls_has_an_empty_statement(client_123):
    statement = statement_get(client=client_123, **MAY)
    assert statement.groups == () and statement.total.calls == 0
    assert statement.total.amount == Decimal("0.00")


def test_the_summary_has_one_row_per_client_with_calls_and_the_statements_totals(client_123):
    other = make_client(code="456", name="Bianchi & Figli", hourly_rate=None)
    make_client(code="789", name="Nessuna Chiamata")
    for minute, talk in enumerate([1, 360, 361, 0]):
        call_for(client_123, talk, minute=minute)
    call_for(other, 30)
    rows = client_summary_list(**MAY)
    assert [row.client.code for row in rows] == ["123", "456"]  # by name
    first = rows[0]
    statement = statement_get(client=client_123, **MAY)
    assert (first.calls, first.answered, first.talk_seconds) == (4, 3, 722)
    assert (first.billable_seconds, first.amount) == (
        statement.total.billable_seconds,
        statement.total.amount,
    )
    assert rows[1].amount is None
    totals = summary_totals(rows)
    assert totals["calls"] == 5
    assert totals["billable_seconds"] == 1440 + 360
    assert totals["amount"] == Decimal("48.00")


@pytest.mark.parametrize(
    ("field", "value"),
    [("increment_minutes", 7), ("rounding", "weekly"), ("minimum_seconds", -1)],
)
def test_the_database_refuses_a_policy_outside_the_rules(field, value):
    BillingPolicy.load()
    with pytest.raises(IntegrityError), transaction.atomic():
        BillingPolicy.objects.filter(pk=1).update(**{field: value})


def test_the_database_refuses_a_second_policy_row_and_a_negative_rate(client_123):
    BillingPolicy.load()
    with pytest.raises(IntegrityError), transaction.atomic():
        BillingPolicy.objects.create(pk=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(client_123).objects.filter(pk=client_123.pk).update(hourly_rate=Decimal("-1"))
