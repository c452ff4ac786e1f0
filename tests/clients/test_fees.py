"""The avviso di parcella's fee items (clients/billing/fees.py): the issue's worked examples,
then properties that hold for any fees."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from clients.billing.fees import (
    ACCOUNTANT,
    BOLLO,
    FORFETTARIO,
    LAWYER,
    FeeLine,
    FeeRules,
    breakdown_as_dict,
    breakdown_from_dict,
    cents,
    fees_compute,
)

D = Decimal
LAWYER_RULES = FeeRules(profession=LAWYER)
ACCOUNTANT_RULES = FeeRules(profession=ACCOUNTANT)


def one_line(amount: str) -> list[FeeLine]:
    return [FeeLine("Telefonate", D(amount))]


def figures(breakdown):
    return [
        breakdown.general_expenses,
        breakdown.cassa,
        breakdown.taxable,
        breakdown.vat,
        breakdown.total,
        breakdown.withholding,
        breakdown.net,
    ]


def test_lawyer_with_a_withholding_agent_is_the_issues_example():
    breakdown = fees_compute(one_line("100.00"), LAWYER_RULES, withholding_agent=True)
    assert figures(breakdown) == [
        D("15.00"),
        D("4.60"),
        D("119.60"),
        D("26.31"),
        D("145.91"),
        D("23.00"),
        D("122.91"),
    ]


def test_lawyer_without_a_withholding_agent_pays_the_total():
    breakdown = fees_compute(one_line("50.00"), LAWYER_RULES, withholding_agent=False)
    assert figures(breakdown) == [
        D("7.50"),
        D("2.30"),
        D("59.80"),
        D("13.16"),
        D("72.96"),
        D("0.00"),
        D("72.96"),
    ]


def test_accountant_has_no_spese_generali_and_the_ritenuta_on_the_fees():
    breakdown = fees_compute(one_line("100.00"), ACCOUNTANT_RULES, withholding_agent=True)
    assert figures(breakdown) == [
        D("0.00"),
        D("4.00"),
        D("104.00"),
        D("22.88"),
        D("126.88"),
        D("20.00"),
        D("106.88"),
    ]


def test_forfettario_has_no_iva_no_ritenuta_and_the_stamp_above_77_47():
    rules = FeeRules(profession=LAWYER, regime=FORFETTARIO)
    breakdown = fees_compute(one_line("100.00"), rules, withholding_agent=True)
    assert breakdown.vat == D("0.00")
    assert breakdown.withholding == D("0.00")
    assert breakdown.taxable == D("119.60")
    assert breakdown.stamp_duty == BOLLO
    assert breakdown.total == breakdown.net == D("121.60")


def test_forfettario_at_or_below_77_47_has_no_stamp():
    rules = FeeRules(profession=ACCOUNTANT, regime=FORFETTARIO)
    # 74.49 + 4 % = 2.98 (2.9796) → 77.47: not above the threshold.
    assert fees_compute(one_line("74.49"), rules).taxable == D("77.47")
    assert fees_compute(one_line("74.49"), rules).stamp_duty == D("0.00")
    assert fees_compute(one_line("74.50"), rules).stamp_duty == BOLLO


def test_several_matters_are_lines_of_one_avviso_rounded_on_their_sum():
    lines = [
        FeeLine("Pratica 12301 · Rossi c. Bianchi", D("33.33"), D("100.00"), 1200),
        FeeLine("Pratica 12302 · Successione", D("41.67"), D("125.00"), 1200),
        FeeLine("Generale", D("25.00"), D("100.00"), 900),
    ]
    breakdown = fees_compute(lines, LAWYER_RULES, withholding_agent=True)
    assert breakdown.fees == D("100.00")
    assert figures(breakdown)[4:] == [D("145.91"), D("23.00"), D("122.91")]


def test_without_a_profession_the_total_is_the_fees():
    breakdown = fees_compute(one_line("87.50"), FeeRules(), withholding_agent=True)
    assert breakdown.total == breakdown.net == D("87.50")
    assert breakdown.vat == breakdown.withholding == breakdown.cassa == D("0.00")


def test_rounding_is_half_up_at_each_step():
    # 0.10 × 15 % = 0.015 → 0.02 (half up, not to even); 0.12 × 4 % = 0.0048 → 0.00.
    breakdown = fees_compute(one_line("0.10"), LAWYER_RULES)
    assert breakdown.general_expenses == D("0.02")
    assert breakdown.cassa == D("0.00")
    assert cents(D("0.125")) == D("0.13")


def test_a_frozen_breakdown_reads_back_the_same():
    rules = FeeRules(profession=LAWYER, general_expenses_rate=D("12.50"))
    breakdown = fees_compute(one_line("321.09"), rules, withholding_agent=True)
    assert breakdown_from_dict(breakdown_as_dict(breakdown)) == breakdown


# In cents: fast to draw, and every value has exactly two decimals as amounts and rates do.
amounts = st.integers(min_value=0, max_value=10_000_000).map(lambda cents: D(cents) / 100)
rates = st.integers(min_value=0, max_value=5_000).map(lambda hundredths: D(hundredths) / 100)


@given(
    lines=st.lists(amounts, min_size=1, max_size=8),
    profession=st.sampled_from([LAWYER, ACCOUNTANT, ""]),
    regime=st.sampled_from(["RF01", FORFETTARIO]),
    withholding_agent=st.booleans(),
    general=rates,
    cassa=rates,
    vat=rates,
    withholding=rates,
)
def test_the_lines_add_up_to_the_total_and_the_net(
    lines, profession, regime, withholding_agent, general, cassa, vat, withholding
):
    rules = FeeRules(profession, regime, general, cassa, vat, withholding)
    breakdown = fees_compute(
        [FeeLine(f"line {n}", amount) for n, amount in enumerate(lines)],
        rules,
        withholding_agent=withholding_agent,
    )
    items = [
        breakdown.general_expenses,
        breakdown.cassa,
        breakdown.vat,
        breakdown.stamp_duty,
    ]
    assert sum(line.amount for line in breakdown.lines) == breakdown.fees
    assert breakdown.fees + sum(items) == breakdown.total
    assert breakdown.total - breakdown.withholding == breakdown.net
    for amount in [*items, breakdown.total, breakdown.withholding, breakdown.net]:
        assert amount == cents(amount)
        assert amount >= 0 or amount == breakdown.net
    if regime == FORFETTARIO or not profession:
        assert breakdown.vat == breakdown.withholding == 0
