"""The partner dashboard on the home page: this month against last month, the queue, the
top clients, how many outgoing calls carry a code, the unknown codes dialled most.

Reads only, in a handful of grouped queries, never one per call (a test bounds them):

- calls and talk time of a month: the hourly totals (``CallHourTotal``), summed over the
  hours of the month in the firm's time zone (every local midnight is a whole UTC hour);
- billable time and amount: the month's calls with a client grouped by (month, client,
  matter, talk time), billed per group with its multiplicity (``clients.billable_time.
  bill_talk_counts``: per call rounding gives identical calls identical billable time;
  rounding on the total needs each matter's sum, which the groups give too), each matter at
  its rate, else the client's, and added up per client as its statement does
  (``clients.billable_time.add_bills``);
- a past month issued to clients (``clients.models.IssuedStatement``, one query for both
  months): each client with a current issued statement counts with its frozen figures
  (calls, billable time, amount), never a recomputation of what was sent; the month says how
  many were issued and which of them today's calls or rates would bill otherwise;
- the coded share and the unknown codes: the calls with a code (``ANY_CODE``, one range of
  the covering billing-code index) grouped by month and code, against the outgoing calls of
  each month from the hourly totals.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When

from calls.models import Call, CallDirection, CallHourTotal
from calls.pattern_queries import ANY_CODE
from calls.periods import month_start, next_month, previous_month, recent_months
from calls.selectors import calls_unassigned
from clients.billable_time import BillingRules, add_bills, bill_talk_counts, rate_for
from clients.models import BillingPolicy, Client, IssuedStatement, Matter
from firm.lib.dates import local_midnight

TOP_CLIENTS = 10
TOP_CODES = 10
SHARE_MONTHS = 12


@dataclass(frozen=True)
class MonthFigures:
    """A month's calls (every direction) and talk time, and the billable time and amount of
    its calls with a client (amount None when no such client has an hourly rate)."""

    month: date
    calls: int
    talk_seconds: int
    billable_seconds: int
    amount: Decimal | None
    issued: int = 0  # clients whose figures are their issued statement's
    changed: tuple["IssuedChange", ...] = ()  # of those, the ones billed otherwise today


@dataclass(frozen=True)
class IssuedChange:
    """An issued statement whose client today's calls or rates bill otherwise."""

    client: Client
    number: str


@dataclass(frozen=True)
class ClientFigures:
    """A client's calls and billable time in a month (amount None without a rate); an issued
    client's are its issued statement's (``issued``: its number; ``changed``: billed
    otherwise today)."""

    client: Client
    calls: int
    billable_seconds: int
    amount: Decimal | None
    issued: str = ""
    changed: bool = False


@dataclass(frozen=True)
class CodedShare:
    """Of a month's outgoing external calls, how many carry a billing code."""

    month: date
    outgoing: int
    coded: int

    @property
    def percent(self) -> float | None:
        """The share in percent; None for a month without outgoing calls."""
        return None if not self.outgoing else 100 * self.coded / self.outgoing


@dataclass(frozen=True)
class UnknownCode:
    """A code dialled that no client has, and how many outgoing calls dialled it."""

    code: str
    calls: int


@dataclass(frozen=True)
class Dashboard:
    this_month: MonthFigures
    last_month: MonthFigures
    waiting: int  # the queue's calls of this month (calls_unassigned)
    top_clients: list[ClientFigures]  # this month, most billable time first
    coded_share: list[CodedShare]  # SHARE_MONTHS months, oldest first, this month last
    unknown_codes: list[UnknownCode]  # over the same months, most dialled first


def _month_bucket(field: str, months: list[date]) -> Case:
    """The index in ``months`` of the month ``field`` falls in (given it falls in one)."""
    whens = [
        When(**{f"{field}__lt": local_midnight(next_month(month))}, then=Value(index))
        for index, month in enumerate(months[:-1])
    ]
    return Case(*whens, default=Value(len(months) - 1), output_field=IntegerField())


def _span_q(field: str, months: list[date]) -> Q:
    return Q(
        **{
            f"{field}__gte": local_midnight(months[0]),
            f"{field}__lt": local_midnight(next_month(months[-1])),
        }
    )


def month_call_totals(months: list[date]) -> list[tuple[int, int]]:
    """(calls, talk seconds) of each of the consecutive ``months``, from the hourly totals."""
    rows = (
        CallHourTotal.objects.filter(_span_q("hour", months))
        .annotate(bucket=_month_bucket("hour", months))
        .values("bucket")
        .annotate(calls=Sum("calls"), talk=Sum("talk_seconds"))
        .order_by()
    )
    totals = [(0, 0)] * len(months)
    for row in rows:
        totals[row["bucket"]] = (row["calls"], row["talk"])
    return totals


def outgoing_calls_per_month(months: list[date]) -> list[int]:
    """Outgoing external calls in each of the consecutive ``months``, from the hourly totals."""
    rows = (
        CallHourTotal.objects.filter(_span_q("hour", months), direction=CallDirection.OUTBOUND)
        .annotate(bucket=_month_bucket("hour", months))
        .values("bucket")
        .annotate(calls=Sum("calls"))
        .order_by()
    )
    counts = [0] * len(months)
    for row in rows:
        counts[row["bucket"]] = row["calls"]
    return counts


TalkCounts = dict[int, dict[int | None, dict[int, int]]]


def client_talk_counts(months: list[date]) -> list[TalkCounts]:
    """For each of the consecutive ``months``: {client id: {matter id or None: {talk seconds:
    calls}}} of its calls with a client."""
    rows = (
        Call.objects.filter(_span_q("start", months), client__isnull=False)
        .annotate(bucket=_month_bucket("start", months))
        .values_list("bucket", "client_id", "matter_id", "talk_seconds")
        .annotate(calls=Count("*"))
        .order_by()
    )
    per_month: list[TalkCounts] = [{} for _month in months]
    for bucket, client_id, matter_id, talk, calls in rows:
        per_month[bucket].setdefault(client_id, {}).setdefault(matter_id, {})[int(talk)] = calls
    return per_month


def coded_calls_per_month(months: list[date]) -> tuple[list[int], dict[str, int]]:
    """Outgoing calls with a code in each of the consecutive ``months``, and over all of them
    the calls per code that no client has (client empty), in one pass over the coded range
    of the billing-code index."""
    rows = (
        Call.objects.filter(ANY_CODE, _span_q("start", months), direction=CallDirection.OUTBOUND)
        .annotate(bucket=_month_bucket("start", months))
        .values_list("bucket", "billing_code")
        .annotate(calls=Count("*"), unknown=Count("status", filter=Q(client__isnull=True)))
        .order_by()
    )
    coded = [0] * len(months)
    unknown: dict[str, int] = {}
    for bucket, code, calls, without_client in rows:
        coded[bucket] += calls
        if without_client:
            unknown[code] = unknown.get(code, 0) + without_client
    return coded, unknown


def _bill_month(
    talk_counts: TalkCounts,
    rates: dict[int, Decimal | None],
    matter_rates: dict[int, Decimal | None],
    policy,
) -> dict[int, tuple[int, int, Decimal | None]]:
    """{client id: (calls, billable seconds, amount)} of one month."""
    billed = {}
    for client_id, per_matter in talk_counts.items():
        client_rate = rates.get(client_id)
        bills = [
            bill_talk_counts(counts, policy, rate_for(matter_rates.get(matter_id), client_rate))
            for matter_id, counts in per_matter.items()
        ]
        bill = add_bills(bills, policy)
        calls = sum(sum(counts.values()) for counts in per_matter.values())
        billed[client_id] = (calls, bill.billable_seconds, bill.amount)
    return billed


def issued_per_month(months: list[date]) -> list[dict[int, IssuedStatement]]:
    """For each of ``months``: {client id: its current issued statement} (no PDF, no calls)."""
    statements = IssuedStatement.objects.filter(month__in=months, superseded_by__isnull=True).only(
        "client_id", "month", "number", "calls", "billable_seconds", "amount"
    )
    per_month: list[dict[int, IssuedStatement]] = [{} for _month in months]
    index = {month: position for position, month in enumerate(months)}
    for statement in statements:
        per_month[index[statement.month]][statement.client_id] = statement
    return per_month


def _as_issued(
    billed: dict[int, tuple[int, int, Decimal | None]], issued: dict[int, IssuedStatement]
) -> tuple[dict, set[int]]:
    """A month's billed clients with each issued client's frozen figures instead of today's
    (a client issued whose calls have all gone since counts too), and the issued clients
    today's figures differ for."""
    billed = dict(billed)
    changed = set()
    for client_id, statement in issued.items():
        calls, seconds, amount = billed.get(client_id, (0, 0, None))
        if statement.bills_otherwise(calls=calls, billable_seconds=seconds, amount=amount):
            changed.add(client_id)
        billed[client_id] = (statement.calls, statement.billable_seconds, statement.amount)
    return billed, changed


def _month_figures(month, totals, billed, issued=None, changed=(), clients=None) -> MonthFigures:
    amounts = [amount for _calls, _seconds, amount in billed.values() if amount is not None]
    issued = issued or {}
    return MonthFigures(
        month=month,
        calls=totals[0],
        talk_seconds=totals[1],
        billable_seconds=sum(seconds for _calls, seconds, _amount in billed.values()),
        amount=sum(amounts, Decimal("0.00")) if amounts else None,
        issued=len(issued),
        changed=tuple(
            sorted(
                (IssuedChange(client=clients[pk], number=issued[pk].number) for pk in changed),
                key=lambda change: change.number,
            )
        ),
    )


def dashboard_get(*, today: date, policy: BillingRules | None = None) -> Dashboard:
    """The dashboard for the month of ``today`` (a day in the firm's time zone), billed under
    ``policy`` (default: the firm's current one)."""
    policy = policy or BillingPolicy.load().as_policy()
    this_month = month_start(today)
    last_month = previous_month(this_month)
    two_months = [last_month, this_month]

    totals = month_call_totals(two_months)
    talk_counts = client_talk_counts(two_months)
    issued = issued_per_month(two_months)
    client_ids = set(talk_counts[0]) | set(talk_counts[1]) | set(issued[0]) | set(issued[1])
    clients = (
        Client.objects.only("code", "name", "hourly_rate").in_bulk(client_ids) if client_ids else {}
    )
    rates = {pk: client.hourly_rate for pk, client in clients.items()}
    matter_ids = {
        matter_id
        for counts in talk_counts
        for per_matter in counts.values()
        for matter_id in per_matter
        if matter_id is not None
    }
    matter_rates = (
        dict(Matter.objects.filter(pk__in=matter_ids).values_list("pk", "hourly_rate"))
        if matter_ids
        else {}
    )
    billed, changed = zip(
        *(
            _as_issued(_bill_month(counts, rates, matter_rates, policy), month_issued)
            for counts, month_issued in zip(talk_counts, issued, strict=True)
        ),
        strict=True,
    )

    ranked = sorted(
        billed[1].items(),
        key=lambda item: (-item[1][1], -item[1][0], clients[item[0]].name, item[0]),
    )
    top_clients = [
        ClientFigures(
            client=clients[pk],
            calls=calls,
            billable_seconds=seconds,
            amount=amount,
            issued=issued[1][pk].number if pk in issued[1] else "",
            changed=pk in changed[1],
        )
        for pk, (calls, seconds, amount) in ranked[:TOP_CLIENTS]
    ]

    months = recent_months(this_month, SHARE_MONTHS)[::-1]  # oldest first
    outgoing = outgoing_calls_per_month(months)
    coded, unknown = coded_calls_per_month(months)
    unknown_codes = [
        UnknownCode(code=code, calls=calls)
        for code, calls in sorted(unknown.items(), key=lambda item: (-item[1], item[0]))
    ][:TOP_CODES]

    return Dashboard(
        this_month=_month_figures(this_month, totals[1], billed[1], issued[1], changed[1], clients),
        last_month=_month_figures(last_month, totals[0], billed[0], issued[0], changed[0], clients),
        waiting=calls_unassigned().filter(_span_q("start", [this_month])).count(),
        top_clients=top_clients,
        coded_share=[
            CodedShare(month=month, outgoing=out, coded=count)
            for month, out, count in zip(months, outgoing, coded, strict=True)
        ],
        unknown_codes=unknown_codes,
    )
