"""Issuing a month's statements: frozen, numbered ``IssuedStatement``s, e-mailed once.

One sub-domain with its reads and writes (the data layer: no view, form or table):

- ``issue_plan`` (read): who would get what for a month — the clients with billable calls,
  their amount and address, and what was already issued and sent.
- ``statements_issue`` (write): closes the month (the period lock), then freezes a statement
  for every client with billable calls in the month that has none yet — number
  ``YYYY-MM/<seq>``, the calls as billed under today's policy and rate, the policy and rate
  themselves, the PDF bytes of ``statement_pdf``. Issued statements are never recomputed; a
  rerun issues only clients that have none.
- ``statement_correct`` (write): a new statement for a client's month that supersedes the
  current one (both kept); the month must have been reopened to change its calls.
- ``statements_send`` (write): e-mails every issued, unsent, not superseded statement of the
  month with its PDF to the client's ``billing_email``. A statement is marked sent only after
  the SMTP server accepted it; a failure (server down, address refused) is recorded on the
  statement and reported, and the next run tries again. A client without an address is
  reported and left unsent.

Order: close, freeze, then send. Closing first means the calls cannot be reassigned while
they are frozen, and no lock is held for the minutes a month's PDFs take (on SQLite a long
write transaction would keep the importer and the queue waiting); a statement is never sent
before it is frozen in a closed month. A run that dies while freezing leaves the month closed
with some statements, one that dies while sending leaves unsent statements: the next run
issues and sends the rest.
"""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from calls.models import ClosedPeriod
from calls.services import period_close
from clients.billing.fees import breakdown_as_dict, breakdown_from_dict
from clients.billing.printing import (
    Letterhead,
    period_text,
    slug,
    statement_breakdown,
    statement_pdf,
    statement_policy,
)
from clients.billing.selectors import Statement, client_summary_list, statement_get
from clients.models import BillingPolicy, Client, IssuedStatement
from firm.lib.dates import month_days, today_local
from firm.lib.formats import format_duration_words, format_euro, month_name
from firm.lib.mail import Attachment, Mailer, email_message
from firm.models import FirmSettings

# How far a run has gone: (done, total, unit), unit "clients" or "statements" (firm.jobs.UNITS).
Progress = Callable[[int, int, str], None]

# --- Reads -------------------------------------------------------------------------------


def statement_number(month: date, sequence: int) -> str:
    return f"{month:%Y-%m}/{sequence}"


@dataclass(frozen=True)
class PlanRow:
    """One client of a month's issue: what it gets and where it goes. ``issued`` is the
    client's current statement of the month when it has one already (then nothing new is
    issued for it)."""

    client: Client
    calls: int
    billable_seconds: int
    amount: Decimal | None
    address: str
    issued: IssuedStatement | None


def issue_plan(*, month: date) -> list[PlanRow]:
    """Every client with billable calls in ``month`` (by name) and every client with a
    statement issued for it, each with its amount (the issued one's, else today's bill)."""
    first_day, last_day = month_days(month)
    current = {
        statement.client_id: statement
        for statement in _current_statements(month).select_related("client")
    }
    rows = []
    seen = set()
    for row in client_summary_list(first_day=first_day, last_day=last_day):
        issued = current.get(row.client.pk)
        if issued is None and row.billable_seconds <= 0:
            continue
        seen.add(row.client.pk)
        rows.append(_plan_row(row.client, issued, row.calls, row.billable_seconds, row.amount))
    for client_id, issued in current.items():
        if client_id not in seen:
            rows.append(_plan_row(issued.client, issued, 0, 0, None))
    rows.sort(key=lambda row: (row.client.name, row.client.code))
    return rows


def email_preview(*, client: Client, month: date):
    """The e-mail ``client`` gets for ``month`` and whether it is an issued statement's: its
    issued statement's, else the one the statement would get if issued now (number "—", an
    empty PDF). Nothing is saved."""
    month = month.replace(day=1)
    issued = _current_statements(month).filter(client=client).first()
    if issued is None:
        first_day, last_day = month_days(month)
        statement = statement_get(client=client, first_day=first_day, last_day=last_day)
        total = statement.total
        breakdown = statement_breakdown(statement, Letterhead.of(FirmSettings.load()).fee_rules)
        issued = IssuedStatement(
            fees=breakdown_as_dict(breakdown) if breakdown is not None else {},
            number="—",
            month=month,
            sequence=0,
            client=client,
            first_day=first_day,
            last_day=last_day,
            calls=total.calls,
            talk_seconds=total.talk_seconds,
            billable_seconds=total.billable_seconds,
            amount=total.amount,
            pdf=b"",
        )
    else:
        issued = IssuedStatement.objects.get(pk=issued.pk)
    firm_name = FirmSettings.load().firm_name
    address = client.billing_email or "—"
    return statement_email(issued, firm_name=firm_name, address=address), issued.pk is not None


def _plan_row(client, issued, calls, billable_seconds, amount) -> PlanRow:
    if issued is not None:
        calls, billable_seconds, amount = issued.calls, issued.billable_seconds, issued.amount
    return PlanRow(
        client=client,
        calls=calls,
        billable_seconds=billable_seconds,
        amount=amount,
        address=issued.sent_to if issued is not None and issued.sent_at else client.billing_email,
        issued=issued,
    )


def _current_statements(month: date):
    """The month's statements that no correction replaced, without their PDF bytes."""
    return IssuedStatement.objects.filter(month=month, superseded_by__isnull=True).defer("pdf")


def issued_for(*, client: Client, first_day: date, last_day: date) -> IssuedStatement | None:
    """The client's current issued statement when the days are exactly an issued month (the
    page and print then show it, not a recomputation); None otherwise."""
    if (first_day, last_day) != month_days(first_day):
        return None
    return (
        IssuedStatement.objects.filter(client=client, month=first_day, superseded_by__isnull=True)
        .defer("pdf")
        .first()
    )


def issued_differs(issued: IssuedStatement, statement: Statement) -> bool:
    """Whether today's statement of the issued month differs from what was issued: calls
    reassigned, a rate or the policy changed (then a correction is offered)."""
    total = statement.total
    return issued.bills_otherwise(
        calls=total.calls, billable_seconds=total.billable_seconds, amount=total.amount
    )


def issued_statements(*, client: Client | None = None, month: date | None = None):
    """Issued statements, newest month first and by number within a month, without their
    PDF bytes."""
    statements = IssuedStatement.objects.select_related("client", "superseded_by").defer(
        "pdf", "superseded_by__pdf"
    )
    if client is not None:
        statements = statements.filter(client=client)
    if month is not None:
        statements = statements.filter(month=month)
    return statements.order_by("-month", "sequence")


# --- Issuing -----------------------------------------------------------------------------


def _check_month_ended(month: date) -> None:
    if month >= today_local().replace(day=1):
        raise ValidationError(
            _("%(month)s has not ended yet: only past months can be issued.")
            % {"month": month_name(month)},
            code="not_ended",
        )


def _frozen_lines(statement: Statement) -> list[dict]:
    """The statement's calls as billed, each with its matter (code and name; "" for the
    client's calls without one) and the hourly rate it was billed at."""
    return [
        {
            "matter_code": group.code,
            "matter_name": group.name,
            "hourly_rate": None if group.hourly_rate is None else str(group.hourly_rate),
            "start": line.start.isoformat(),
            "caller": line.caller,
            "number": line.number,
            "status": line.status,
            "talk_seconds": line.talk_seconds,
            "billable_seconds": line.billable_seconds,
            "billed": line.billed,
            "amount": None if line.amount is None else str(line.amount),
        }
        for group in statement.matters
        for callers in group.callers
        for line in callers.lines
    ]


def _next_sequence(month: date) -> int:
    last = IssuedStatement.objects.filter(month=month).aggregate(last=Max("sequence"))
    return (last["last"] or 0) + 1


def _next_notice(year: int) -> int:
    """The next avviso di parcella number of ``year`` (its own yearly sequence)."""
    last = IssuedStatement.objects.filter(notice_year=year).aggregate(last=Max("notice_sequence"))
    return (last["last"] or 0) + 1


def notice_number(year: int, sequence: int) -> str:
    return f"{sequence}/{year}"


def _numbers(month: date, with_notice: bool) -> dict:
    """The numbers the next statement of ``month`` gets: its statement number and, with a
    profession, its avviso's (yearly, by the day it is issued)."""
    sequence = _next_sequence(month)
    numbers = {"sequence": sequence, "number": statement_number(month, sequence)}
    if with_notice:
        year = today_local().year
        notice = _next_notice(year)
        numbers.update(
            notice_year=year, notice_sequence=notice, notice_number=notice_number(year, notice)
        )
    else:
        numbers.update(notice_year=None, notice_sequence=None, notice_number="")
    return numbers


def issued_breakdown(issued: IssuedStatement):
    """An issued statement's avviso items as frozen (None: it was a rendiconto)."""
    return breakdown_from_dict(issued.fees) if issued.fees else None


def _frozen(statement: Statement, *, month: date, user, letterhead, supersedes=None):
    """An unsaved ``IssuedStatement`` of ``statement``, its PDF rendered with the number it
    should get (the slow part, done outside any lock), with what it was printed from;
    ``_number_and_save`` checks the number and saves it."""
    total = statement.total
    breakdown = statement_breakdown(statement, letterhead.fee_rules)
    numbers = _numbers(month, breakdown is not None)
    issued = IssuedStatement(
        month=month,
        **numbers,
        fees=breakdown_as_dict(breakdown) if breakdown is not None else {},
        client=statement.client,
        first_day=statement.first_day,
        last_day=statement.last_day,
        lines=_frozen_lines(statement),
        calls=total.calls,
        talk_seconds=total.talk_seconds,
        billable_seconds=total.billable_seconds,
        amount=total.amount,
        hourly_rate=statement.hourly_rate,
        policy=dataclasses.asdict(statement.policy),
        # In the words the PDF prints (with matters at their own rates, said so).
        policy_text=statement_policy(statement)[:300],
        pdf=statement_pdf(
            statement,
            letterhead=letterhead,
            number=numbers["number"],
            notice_number=numbers["notice_number"],
        ),
        supersedes=supersedes,
        created_by=user,
    )
    return issued, statement, letterhead


def _number_and_save(frozen) -> IssuedStatement:
    """Inside the transaction, after ``_one_issue_at_a_time``: the month's next number. Should
    another run have taken the number the PDF was printed with meanwhile (rare), the PDF is
    printed again with the new one, so the number on the PDF is always the statement's."""
    issued, statement, letterhead = frozen
    numbers = _numbers(issued.month, bool(issued.fees))
    if any(getattr(issued, name) != value for name, value in numbers.items()):
        for name, value in numbers.items():
            setattr(issued, name, value)
        issued.pdf = statement_pdf(
            statement,
            letterhead=letterhead,
            number=issued.number,
            notice_number=issued.notice_number,
        )
    issued.created_at = timezone.now()
    issued.full_clean(exclude=["pdf", "lines", "policy", "fees"])
    issued.save()
    return issued


def _one_issue_at_a_time() -> None:
    """Inside the transaction: wait for another issue run to finish (PostgreSQL; SQLite's
    write transactions take turns anyway), so two runs never take the same number. The same
    row lock as the period lock's (calls.services), which closing the month takes next."""
    FirmSettings.load()
    list(FirmSettings.objects.select_for_update().filter(pk=1).values_list("pk"))


def _close_month(month: date, user) -> bool:
    """Close the month unless it is closed already; whether this closed it."""
    if ClosedPeriod.objects.filter(month=month).exists():
        return False
    period_close(month=month, user=user)
    return True


@dataclass(frozen=True)
class IssueResult:
    issued: list[IssuedStatement]
    already_issued: int
    closed_month: bool


def statements_issue(
    *, month: date, user, clients=None, progress: Progress | None = None
) -> IssueResult:
    """Close ``month``, then freeze a statement for each client with billable calls in it
    that has none. Statements issued before are left as they are.

    The month is closed first, so its calls cannot move while their statements are frozen;
    each statement is then rendered outside any lock (its PDF takes about a second) and saved
    with its number in a short transaction. A run that stops midway leaves the month closed
    and some statements issued: the next run issues the rest.

    ``clients``: only these (ids or ``Client``s; the review page's ticks); None: every one."""
    month = month.replace(day=1)
    only = None if clients is None else {getattr(c, "pk", c) for c in clients}
    _check_month_ended(month)
    first_day, last_day = month_days(month)
    with translation.override(settings.LANGUAGE_CODE):
        with transaction.atomic():
            _one_issue_at_a_time()
            closed = _close_month(month, user)
        policy = BillingPolicy.load().as_policy()
        letterhead = Letterhead.of(FirmSettings.load())
        done = set(IssuedStatement.objects.filter(month=month).values_list("client_id", flat=True))
        issued = []
        rows = client_summary_list(first_day=first_day, last_day=last_day, policy=policy)
        for number, row in enumerate(rows, start=1):
            if progress:
                progress(number - 1, len(rows), "clients")
            if row.billable_seconds <= 0 or row.client.pk in done:
                continue
            if only is not None and row.client.pk not in only:
                continue
            statement = statement_get(
                client=row.client, first_day=first_day, last_day=last_day, policy=policy
            )
            frozen = _frozen(statement, month=month, user=user, letterhead=letterhead)
            with transaction.atomic():
                _one_issue_at_a_time()
                # A run beside this one may have issued it meanwhile.
                if not IssuedStatement.objects.filter(month=month, client=row.client).exists():
                    issued.append(_number_and_save(frozen))
    return IssueResult(issued=issued, already_issued=len(done), closed_month=closed)


def statement_correct(*, client: Client, month: date, user) -> IssuedStatement:
    """A new statement of ``client`` for ``month`` from today's calls, policy and rate, that
    supersedes its current one (kept, and no longer sent). The month is closed again if it
    was reopened for the correction."""
    month = month.replace(day=1)
    first_day, last_day = month_days(month)
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        _one_issue_at_a_time()
        current = (
            IssuedStatement.objects.select_for_update(of=("self",))
            .filter(client=client, month=month, superseded_by__isnull=True)
            .first()
        )
        if current is None:
            raise ValidationError(
                _("%(client)s has no statement issued for %(month)s to correct.")
                % {"client": client, "month": month_name(month)},
                code="nothing_to_correct",
            )
        _close_month(month, user)
        statement = statement_get(client=client, first_day=first_day, last_day=last_day)
        letterhead = Letterhead.of(FirmSettings.load())
        issued = _number_and_save(
            _frozen(statement, month=month, user=user, letterhead=letterhead, supersedes=current)
        )
    return issued


# --- Sending -----------------------------------------------------------------------------

SENT = "sent"
NO_ADDRESS = "no_address"
FAILED = "failed"


@dataclass(frozen=True)
class SendOutcome:
    """What happened to one statement in a sending run."""

    statement: IssuedStatement
    status: str  # SENT, NO_ADDRESS or FAILED
    address: str
    error: str = ""


def statement_attachment_name(statement: IssuedStatement) -> str:
    number = statement.number.replace("/", "-")
    return f"rendiconto-{number}-{slug(statement.client.name)}.pdf"


def statement_attachment_name_for(client: Client, month: date) -> str:
    """The attachment's name before a number is given (the review's preview)."""
    return f"rendiconto-{month:%Y-%m}-N-{slug(client.name)}.pdf"


def month_in_sentence(month: date) -> str:
    text = month_name(month)
    return text.lower() if translation.get_language().startswith("it") else text


def _notice_email_context(statement: IssuedStatement) -> dict:
    breakdown = issued_breakdown(statement)
    if breakdown is None:
        return {}
    return {
        "notice_number": statement.notice_number,
        "notice_total": format_euro(breakdown.total),
        "notice_net": format_euro(breakdown.net) if breakdown.withholding else "",
    }


def statement_email(statement: IssuedStatement, *, firm_name: str, address: str):
    """The e-mail of an issued statement, its PDF attached."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "statement": statement,
            "client": statement.client,
            "firm_name": firm_name,
            "period": period_text(statement.first_day, statement.last_day),
            # Inside a sentence: "maggio 2026" in Italian, "May 2026" in English.
            "month": month_in_sentence(statement.month),
            "calls": statement.calls,
            # In words ("6 h 12 min"): "6:12:00" in a sentence reads as a time of day.
            "billable_time": format_duration_words(statement.billable_seconds),
            "amount": format_euro(statement.amount) if statement.amount is not None else "",
            # An avviso di parcella: its number, total and netto a pagare.
            **_notice_email_context(statement),
        }
    pdf = Attachment(statement_attachment_name(statement), bytes(statement.pdf), "application/pdf")
    return email_message("statement", context, to=[address], attachments=[pdf])


# A run claims each statement before sending it, so two runs at once (the command and the
# button) never both send one. A claim older than this was left by a run that died.
CLAIM_EXPIRES = timedelta(minutes=15)


def _claim(statement: IssuedStatement) -> bool:
    """Whether this run may send ``statement``: unsent, and no other run is sending it."""
    now = timezone.now()
    free = Q(sending_since__isnull=True) | Q(sending_since__lt=now - CLAIM_EXPIRES)
    claimed = IssuedStatement.objects.filter(free, pk=statement.pk, sent_at__isnull=True)
    return claimed.update(sending_since=now) == 1


def statements_send(
    *, month: date, clients=None, progress: Progress | None = None
) -> list[SendOutcome]:
    """E-mail the month's issued statements not sent yet, each with its PDF, once;
    ``clients``: only theirs (ids or ``Client``s), None: every client's."""
    month = month.replace(day=1)
    pending = (
        IssuedStatement.objects.filter(
            month=month, sent_at__isnull=True, superseded_by__isnull=True
        )
        .select_related("client")
        .order_by("sequence")
    )
    if clients is not None:
        pending = pending.filter(client__in=[getattr(c, "pk", c) for c in clients])
    firm_name = FirmSettings.load().firm_name
    outcomes = []
    pending = list(pending)
    with Mailer() as mailer:
        for number, statement in enumerate(pending):
            if progress:
                progress(number, len(pending), "statements")
            address = statement.client.billing_email.strip()
            if not address:
                outcomes.append(SendOutcome(statement, NO_ADDRESS, ""))
                continue
            if not _claim(statement):
                continue  # another run is sending it, or has just sent it
            error = mailer.send(statement_email(statement, firm_name=firm_name, address=address))
            if error is None:
                IssuedStatement.objects.filter(pk=statement.pk).update(
                    sent_at=timezone.now(),
                    sent_to=address,
                    send_attempts=statement.send_attempts + 1,
                    last_error="",
                    sending_since=None,
                )
                outcomes.append(SendOutcome(statement, SENT, address))
            else:
                IssuedStatement.objects.filter(pk=statement.pk).update(
                    send_attempts=statement.send_attempts + 1, last_error=error, sending_since=None
                )
                outcomes.append(SendOutcome(statement, FAILED, address, error))
    return outcomes


@dataclass(frozen=True)
class IssueAndSendResult:
    issue: IssueResult
    outcomes: list[SendOutcome]

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)


def statements_issue_and_send(
    *, month: date, user, clients=None, send: bool = True, progress: Progress | None = None
) -> IssueAndSendResult:
    """Issue the month (close, freeze), then send what is unsent: the command's ``--send``
    and the *Emetti e invia* button (a task: clients/billing/tasks.py). ``clients``: only
    these (the review page's ticks; None: every client); ``send`` False: issue only
    (*Emetti*, ``--issue``), nothing e-mailed. ``progress(done, total, unit)`` is told of each
    client, then of each statement sent."""
    issue = statements_issue(month=month, user=user, clients=clients, progress=progress)
    outcomes = statements_send(month=month, clients=clients, progress=progress) if send else []
    return IssueAndSendResult(issue=issue, outcomes=outcomes)
