"""Billable time and amounts for client statements, under the firm's billing policy.

Seconds are ``int``, money is ``decimal.Decimal``. No Django here: the admin stores the policy,
this module only computes.

Rules and decisions
-------------------
* A call's talk time is billed in three steps, in this order:

  1. **Ignore.** A call with 0 s talk time is never billed, whatever the policy (it was not
     answered). A call shorter than ``ignore_below_seconds`` is not billed either.
  2. **Minimum.** A billed call counts at least ``minimum_seconds``.
  3. **Round up.** Billed time is rounded UP to whole increments of ``increment_minutes``
     (0, 1, 6, 10 or 15; 0 bills exact seconds): a started unit is billed whole.
     6-minute units: 1 s -> 360 s, 360 s -> 360 s, 361 s -> 720 s.

* ``rounding`` says where step 3 happens. ``per_call``: on each call. ``total``: the calls'
  seconds after steps 1-2 are summed and the sum is rounded up once (3 calls of 100 s in
  6-minute units: 300 s -> 360 s, where per call they would be 3 x 360 s).
  In ``total`` mode a line's ``billable_seconds`` is its time before rounding and its ``units``
  is None: only the bill as a whole has units.

* Money, so that a statement's lines add up to its total: in ``per_call`` mode each line's
  amount is ``billable_seconds / 3600 x hourly_rate`` rounded to cents ROUND_HALF_UP (computed
  exactly, then rounded once), and the bill's amount is the sum of the line amounts; a call not
  billed has amount 0.00. In ``total`` mode lines carry no amount (None) and the bill's amount
  is the total billable seconds priced and rounded the same way. Without a rate every amount is
  None.

* Negative talk time or a negative rate is a ``ValueError``. Seconds must be ``int`` and the
  rate a ``Decimal`` (an ``int`` is accepted): a float is a ``TypeError``, money is never a
  float. Policies check themselves when created.

Durations are shown as ``H:MM:SS`` by ``firm.lib.formats.format_duration``; none is defined here.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from math import floor

PER_CALL = "per_call"
TOTAL = "total"
ROUNDING_MODES = (PER_CALL, TOTAL)
INCREMENT_MINUTES = (0, 1, 6, 10, 15)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class BillingRules:
    """How the firm turns talk time into billed time; see the module docstring for the rules."""

    increment_minutes: int = 6
    rounding: str = PER_CALL
    minimum_seconds: int = 0
    ignore_below_seconds: int = 0

    def __post_init__(self) -> None:
        if not _is_int(self.increment_minutes) or self.increment_minutes not in INCREMENT_MINUTES:
            raise ValueError(
                f"increment_minutes must be one of {INCREMENT_MINUTES}, "
                f"not {self.increment_minutes!r}."
            )
        if self.rounding not in ROUNDING_MODES:
            raise ValueError(f"rounding must be one of {ROUNDING_MODES}, not {self.rounding!r}.")
        for name in ("minimum_seconds", "ignore_below_seconds"):
            value = getattr(self, name)
            if not _is_int(value) or value < 0:
                raise ValueError(f"{name} must be a whole number of seconds >= 0, not {value!r}.")

    @property
    def increment_seconds(self) -> int:
        """The billing unit in seconds; 0 when exact seconds are billed."""
        return self.increment_minutes * 60


@dataclass(frozen=True)
class BilledCall:
    """One call on a bill.

    ``billable_seconds`` is 0 when the call is not billed; in ``total`` mode it is the time
    before rounding. ``units`` is the number of increments (None with increment 0, and in
    ``total`` mode); ``amount`` is None without a rate and in ``total`` mode.
    """

    talk_seconds: int
    billed: bool
    billable_seconds: int
    units: int | None
    amount: Decimal | None


@dataclass(frozen=True)
class Bill:
    """Calls billed together: the lines in input order and the totals.

    ``talk_seconds`` sums every call, billed or not. ``billable_seconds`` and ``units`` are the
    billed totals (rounded once in ``total`` mode); ``units`` is None with increment 0.
    ``amount`` is None without a rate.
    """

    lines: tuple[BilledCall, ...]
    talk_seconds: int
    billable_seconds: int
    units: int | None
    amount: Decimal | None


def _is_int(value: object) -> bool:
    """True for an int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def _check_seconds(seconds: int, what: str = "talk time") -> None:
    if not _is_int(seconds):
        raise TypeError(f"{what} must be whole seconds (int), not {seconds!r}.")
    if seconds < 0:
        raise ValueError(f"{what} cannot be negative: {seconds} s.")


def _check_rate(hourly_rate: Decimal | None) -> None:
    if hourly_rate is None:
        return
    if not isinstance(hourly_rate, Decimal | int) or isinstance(hourly_rate, bool):
        raise TypeError(f"the hourly rate must be a Decimal, not {hourly_rate!r}.")
    if not Decimal(hourly_rate).is_finite() or hourly_rate < 0:
        raise ValueError(f"the hourly rate must be a finite amount >= 0, not {hourly_rate}.")


def is_billed(talk_seconds: int, policy: BillingRules) -> bool:
    """Whether a call is billed at all: answered (talk time > 0) and not below the threshold."""
    _check_seconds(talk_seconds)
    return talk_seconds > 0 and talk_seconds >= policy.ignore_below_seconds


def billable_seconds_before_rounding(talk_seconds: int, policy: BillingRules) -> int:
    """A call's billable time after the ignore and minimum rules, before any rounding.

    This is what each call adds to the sum in ``total`` mode; 0 for a call not billed.
    """
    if not is_billed(talk_seconds, policy):
        return 0
    return max(talk_seconds, policy.minimum_seconds)


def round_up_to_increment(seconds: int, policy: BillingRules) -> int:
    """``seconds`` rounded up to whole increments (unchanged with increment 0)."""
    step = policy.increment_seconds
    if step == 0:
        return seconds
    return -(-seconds // step) * step


def billable_seconds(talk_seconds: int, policy: BillingRules) -> int:
    """A call's billable time when rounded on its own (``per_call`` rounding).

    Ignore, minimum, then round up; ``policy.rounding`` is not consulted, since one call has
    nothing to be summed with. For ``total`` mode use ``billable_seconds_before_rounding`` and
    ``bill_calls``.
    """
    return round_up_to_increment(billable_seconds_before_rounding(talk_seconds, policy), policy)


def amount_for(seconds: int, hourly_rate: Decimal) -> Decimal:
    """``seconds / 3600 x hourly_rate`` rounded to cents, half up, from the exact value."""
    _check_seconds(seconds, "billable time")
    _check_rate(hourly_rate)
    exact_cents = Fraction(seconds) * Fraction(hourly_rate) * 100 / 3600
    return Decimal(floor(exact_cents + Fraction(1, 2))) * CENT


def _units(seconds: int, policy: BillingRules) -> int | None:
    step = policy.increment_seconds
    return None if step == 0 else seconds // step


def bill_calls(
    talk_seconds: Sequence[int], policy: BillingRules, hourly_rate: Decimal | None
) -> Bill:
    """Bill calls together under ``policy``: one line per call in input order, and totals."""
    _check_rate(hourly_rate)
    for talk in talk_seconds:
        _check_seconds(talk)
    if policy.rounding == PER_CALL:
        return _bill_per_call(talk_seconds, policy, hourly_rate)
    return _bill_total(talk_seconds, policy, hourly_rate)


def _bill_per_call(
    talk_seconds: Sequence[int], policy: BillingRules, hourly_rate: Decimal | None
) -> Bill:
    lines = []
    for talk in talk_seconds:
        seconds = billable_seconds(talk, policy)
        lines.append(
            BilledCall(
                talk_seconds=talk,
                billed=is_billed(talk, policy),
                billable_seconds=seconds,
                units=_units(seconds, policy),
                amount=None if hourly_rate is None else amount_for(seconds, hourly_rate),
            )
        )
    total_seconds = sum(line.billable_seconds for line in lines)
    return Bill(
        lines=tuple(lines),
        talk_seconds=sum(talk_seconds),
        billable_seconds=total_seconds,
        units=_units(total_seconds, policy),
        amount=None
        if hourly_rate is None
        else sum((line.amount for line in lines), Decimal("0.00")),
    )


def _bill_total(
    talk_seconds: Sequence[int], policy: BillingRules, hourly_rate: Decimal | None
) -> Bill:
    lines = tuple(
        BilledCall(
            talk_seconds=talk,
            billed=is_billed(talk, policy),
            billable_seconds=billable_seconds_before_rounding(talk, policy),
            units=None,
            amount=None,
        )
        for talk in talk_seconds
    )
    total_seconds = round_up_to_increment(sum(line.billable_seconds for line in lines), policy)
    return Bill(
        lines=lines,
        talk_seconds=sum(talk_seconds),
        billable_seconds=total_seconds,
        units=_units(total_seconds, policy),
        amount=None if hourly_rate is None else amount_for(total_seconds, hourly_rate),
    )


@lru_cache(maxsize=8192)
def _billable_seconds_cached(talk_seconds: int, policy: BillingRules) -> int:
    """``billable_seconds``, remembered: the clients of a month share their talk times."""
    return billable_seconds(talk_seconds, policy)


def bill_talk_counts(
    talk_counts: Mapping[int, int], policy: BillingRules, hourly_rate: Decimal | None
) -> Bill:
    """``bill_calls`` for calls given as {talk seconds: how many calls}, without the lines:
    the same totals from one entry per distinct talk time (a month of a client's calls has
    far fewer talk times than calls). ``lines`` is empty."""
    _check_rate(hourly_rate)
    for talk, count in talk_counts.items():
        _check_seconds(talk)
        _check_seconds(count, "a number of calls")
    talk_total = sum(talk * count for talk, count in talk_counts.items())
    if policy.rounding == PER_CALL:
        # Calls of different talk times often bill the same units: price each billed time
        # once (amount_for is exact arithmetic, the slow part).
        per_billed: dict[int, int] = {}
        for talk, count in talk_counts.items():
            call_seconds = _billable_seconds_cached(talk, policy)
            per_billed[call_seconds] = per_billed.get(call_seconds, 0) + count
        seconds = sum(call_seconds * count for call_seconds, count in per_billed.items())
        amount = (
            None
            if hourly_rate is None
            else sum(
                (
                    amount_for(call_seconds, hourly_rate) * count
                    for call_seconds, count in per_billed.items()
                ),
                Decimal("0.00"),
            )
        )
    else:
        seconds = round_up_to_increment(
            sum(
                billable_seconds_before_rounding(talk, policy) * count
                for talk, count in talk_counts.items()
            ),
            policy,
        )
        amount = None if hourly_rate is None else amount_for(seconds, hourly_rate)
    return Bill(
        lines=(),
        talk_seconds=talk_total,
        billable_seconds=seconds,
        units=_units(seconds, policy),
        amount=amount,
    )


# --- Matters: calls billed in groups, each at its own rate ---------------------------------
#
# A client's calls under a matter (``clients.Matter``) are billed at the matter's rate when it
# has one, else at the client's; calls without a matter at the client's rate. Each group is
# billed on its own by ``bill_calls``, so in ``total`` mode the rounding happens **once per
# group**: two groups at different rates cannot share one rounded total (which rate would
# price the increment rounded up?). The client's bill is then the groups' bills added up
# (``add_bills``): its seconds and units are the groups' rounded ones, its amount the sum of
# the groups' amounts. A group whose rate is unknown adds no amount; the total amount is None
# only when no group has a rate.


def rate_for(matter_rate: Decimal | None, client_rate: Decimal | None) -> Decimal | None:
    """The hourly rate of a matter's calls: the matter's own, else the client's."""
    _check_rate(matter_rate)
    _check_rate(client_rate)
    return matter_rate if matter_rate is not None else client_rate


def add_bills(bills: Sequence[Bill], policy: BillingRules) -> Bill:
    """Bills made under ``policy`` added up, as a client's statement adds its matters' bills:
    the lines one group after another, the totals summed (each group was already rounded in
    ``total`` mode, so the sum is whole increments). ``amount`` is None when no bill has one,
    else the sum of the amounts known."""
    amounts = [bill.amount for bill in bills if bill.amount is not None]
    seconds = sum(bill.billable_seconds for bill in bills)
    return Bill(
        lines=tuple(line for bill in bills for line in bill.lines),
        talk_seconds=sum(bill.talk_seconds for bill in bills),
        billable_seconds=seconds,
        units=_units(seconds, policy),
        amount=sum(amounts, Decimal("0.00")) if amounts else None,
    )
