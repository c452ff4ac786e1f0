"""Behaviour of clients.billable_time: billable time and amounts under the firm's billing policy."""

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clients import billable_time
from clients.billable_time import (
    INCREMENT_MINUTES,
    PER_CALL,
    ROUNDING_MODES,
    TOTAL,
    Bill,
    BilledCall,
    BillingRules,
    amount_for,
    bill_calls,
    bill_talk_counts,
    billable_seconds,
    billable_seconds_before_rounding,
    is_billed,
)

SIX_MINUTES = BillingRules(increment_minutes=6)
SIX_MINUTES_TOTAL = BillingRules(increment_minutes=6, rounding=TOTAL)
EXACT = BillingRules(increment_minutes=0)


# --- one call, per-call rounding: every increment ---------------------------------------------


@pytest.mark.parametrize(
    ("increment", "talk", "expected"),
    [
        (0, 1, 1),
        (0, 59, 59),
        (0, 3601, 3601),
        (1, 1, 60),
        (1, 60, 60),
        (1, 61, 120),
        (6, 1, 360),
        (6, 359, 360),
        (6, 360, 360),
        (6, 361, 720),
        (6, 3600, 3600),
        (10, 1, 600),
        (10, 600, 600),
        (10, 601, 1200),
        (15, 1, 900),
        (15, 900, 900),
        (15, 901, 1800),
    ],
)
def test_a_started_increment_is_billed_whole(increment, talk, expected):
    assert billable_seconds(talk, BillingRules(increment_minutes=increment)) == expected


@pytest.mark.parametrize("increment", INCREMENT_MINUTES)
@pytest.mark.parametrize("rounding", ROUNDING_MODES)
def test_billable_seconds_of_one_call_does_not_depend_on_the_rounding_mode(increment, rounding):
    policy = BillingRules(increment_minutes=increment, rounding=rounding)

    assert billable_seconds(361, policy) == billable_seconds(361, BillingRules(increment))


# --- several calls: per call and total, every increment -----------------------------------------

# Three calls of 100, 100 and 101 seconds (301 s in all), hand-computed.
THREE_CALLS = [100, 100, 101]


@pytest.mark.parametrize(
    ("increment", "billable", "units"),
    [
        (0, 301, None),
        (1, 3 * 120, 6),
        (6, 3 * 360, 3),
        (10, 3 * 600, 3),
        (15, 3 * 900, 3),
    ],
)
def test_per_call_rounding_rounds_each_call_up(increment, billable, units):
    bill = bill_calls(THREE_CALLS, BillingRules(increment_minutes=increment), None)

    assert bill.billable_seconds == billable
    assert bill.units == units
    assert bill.talk_seconds == 301


@pytest.mark.parametrize(
    ("increment", "billable", "units"),
    [
        (0, 301, None),
        (1, 360, 6),
        (6, 360, 1),
        (10, 600, 1),
        (15, 900, 1),
    ],
)
def test_total_rounding_sums_the_calls_then_rounds_up_once(increment, billable, units):
    bill = bill_calls(THREE_CALLS, BillingRules(increment_minutes=increment, rounding=TOTAL), None)

    assert bill.billable_seconds == billable
    assert bill.units == units
    assert bill.talk_seconds == 301


def test_three_calls_of_100_seconds_bill_one_six_minute_unit_in_total_mode_and_three_per_call():
    assert bill_calls([100, 100, 100], SIX_MINUTES_TOTAL, None).billable_seconds == 360
    assert bill_calls([100, 100, 100], SIX_MINUTES, None).billable_seconds == 1080


def test_total_mode_does_not_round_a_sum_that_is_already_whole_increments():
    assert bill_calls([100, 200, 60], SIX_MINUTES_TOTAL, None).billable_seconds == 360
    assert bill_calls([100, 200, 61], SIX_MINUTES_TOTAL, None).billable_seconds == 720


def test_per_call_lines_carry_each_calls_rounded_time_and_units_in_input_order():
    bill = bill_calls([361, 0, 1], SIX_MINUTES, None)

    assert bill.lines == (
        BilledCall(talk_seconds=361, billed=True, billable_seconds=720, units=2, amount=None),
        BilledCall(talk_seconds=0, billed=False, billable_seconds=0, units=0, amount=None),
        BilledCall(talk_seconds=1, billed=True, billable_seconds=360, units=1, amount=None),
    )


def test_total_mode_lines_carry_the_time_before_rounding_and_no_units_or_amount():
    bill = bill_calls([100, 0, 101], SIX_MINUTES_TOTAL, Decimal("120"))

    assert bill.lines == (
        BilledCall(talk_seconds=100, billed=True, billable_seconds=100, units=None, amount=None),
        BilledCall(talk_seconds=0, billed=False, billable_seconds=0, units=None, amount=None),
        BilledCall(talk_seconds=101, billed=True, billable_seconds=101, units=None, amount=None),
    )
    assert bill.billable_seconds == 360
    assert bill.units == 1
    assert bill.amount == Decimal("12.00")


def test_exact_seconds_have_no_units_on_lines_or_bill():
    bill = bill_calls([61, 7], EXACT, None)

    assert [line.units for line in bill.lines] == [None, None]
    assert bill.units is None
    assert bill.billable_seconds == 68


def test_no_calls_make_an_empty_bill():
    assert bill_calls([], SIX_MINUTES, Decimal("100")) == Bill(
        lines=(), talk_seconds=0, billable_seconds=0, units=0, amount=Decimal("0.00")
    )
    assert bill_calls([], BillingRules(0, TOTAL), Decimal("100")) == Bill(
        lines=(), talk_seconds=0, billable_seconds=0, units=None, amount=Decimal("0.00")
    )


# --- minimum, ignore-below, unanswered calls -----------------------------------------------------


def test_a_billed_call_counts_at_least_the_minimum():
    policy = BillingRules(increment_minutes=0, minimum_seconds=120)

    assert billable_seconds(30, policy) == 120
    assert billable_seconds(120, policy) == 120
    assert billable_seconds(200, policy) == 200


def test_the_minimum_is_applied_before_rounding_up():
    policy = BillingRules(increment_minutes=6, minimum_seconds=420)

    assert billable_seconds(30, policy) == 720
    assert billable_seconds_before_rounding(30, policy) == 420


def test_in_total_mode_each_call_counts_its_minimum_before_the_sum_is_rounded():
    policy = BillingRules(increment_minutes=6, rounding=TOTAL, minimum_seconds=200)

    bill = bill_calls([30, 30], policy, None)

    assert [line.billable_seconds for line in bill.lines] == [200, 200]
    assert bill.billable_seconds == 720


def test_calls_shorter_than_the_threshold_are_not_billed():
    policy = BillingRules(increment_minutes=6, ignore_below_seconds=10)

    assert is_billed(9, policy) is False
    assert billable_seconds(9, policy) == 0
    assert is_billed(10, policy) is True
    assert billable_seconds(10, policy) == 360


def test_the_minimum_does_not_bring_back_an_ignored_call():
    policy = BillingRules(increment_minutes=6, minimum_seconds=60, ignore_below_seconds=10)

    assert billable_seconds(5, policy) == 0
    assert billable_seconds_before_rounding(5, policy) == 0


@pytest.mark.parametrize(
    "policy",
    [
        EXACT,
        SIX_MINUTES,
        BillingRules(increment_minutes=15, minimum_seconds=60),
        BillingRules(increment_minutes=1, rounding=TOTAL, minimum_seconds=60),
    ],
)
def test_an_unanswered_call_is_never_billed_whatever_the_policy(policy):
    bill = bill_calls([0], policy, Decimal("200"))

    assert is_billed(0, policy) is False
    assert billable_seconds(0, policy) == 0
    assert bill.lines[0].billed is False
    assert bill.billable_seconds == 0
    assert bill.amount == Decimal("0.00")


def test_ignored_calls_add_nothing_to_the_sum_in_total_mode():
    policy = BillingRules(increment_minutes=1, rounding=TOTAL, ignore_below_seconds=10)

    bill = bill_calls([9, 50, 9, 10], policy, None)

    assert [line.billed for line in bill.lines] == [False, True, False, True]
    assert bill.billable_seconds == 60
    assert bill.talk_seconds == 78


# --- money -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "rate", "expected"),
    [
        (3600, "150", "150.00"),
        (360, "150", "15.00"),
        (1, "150", "0.04"),  # 0.041666...
        (360, "100.04", "10.00"),  # 10.004
        (360, "100.05", "10.01"),  # 10.005: exactly half a cent goes up
        (360, "100.25", "10.03"),  # 10.025: up, where half-even would give 10.02
        (360, "100.06", "10.01"),  # 10.006
        (36, "0.50", "0.01"),  # 0.005
        (0, "150", "0.00"),
        (720, "0", "0.00"),
    ],
)
def test_an_amount_is_rounded_to_cents_half_up(seconds, rate, expected):
    amount = amount_for(seconds, Decimal(rate))

    assert amount == Decimal(expected)
    assert str(amount) == expected


def test_per_call_line_amounts_are_rounded_and_the_total_is_their_sum():
    bill = bill_calls([1, 360, 361, 0], SIX_MINUTES, Decimal("155.55"))

    assert [line.amount for line in bill.lines] == [
        Decimal("15.56"),  # 15.555
        Decimal("15.56"),
        Decimal("31.11"),
        Decimal("0.00"),
    ]
    assert bill.amount == Decimal("62.23")
    assert bill.amount == sum(line.amount for line in bill.lines)
    # Pricing the 1440 s at once would give 62.22: the statement adds up to its lines instead.
    assert amount_for(bill.billable_seconds, Decimal("155.55")) == Decimal("62.22")


def test_total_mode_prices_the_rounded_total_once():
    bill = bill_calls([1, 360, 361], SIX_MINUTES_TOTAL, Decimal("155.55"))

    assert bill.billable_seconds == 1080  # 722 s -> 3 units
    assert bill.amount == Decimal("46.67")  # 46.665
    assert [line.amount for line in bill.lines] == [None, None, None]


def test_total_mode_bills_less_than_per_call_on_the_same_calls():
    calls = [100, 100, 100, 400]
    rate = Decimal("240")

    per_call = bill_calls(calls, SIX_MINUTES, rate)
    total = bill_calls(calls, SIX_MINUTES_TOTAL, rate)

    assert (per_call.billable_seconds, per_call.units, per_call.amount) == (
        1800,
        5,
        Decimal("120.00"),
    )
    assert (total.billable_seconds, total.units, total.amount) == (720, 2, Decimal("48.00"))


@pytest.mark.parametrize("rounding", ROUNDING_MODES)
def test_without_a_rate_there_are_no_amounts(rounding):
    bill = bill_calls([10, 400], BillingRules(rounding=rounding), None)

    assert bill.amount is None
    assert [line.amount for line in bill.lines] == [None, None]


def test_exact_seconds_are_priced_exactly_then_rounded():
    bill = bill_calls([90, 90], EXACT, Decimal("100"))

    assert [line.amount for line in bill.lines] == [Decimal("2.50"), Decimal("2.50")]
    assert bill.amount == Decimal("5.00")


# --- refused input --------------------------------------------------------------------------------


@pytest.mark.parametrize("increment", [2, 5, 30, 60, -6, 6.0, True, "6"])
def test_a_policy_refuses_other_increments(increment):
    with pytest.raises(ValueError, match="increment_minutes"):
        BillingRules(increment_minutes=increment)


def test_a_policy_refuses_an_unknown_rounding_mode():
    with pytest.raises(ValueError, match="rounding"):
        BillingRules(rounding="per-call")


@pytest.mark.parametrize("field", ["minimum_seconds", "ignore_below_seconds"])
@pytest.mark.parametrize("value", [-1, 1.5, None])
def test_a_policy_refuses_negative_or_fractional_thresholds(field, value):
    with pytest.raises(ValueError, match=field):
        BillingRules(**{field: value})


def test_negative_talk_time_is_refused():
    with pytest.raises(ValueError, match="negative"):
        billable_seconds(-1, SIX_MINUTES)
    with pytest.raises(ValueError, match="negative"):
        bill_calls([60, -1], SIX_MINUTES_TOTAL, None)


def test_talk_time_must_be_whole_seconds():
    with pytest.raises(TypeError):
        billable_seconds(1.5, SIX_MINUTES)


@pytest.mark.parametrize("rate", [Decimal("-0.01"), Decimal("NaN"), Decimal("Infinity")])
def test_a_negative_or_non_finite_rate_is_refused(rate):
    with pytest.raises(ValueError, match="rate"):
        bill_calls([60], SIX_MINUTES, rate)


def test_a_float_rate_is_refused():
    with pytest.raises(TypeError, match="Decimal"):
        bill_calls([60], SIX_MINUTES, 150.0)


def test_a_policy_is_frozen():
    with pytest.raises(AttributeError):
        SIX_MINUTES.increment_minutes = 1


# --- properties ----------------------------------------------------------------------------------

policies = st.builds(
    BillingRules,
    increment_minutes=st.sampled_from(INCREMENT_MINUTES),
    rounding=st.sampled_from(ROUNDING_MODES),
    minimum_seconds=st.integers(0, 1800),
    ignore_below_seconds=st.integers(0, 120),
)
talk_times = st.integers(0, 4 * 3600)
call_lists = st.lists(talk_times, max_size=30)
rates = st.decimals(min_value=0, max_value=1000, places=2)


@given(talk=talk_times, policy=policies)
def test_a_billed_call_bills_at_least_its_talk_time_and_an_unbilled_one_nothing(talk, policy):
    seconds = billable_seconds(talk, policy)

    if is_billed(talk, policy):
        assert seconds >= talk
        assert seconds >= policy.minimum_seconds
    else:
        assert seconds == 0


@given(talk=talk_times, policy=policies)
def test_billable_seconds_are_whole_increments_and_less_than_one_more_than_needed(talk, policy):
    seconds = billable_seconds(talk, policy)
    before = billable_seconds_before_rounding(talk, policy)
    step = policy.increment_seconds

    if step:
        assert seconds % step == 0
        assert before <= seconds < before + step
    else:
        assert seconds == before


@given(a=talk_times, b=talk_times, policy=policies)
def test_billable_seconds_never_decrease_with_talk_time(a, b, policy):
    shorter, longer = sorted((a, b))

    assert billable_seconds(shorter, policy) <= billable_seconds(longer, policy)


@given(calls=call_lists, policy=policies, rate=rates)
def test_per_call_rounding_never_bills_less_than_total_rounding(calls, policy, rate):
    per_call = BillingRules(policy.increment_minutes, PER_CALL, *_thresholds(policy))
    total = BillingRules(policy.increment_minutes, TOTAL, *_thresholds(policy))

    per_call_bill = bill_calls(calls, per_call, rate)
    total_bill = bill_calls(calls, total, rate)

    assert per_call_bill.billable_seconds >= total_bill.billable_seconds
    assert total_bill.billable_seconds >= sum(
        billable_seconds_before_rounding(t, policy) for t in calls
    )


@given(calls=call_lists, policy=policies, rate=rates)
def test_units_times_the_increment_are_the_billable_seconds(calls, policy, rate):
    bill = bill_calls(calls, policy, rate)
    step = policy.increment_seconds

    if step == 0:
        assert bill.units is None
        return
    assert bill.units * policy.increment_minutes * 60 == bill.billable_seconds
    for line in bill.lines:
        if policy.rounding == PER_CALL:
            assert line.units * step == line.billable_seconds
        else:
            assert line.units is None


@given(calls=call_lists, policy=policies, rate=rates)
def test_a_bill_keeps_every_call_in_order_and_its_totals_add_up(calls, policy, rate):
    bill = bill_calls(calls, policy, rate)

    assert [line.talk_seconds for line in bill.lines] == calls
    assert bill.talk_seconds == sum(calls)
    assert [line.billed for line in bill.lines] == [is_billed(t, policy) for t in calls]
    if policy.rounding == PER_CALL:
        assert bill.billable_seconds == sum(line.billable_seconds for line in bill.lines)
        assert bill.amount == sum(line.amount for line in bill.lines)
    else:
        assert bill.amount == amount_for(bill.billable_seconds, rate)


@given(seconds=st.integers(0, 100 * 3600), rate=rates)
def test_amounts_match_decimal_half_up_rounding_of_the_price(seconds, rate):
    expected = (Decimal(seconds) * rate / Decimal(3600)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )

    assert amount_for(seconds, rate) == expected


def _thresholds(policy):
    return policy.minimum_seconds, policy.ignore_below_seconds


@given(
    talks=st.lists(st.integers(0, 1200), max_size=40),
    policy=policies,
    rate=st.none() | st.decimals(min_value=0, max_value=1000, places=2),
)
def test_billing_talk_counts_gives_the_totals_of_billing_every_call(talks, policy, rate):
    grouped = bill_talk_counts(Counter(talks), policy, rate)
    every_call = bill_calls(talks, policy, rate)
    assert grouped.lines == ()
    assert (grouped.talk_seconds, grouped.billable_seconds, grouped.units, grouped.amount) == (
        every_call.talk_seconds,
        every_call.billable_seconds,
        every_call.units,
        every_call.amount,
    )


def test_billing_talk_counts_refuses_a_negative_count():
    with pytest.raises(ValueError):
        bill_talk_counts({60: -1}, BillingRules(), None)


# --- Matters: groups billed at their own rate, then added up ----------------------------------


def test_a_matters_rate_overrides_the_clients_and_falls_back_to_it():
    assert billable_time.rate_for(Decimal("150"), Decimal("120")) == Decimal("150")
    assert billable_time.rate_for(None, Decimal("120")) == Decimal("120")
    assert billable_time.rate_for(Decimal("0"), Decimal("120")) == Decimal("0")  # free: a rate
    assert billable_time.rate_for(None, None) is None
    with pytest.raises(TypeError):
        billable_time.rate_for(150.0, None)


def test_bills_at_different_rates_add_up_their_rounded_totals():
    policy = billable_time.BillingRules(6, billable_time.TOTAL)
    matter = billable_time.bill_calls([100, 100], policy, Decimal("150"))  # 200 s -> 360 s
    general = billable_time.bill_calls([100], policy, Decimal("120"))  # 100 s -> 360 s
    total = billable_time.add_bills([matter, general], policy)
    assert (matter.amount, general.amount) == (Decimal("15.00"), Decimal("12.00"))
    assert (total.talk_seconds, total.billable_seconds, total.units) == (300, 720, 2)
    assert total.amount == Decimal("27.00")
    # One rounding over all three calls would bill 300 s -> 360 s: one unit, not two.
    assert billable_time.bill_calls([100, 100, 100], policy, Decimal("120")).units == 1


def test_added_bills_per_call_keep_every_line_and_sum_the_amounts():
    policy = billable_time.BillingRules(6, billable_time.PER_CALL)
    matter = billable_time.bill_calls([1, 361], policy, Decimal("150"))
    general = billable_time.bill_calls([1], policy, None)
    total = billable_time.add_bills([matter, general], policy)
    assert [line.amount for line in total.lines] == [Decimal("15.00"), Decimal("30.00"), None]
    assert (total.billable_seconds, total.units, total.amount) == (1440, 4, Decimal("45.00"))


def test_added_bills_have_no_amount_when_no_group_has_a_rate():
    policy = billable_time.BillingRules(0, billable_time.PER_CALL)
    bills = [
        billable_time.bill_calls([10], policy, None),
        billable_time.bill_calls([20], policy, None),
    ]
    total = billable_time.add_bills(bills, policy)
    assert (total.billable_seconds, total.units, total.amount) == (30, None, None)
