"""Reads of the client index, and client statements (a client's billed calls in a period)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from calls.models import Call, CallStatus
from clients.billing import PER_CALL, BillingRules, bill_calls
from clients.models import BillingPolicy, Client, Matter
from firm.lib.dates import DayRange, firm_time_zone


def client_search(*, query: str, clients: QuerySet[Client] | None = None) -> QuerySet[Client]:
    """Clients whose name, code, VAT number, tax code, contact or one of whose matters (its
    description or code) match every word of `query`.

    A client whose code, or one of whose matters' code, is exactly the query comes first, then
    the rest by name.
    """
    clients = Client.objects.all() if clients is None else clients
    words = query.split()
    if not words:
        return clients.order_by("name", "code")
    for word in words:
        clients = clients.filter(
            Q(name__icontains=word)
            | Q(code__startswith=word)
            | Q(vat_number__icontains=word)
            | Q(tax_code__iexact=word)
            | Q(pk__in=Client.objects.filter(contacts__name__icontains=word).values("pk"))
            | Q(pk__in=_matters_matching(word).values("client_id"))
        )
    exact = query.strip()
    return clients.annotate(
        exact_code=Case(
            When(code=exact, then=Value(0)),
            When(pk__in=Matter.objects.filter(code=exact).values("client_id"), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("exact_code", "name", "code")


def _matters_matching(word: str) -> QuerySet[Matter]:
    return Matter.objects.filter(Q(name__icontains=word) | Q(code__startswith=word))


def matters_found(*, query: str, client_ids: Iterable[int]) -> dict[int, list[Matter]]:
    """The matters that ``client_search`` found ``query`` in, per client of ``client_ids`` (a
    page of results): a matter matches when every word is in its description or starts its
    code. One query."""
    words = query.split()
    if not words:
        return {}
    matters = Matter.objects.filter(client_id__in=list(client_ids)).order_by("code")
    for word in words:
        matters = matters.filter(Q(name__icontains=word) | Q(code__startswith=word))
    found: dict[int, list[Matter]] = {}
    for matter in matters[:200]:
        found.setdefault(matter.client_id, []).append(matter)
    return found


# --- Client statements -------------------------------------------------------------------
#
# Which calls a statement holds: every call linked to the client (``Call.client``) that
# started within the period's days in the firm's time zone, whatever its direction (outbound
# calls with the client's code, and any inbound or internal call linked to the client).
# Calls that were not answered are listed with 0 billable time. Billing is
# ``clients.billing.bill_calls`` under the firm's current policy and the client's rate.


@dataclass(frozen=True)
class StatementLine:
    """One call on a statement."""

    start: datetime  # in the firm's time zone
    caller: str
    caller_name: str
    number: str
    status: str
    talk_seconds: int
    billed: bool
    billable_seconds: int  # before rounding in ``total`` mode
    units: int | None
    amount: Decimal | None
    cost: Decimal | None


@dataclass(frozen=True)
class StatementTotals:
    """Totals of some calls of a statement (a caller's, or all of them).

    ``billable_seconds`` and ``amount`` of the whole statement are the bill's (rounded once in
    ``total`` mode); a caller's subtotal in ``total`` mode is its time before rounding, with no
    amount. ``cost`` sums the known costs (None when no call has one).
    """

    calls: int
    answered: int
    talk_seconds: int
    billable_seconds: int
    units: int | None
    amount: Decimal | None
    cost: Decimal | None


@dataclass(frozen=True)
class CallerGroup:
    """The calls of one caller (extension) and their subtotal."""

    caller: str
    caller_name: str
    lines: tuple[StatementLine, ...]
    subtotal: StatementTotals


@dataclass(frozen=True)
class Statement:
    client: Client
    first_day: date
    last_day: date
    policy: BillingRules
    hourly_rate: Decimal | None
    groups: tuple[CallerGroup, ...]
    total: StatementTotals

    @property
    def calls(self) -> int:
        return self.total.calls

    @property
    def lines(self) -> list[StatementLine]:
        return [line for group in self.groups for line in group.lines]


class StatementCall(NamedTuple):
    """What a statement reads of each call (``values_list(*StatementCall._fields)``)."""

    start: datetime
    caller: str
    caller_name: str
    dialled_number: str
    destination: str
    status: str
    talk_seconds: int
    cost: Decimal | None


def _sum_costs(costs) -> Decimal | None:
    known = [cost for cost in costs if cost is not None]
    return sum(known, Decimal("0")) if known else None


def statement_build(
    *,
    client: Client,
    first_day: date,
    last_day: date,
    rows,
    policy: BillingRules,
) -> Statement:
    """A statement from call rows (``StatementCall``s, or tuples in its order; any order of
    rows): the calls grouped by caller (extension order), each group by time."""
    zone = firm_time_zone()
    rows = sorted(map(StatementCall._make, rows), key=lambda row: (row.caller, row.start))
    rate = client.hourly_rate
    bill = bill_calls([int(row.talk_seconds) for row in rows], policy, rate)
    per_call_amounts = policy.rounding == PER_CALL and rate is not None
    groups = []
    position = 0
    for caller, caller_rows in groupby(rows, key=lambda row: row.caller):
        caller_rows = list(caller_rows)
        billed = bill.lines[position : position + len(caller_rows)]
        position += len(caller_rows)
        lines = tuple(
            StatementLine(
                start=row.start.astimezone(zone),
                caller=row.caller,
                caller_name=row.caller_name,
                number=row.dialled_number or row.destination,
                status=row.status,
                talk_seconds=int(row.talk_seconds),
                billed=line.billed,
                billable_seconds=line.billable_seconds,
                units=line.units,
                amount=line.amount,
                cost=row.cost,
            )
            for row, line in zip(caller_rows, billed, strict=True)
        )
        seconds = sum(line.billable_seconds for line in lines)
        subtotal = StatementTotals(
            calls=len(lines),
            answered=sum(1 for line in lines if line.status == CallStatus.ANSWERED),
            talk_seconds=sum(line.talk_seconds for line in lines),
            billable_seconds=seconds,
            units=None if policy.rounding != PER_CALL else _units_of(seconds, policy),
            amount=sum((line.amount for line in lines), Decimal("0.00"))
            if per_call_amounts
            else None,
            cost=_sum_costs(line.cost for line in lines),
        )
        name = next((line.caller_name for line in lines if line.caller_name), "")
        groups.append(CallerGroup(caller=caller, caller_name=name, lines=lines, subtotal=subtotal))
    total = StatementTotals(
        calls=len(rows),
        answered=sum(group.subtotal.answered for group in groups),
        talk_seconds=bill.talk_seconds,
        billable_seconds=bill.billable_seconds,
        units=bill.units,
        amount=bill.amount,
        cost=_sum_costs(row.cost for row in rows),
    )
    return Statement(
        client=client,
        first_day=first_day,
        last_day=last_day,
        policy=policy,
        hourly_rate=rate,
        groups=tuple(groups),
        total=total,
    )


def _units_of(seconds: int, policy: BillingRules) -> int | None:
    step = policy.increment_seconds
    return None if step == 0 else seconds // step


def statement_get(
    *, client: Client, first_day: date, last_day: date, policy: BillingRules | None = None
) -> Statement:
    """The client's statement for the days ``first_day`` to ``last_day`` (both included, in
    the firm's time zone), billed under ``policy`` (default: the firm's current one)."""
    policy = policy or BillingPolicy.load().as_policy()
    rows = Call.objects.filter(DayRange(first_day, last_day).q(), client=client).values_list(
        *StatementCall._fields
    )
    return statement_build(
        client=client, first_day=first_day, last_day=last_day, rows=list(rows), policy=policy
    )


@dataclass(frozen=True)
class SummaryRow:
    """One client's totals for a period (the client summary, the month pack's first page)."""

    client: Client
    calls: int
    answered: int
    talk_seconds: int
    billable_seconds: int
    amount: Decimal | None


def client_summary_list(
    *, first_day: date, last_day: date, policy: BillingRules | None = None
) -> list[SummaryRow]:
    """Every client with calls in the period, by name, with the totals of its statement.

    One query reads (client, status, talk time) of the period's linked calls in client order;
    each client's talk times are billed as its statement bills them."""
    policy = policy or BillingPolicy.load().as_policy()
    rows = (
        Call.objects.filter(DayRange(first_day, last_day).q(), client__isnull=False)
        .order_by("client_id")
        .values_list("client_id", "status", "talk_seconds")
    )
    per_client: dict[int, tuple[int, list[int]]] = {}
    for client_id, client_rows in groupby(rows.iterator(chunk_size=5000), key=itemgetter(0)):
        answered = 0
        talks = []
        for _client_id, status, talk in client_rows:
            answered += status == CallStatus.ANSWERED
            talks.append(int(talk))
        per_client[client_id] = (answered, talks)
    clients = Client.objects.filter(pk__in=list(per_client)).order_by("name", "code")
    summary = []
    for client in clients.iterator(chunk_size=1000):
        answered, talks = per_client[client.pk]
        bill = bill_calls(talks, policy, client.hourly_rate)
        summary.append(
            SummaryRow(
                client=client,
                calls=len(talks),
                answered=answered,
                talk_seconds=bill.talk_seconds,
                billable_seconds=bill.billable_seconds,
                amount=bill.amount,
            )
        )
    return summary


def summary_totals(rows: list[SummaryRow]) -> dict:
    """The grand totals of a client summary (amount None when no client has a rate)."""
    amounts = [row.amount for row in rows if row.amount is not None]
    return {
        "clients": len(rows),
        "calls": sum(row.calls for row in rows),
        "answered": sum(row.answered for row in rows),
        "talk_seconds": sum(row.talk_seconds for row in rows),
        "billable_seconds": sum(row.billable_seconds for row in rows),
        "amount": sum(amounts, Decimal("0.00")) if amounts else None,
    }
