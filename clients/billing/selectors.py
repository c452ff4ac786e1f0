"""Client statements: a client's billed calls in a period, and the month's summary."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby
from typing import NamedTuple

from django.db.models import Count, Q

from calls.models import Call, CallStatus
from clients.billable_time import (
    PER_CALL,
    Bill,
    BillingRules,
    add_bills,
    bill_calls,
    bill_talk_counts,
    rate_for,
)
from clients.models import BillingPolicy, Client, IssuedStatement, Matter
from firm.lib.dates import DayRange, firm_time_zone, is_calendar_month

# --- Client statements -------------------------------------------------------------------
#
# Which calls a statement holds: every call linked to the client (``Call.client``) that
# started within the period's days in the firm's time zone, whatever its direction (outbound
# calls with the client's code, and any inbound or internal call linked to the client).
# Calls that were not answered are listed with 0 billable time.
#
# Matters. The calls are grouped by matter (``Call.matter``), the client's matters in code
# order, then the calls without a matter under "Generale" (last: the statement reads like an
# invoice, the client's files first and the remainder after them; a client with no matter
# calls gets only that group, and its statement reads as before). Each group is billed on its
# own by ``clients.billable_time.bill_calls`` under the firm's current policy at its rate (the
# matter's, else the client's: ``billing.rate_for``); with rounding on the total each group's
# total is rounded once. The statement's total is the groups' bills added up
# (``billing.add_bills``). Inside a group the calls are grouped by caller, as before.


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
    """Totals of some calls of a statement (a caller's, a matter's, or all of them).

    ``billable_seconds`` and ``amount`` of a matter group and of the whole statement are the
    bill's (rounded once per matter group in ``total`` mode); a caller's subtotal in ``total``
    mode is its time before rounding, with no amount. ``cost`` sums the known costs (None
    when no call has one).
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
class MatterGroup:
    """The calls of one matter (or, with ``matter`` None, the client's calls without one:
    "Generale"), grouped by caller, billed at ``hourly_rate``, with their subtotal."""

    matter: Matter | None
    hourly_rate: Decimal | None
    callers: tuple[CallerGroup, ...]
    subtotal: StatementTotals

    @property
    def code(self) -> str:
        """The matter's code; "" for the calls without a matter."""
        return self.matter.code if self.matter is not None else ""

    @property
    def name(self) -> str:
        return self.matter.name if self.matter is not None else ""


@dataclass(frozen=True)
class Statement:
    client: Client
    first_day: date
    last_day: date
    policy: BillingRules
    hourly_rate: Decimal | None  # the client's
    matters: tuple[MatterGroup, ...]
    total: StatementTotals

    @property
    def calls(self) -> int:
        return self.total.calls

    @property
    def groups(self) -> tuple[CallerGroup, ...]:
        """Every caller group, one matter after another."""
        return tuple(group for matter in self.matters for group in matter.callers)

    @property
    def lines(self) -> list[StatementLine]:
        return [line for group in self.groups for line in group.lines]

    @property
    def by_matter(self) -> bool:
        """Whether the statement shows matters: some call has one."""
        return any(group.matter is not None for group in self.matters)

    @property
    def has_amounts(self) -> bool:
        """Whether any call is priced: the client or one of its matters here has a rate."""
        return any(group.hourly_rate is not None for group in self.matters) or (
            not self.matters and self.hourly_rate is not None
        )

    @property
    def rates_differ(self) -> bool:
        """Whether some matter here is billed at another rate than the client's."""
        return any(group.hourly_rate != self.hourly_rate for group in self.matters)


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
    matter_id: int | None = None


def _sum_costs(costs) -> Decimal | None:
    known = [cost for cost in costs if cost is not None]
    return sum(known, Decimal("0")) if known else None


def _caller_groups(
    rows: list[StatementCall], bill: Bill, policy: BillingRules, rate: Decimal | None
) -> tuple[CallerGroup, ...]:
    """``rows`` (sorted by caller, then time) and their bill as caller groups."""
    zone = firm_time_zone()
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
    return tuple(groups)


def _bill_totals(bill: Bill, rows, answered: int) -> StatementTotals:
    return StatementTotals(
        calls=len(rows),
        answered=answered,
        talk_seconds=bill.talk_seconds,
        billable_seconds=bill.billable_seconds,
        units=bill.units,
        amount=bill.amount,
        cost=_sum_costs(row.cost for row in rows),
    )


def matter_order(matter: Matter | None) -> tuple:
    """Where a matter's group goes: the matters by code, the calls without one last."""
    return (1, "") if matter is None else (0, matter.code)


def statement_build(
    *,
    client: Client,
    first_day: date,
    last_day: date,
    rows,
    policy: BillingRules,
    matters: Iterable[Matter] = (),
) -> Statement:
    """A statement from call rows (``StatementCall``s, or tuples in its order; any order of
    rows): grouped by matter (``matters``: the client's matters the rows name; a row naming
    another counts as without a matter), then by caller (extension order), each by time."""
    known = {matter.pk: matter for matter in matters}
    by_matter: dict[int | None, list[StatementCall]] = {}
    for row in rows:
        row = StatementCall(*row)
        key = row.matter_id if row.matter_id in known else None
        by_matter.setdefault(key, []).append(row)
    groups = []
    bills = []
    for key in sorted(by_matter, key=lambda key: matter_order(known.get(key))):
        matter = known.get(key)
        matter_rows = sorted(by_matter[key], key=lambda row: (row.caller, row.start))
        rate = rate_for(matter.hourly_rate if matter else None, client.hourly_rate)
        bill = bill_calls([int(row.talk_seconds) for row in matter_rows], policy, rate)
        callers = _caller_groups(matter_rows, bill, policy, rate)
        answered = sum(group.subtotal.answered for group in callers)
        groups.append(
            MatterGroup(
                matter=matter,
                hourly_rate=rate,
                callers=callers,
                subtotal=_bill_totals(bill, matter_rows, answered),
            )
        )
        bills.append(bill)
    bill = add_bills(bills, policy) if bills else bill_calls([], policy, client.hourly_rate)
    all_rows = [row for key in by_matter for row in by_matter[key]]
    total = _bill_totals(bill, all_rows, sum(group.subtotal.answered for group in groups))
    return Statement(
        client=client,
        first_day=first_day,
        last_day=last_day,
        policy=policy,
        hourly_rate=client.hourly_rate,
        matters=tuple(groups),
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
    rows = list(
        Call.objects.filter(DayRange(first_day, last_day).q(), client=client).values_list(
            *StatementCall._fields
        )
    )
    matter_ids = {row[-1] for row in rows if row[-1] is not None}
    matters = Matter.objects.filter(pk__in=matter_ids, client=client) if matter_ids else ()
    return statement_build(
        client=client,
        first_day=first_day,
        last_day=last_day,
        rows=rows,
        policy=policy,
        matters=matters,
    )


@dataclass(frozen=True)
class MatterSummaryRow:
    """One matter's totals in a client's summary row (``matter`` None: the client's calls
    without a matter)."""

    matter: Matter | None
    hourly_rate: Decimal | None
    calls: int
    answered: int
    talk_seconds: int
    billable_seconds: int
    amount: Decimal | None


@dataclass(frozen=True)
class SummaryRow:
    """One client's totals for a period (the client summary, the month pack's first page),
    and its matters' (empty when no call of the client has a matter)."""

    client: Client
    calls: int
    answered: int
    talk_seconds: int
    billable_seconds: int
    amount: Decimal | None
    matters: tuple[MatterSummaryRow, ...] = ()
    # The client's issued statement of the month, when the period is an issued month: the
    # figures above are then its frozen ones (``summary_with_issued``), and ``changed`` says
    # whether today's calls or rates bill something else.
    issued: IssuedStatement | None = None
    changed: bool = False


def client_summary_list(
    *, first_day: date, last_day: date, policy: BillingRules | None = None
) -> list[SummaryRow]:
    """Every client with calls in the period, by name, with the totals of its statement and,
    when some of its calls have a matter, of each matter (billed as the statement bills them).

    Billing reads a call's talk time alone (and its group's rate), so one query reads the
    period's linked calls grouped by (client, matter, talk time), with how many calls and how
    many answered: a few hundred rows per client where a month has thousands of calls. Each
    distinct talk time is billed once, weighted by its calls (``bill_talk_counts``, which
    gives the totals of ``bill_calls`` on every call)."""
    policy = policy or BillingPolicy.load().as_policy()
    rows = (
        Call.objects.filter(DayRange(first_day, last_day).q(), client__isnull=False)
        .values_list("client_id", "matter_id", "talk_seconds")
        .annotate(calls=Count("*"), answered=Count("pk", filter=Q(status=CallStatus.ANSWERED)))
        .order_by()
    )
    # client id -> matter id (or None) -> group's calls
    per_client: dict[int, dict[int | None, _TalkGroup]] = {}
    for client_id, matter_id, talk, calls, answered in rows:
        group = per_client.setdefault(client_id, {}).get(matter_id)
        if group is None:
            group = per_client[client_id][matter_id] = _TalkGroup()
        group.add(int(talk), calls, answered)
    matter_ids = {key for groups in per_client.values() for key in groups if key is not None}
    matters = {matter.pk: matter for matter in Matter.objects.filter(pk__in=matter_ids).iterator()}
    clients = Client.objects.filter(pk__in=list(per_client)).order_by("name", "code")
    summary = []
    for client in clients.iterator(chunk_size=1000):
        bills = []
        matter_rows = []
        for matter, group in _summary_groups(client, per_client[client.pk], matters):
            rate = rate_for(matter.hourly_rate if matter else None, client.hourly_rate)
            bill = bill_talk_counts(group.talk_counts, policy, rate)
            bills.append(bill)
            matter_rows.append(
                MatterSummaryRow(
                    matter=matter,
                    hourly_rate=rate,
                    calls=group.calls,
                    answered=group.answered,
                    talk_seconds=bill.talk_seconds,
                    billable_seconds=bill.billable_seconds,
                    amount=bill.amount,
                )
            )
        bill = add_bills(bills, policy)
        by_matter = any(row.matter is not None for row in matter_rows)
        summary.append(
            SummaryRow(
                client=client,
                calls=sum(row.calls for row in matter_rows),
                answered=sum(row.answered for row in matter_rows),
                talk_seconds=bill.talk_seconds,
                billable_seconds=bill.billable_seconds,
                amount=bill.amount,
                matters=tuple(matter_rows) if by_matter else (),
            )
        )
    return summary


@dataclass
class _TalkGroup:
    """Some calls of a client summed up for billing: {talk seconds: calls}, and how many
    calls and answered calls in all."""

    talk_counts: dict[int, int] = field(default_factory=dict)
    calls: int = 0
    answered: int = 0

    def add(self, talk_seconds: int, calls: int, answered: int) -> None:
        self.talk_counts[talk_seconds] = self.talk_counts.get(talk_seconds, 0) + calls
        self.calls += calls
        self.answered += answered


def _summary_groups(
    client: Client, per_matter: dict[int | None, _TalkGroup], matters: dict[int, Matter]
) -> list[tuple[Matter | None, _TalkGroup]]:
    """A client's (matter or None, its calls) in the statement's order; calls of a matter
    that is not the client's count as without a matter, as on the statement."""
    merged: dict[Matter | None, _TalkGroup] = {}
    for matter_id, group in per_matter.items():
        matter = matters.get(matter_id)
        if matter is not None and matter.client_id != client.pk:
            matter = None
        into = merged.setdefault(matter, _TalkGroup())
        for talk, calls in group.talk_counts.items():
            into.add(talk, calls, 0)
        into.answered += group.answered
    return sorted(merged.items(), key=lambda item: matter_order(item[0]))


def summary_with_issued(
    rows: list[SummaryRow], *, first_day: date, last_day: date
) -> list[SummaryRow]:
    """The summary of an issued month as it was issued: each client with a current issued
    statement for it gets that statement's frozen figures (calls, times, amount, its matters
    from the frozen calls) and ``issued``, ``changed`` when today's figures (``rows``) differ;
    a client issued for the month whose calls have all gone since is added, changed. Other
    periods and clients are left as they are. One query for the month's statements."""
    if not is_calendar_month(first_day, last_day):
        return rows
    current = {
        issued.client_id: issued
        for issued in IssuedStatement.objects.filter(month=first_day, superseded_by__isnull=True)
        .select_related("client")
        .defer("pdf")
    }
    if not current:
        return rows
    summary = []
    for row in rows:
        issued = current.pop(row.client.pk, None)
        if issued is None:
            summary.append(row)
            continue
        changed = issued.bills_otherwise(
            calls=row.calls, billable_seconds=row.billable_seconds, amount=row.amount
        )
        summary.append(_issued_row(issued, row.client, changed=changed))
    summary.extend(_issued_row(issued, issued.client, changed=True) for issued in current.values())
    summary.sort(key=lambda row: (row.client.name, row.client.code))
    return summary


def _issued_row(issued: IssuedStatement, client: Client, *, changed: bool) -> SummaryRow:
    matters = issued_matter_rows(issued, client)
    return SummaryRow(
        client=client,
        calls=issued.calls,
        answered=sum(1 for line in issued.lines if line.get("status") == CallStatus.ANSWERED),
        talk_seconds=issued.talk_seconds,
        billable_seconds=issued.billable_seconds,
        amount=issued.amount,
        matters=matters if any(row.matter is not None for row in matters) else (),
        issued=issued,
        changed=changed,
    )


def issued_matter_rows(issued: IssuedStatement, client: Client) -> tuple[MatterSummaryRow, ...]:
    """An issued statement's matters as summary rows, from its frozen calls (each with its
    matter's code, name and the rate it was billed at): with per-call rounding their frozen
    billable times and amounts added up; with rounding on the total each matter's frozen talk
    times billed once under the frozen policy at the frozen rate, as the statement was."""
    groups: dict[tuple, list[dict]] = {}
    for line in issued.lines:
        key = (line.get("matter_code", ""), line.get("matter_name", ""), line.get("hourly_rate"))
        groups.setdefault(key, []).append(line)
    policy = BillingRules(**issued.policy) if issued.policy else None
    rows = []
    for (code, name, rate), lines in groups.items():
        hourly_rate = Decimal(rate) if rate is not None else None
        talks = [int(line.get("talk_seconds", 0)) for line in lines]
        if policy is not None and policy.rounding != PER_CALL:
            bill = bill_calls(talks, policy, hourly_rate)
            billable, amount = bill.billable_seconds, bill.amount
        else:
            billable = sum(int(line.get("billable_seconds", 0)) for line in lines)
            amounts = [Decimal(line["amount"]) for line in lines if line.get("amount") is not None]
            amount = sum(amounts, Decimal("0.00")) if hourly_rate is not None else None
        rows.append(
            MatterSummaryRow(
                matter=Matter(client=client, code=code, name=name) if code else None,
                hourly_rate=hourly_rate,
                calls=len(lines),
                answered=sum(1 for line in lines if line.get("status") == CallStatus.ANSWERED),
                talk_seconds=sum(talks),
                billable_seconds=billable,
                amount=amount,
            )
        )
    return tuple(rows)


def statement_as_issued(issued: IssuedStatement) -> Statement:
    """An issued statement as the ``Statement`` it was issued from, for the exports that
    read one (billing entries, LEDES): its frozen calls grouped by their frozen matter and
    billed again under the frozen policy at the rate each was billed at, which gives back
    the issued figures (billing is a function of those alone). Callers' names and costs are
    not frozen: they come out empty."""
    client = Client(pk=issued.client_id, code=issued.client.code, name=issued.client.name)
    client.hourly_rate = issued.hourly_rate
    matters: dict[tuple, Matter] = {}
    rows = []
    for line in issued.lines:
        code, rate = line.get("matter_code", ""), line.get("hourly_rate")
        matter = None
        if code:
            key = (code, line.get("matter_name", ""), rate)
            if key not in matters:  # a stand-in: statement_build keys the groups by pk
                matters[key] = Matter(
                    pk=-1 - len(matters),
                    client=client,
                    code=code,
                    name=key[1],
                    hourly_rate=Decimal(rate) if rate is not None else None,
                )
            matter = matters[key]
        rows.append(
            StatementCall(
                start=datetime.fromisoformat(line["start"]),
                caller=line.get("caller", ""),
                caller_name="",
                dialled_number=line.get("number", ""),
                destination=line.get("number", ""),
                status=line.get("status", ""),
                talk_seconds=int(line.get("talk_seconds", 0)),
                cost=None,
                matter_id=matter.pk if matter else None,
            )
        )
    policy = BillingRules(**issued.policy) if issued.policy else BillingRules()
    return statement_build(
        client=client,
        first_day=issued.first_day,
        last_day=issued.last_day,
        rows=rows,
        policy=policy,
        matters=matters.values(),
    )


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
