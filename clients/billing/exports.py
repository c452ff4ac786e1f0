"""Exports of client statements: the client summary (CSV/XLSX), call time entries for billing
software (CSV) and LEDES 1998B.

Decisions
---------
1. CSV is written as the call log's (``calls.exports``): UTF-8 with a BOM, ``;`` between
   fields, a decimal comma, CRLF, formula-like text neutralised (``firm.lib.spreadsheets``,
   shared by every export). LEDES uses dots (``clients.billing.ledes``).
2. Billing entries. With per-call rounding (the default) there is one entry per billed call:
   client code, matter code (the matter's, or the client's code when the call has none),
   date (``YYYY-MM-DD``, firm's time zone), billable minutes (two decimals), billable units
   (empty with increment "none"), amount at the matter's rate (else the client's; empty
   without a rate) and a description (the matter's name, then number, caller, talk time).
   Calls not billed (unanswered, shorter than the policy's threshold) are left out. With
   rounding on the total, a call has no units or amount of its own, so each client gets
   **one** entry per matter (and one for its calls without a matter) for the period, dated
   its last day, with that group's rounded total (``clients.billable_time``, "Matters").
3. LEDES 1998B: one invoice per client, matter and period (LAW_FIRM_MATTER_ID is an invoice
   field, repeated on each line, so a matter is an invoice of its own); numbered
   ``<matter code>-<YYYYMM>`` for a calendar month (``<code>-<YYYYMMDD>-<YYYYMMDD>``
   otherwise), dated the period's last day; CLIENT_ID is the client code and
   LAW_FIRM_MATTER_ID the matter's code, or the client code for the calls without a matter
   (their invoice is numbered with the client code, as before matters); LAW_FIRM_ID is the
   billing policy's ``law_firm_id``, or the firm name when it is empty. Line items as the
   billing entries, LINE_ITEM_UNIT_COST the matter's rate: per call, TIMEKEEPER_ID the
   caller's extension and TIMEKEEPER_NAME the caller's name (the extension when the PBX gave
   none), classification ``OT``; with rounding on the total, one line per matter whose
   timekeeper is the firm. Without an hourly rate amounts and unit costs are ``0.00``.
   Several clients in one file: one header, every invoice's line items after it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext

from clients.billable_time import PER_CALL
from clients.billing import ledes
from clients.billing.printing import matter_text
from clients.billing.selectors import MatterGroup, Statement, SummaryRow
from firm.lib.dates import is_calendar_month
from firm.lib.downloads import CSV_CONTENT_TYPE, attachment, xlsx_response
from firm.lib.formats import format_duration
from firm.lib.spreadsheets import (
    CSV_DELIMITER,
    csv_decimal,
    neutralise_formula,
    xlsx_text,
    xlsx_workbook,
)

LEDES_CONTENT_TYPE = "text/plain; charset=utf-8"
MINUTE = Decimal("0.01")
HOUR_QUANTUM = Decimal("0.0001")
TIMEKEEPER_CLASSIFICATION = "OT"  # "other": a caller's extension, not a known role


def _csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(header)
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        yield buffer.getvalue().encode("utf-8")


# --- Client summary ----------------------------------------------------------------------


def summary_header() -> list[str]:
    return [
        gettext("Client code"),
        gettext("Client"),
        gettext("VAT number"),
        gettext("Calls"),
        gettext("Answered"),
        gettext("Talk time"),
        gettext("Talk time (s)"),
        gettext("Billable time"),
        gettext("Billable time (s)"),
        gettext("Amount (€)"),
        gettext("Matter code"),
        gettext("Matter"),
        gettext("Statement number"),
        gettext("Issued on"),
        gettext("Changed after issue"),
    ]


def _issued_cells(row: SummaryRow) -> tuple[str, date | None, str]:
    """The issued statement a summary row's figures are: its number, its date (firm's time
    zone) and whether today's calls or rates bill otherwise; empty when not issued."""
    if row.issued is None:
        return "", None, ""
    issued_on = timezone.localtime(row.issued.created_at).date()
    return row.issued.number, issued_on, gettext("yes") if row.changed else gettext("no")


def summary_lines(rows: list[SummaryRow]) -> Iterator[tuple]:
    """The summary's lines: each client's totals (matter cells empty), then, when some of its
    calls have a matter, one line per matter under it (the client's calls without a matter
    as "Generale", matter code empty). Adding up only the lines with no matter name gives the
    clients' totals. Each line ends with the client's issued statement (``_issued_cells``):
    in an issued month its figures are that statement's (``summary_with_issued``)."""
    for row in rows:
        issued = _issued_cells(row)
        yield row, row.client, "", "", issued
        for matter in row.matters:
            code = matter.matter.code if matter.matter is not None else ""
            yield matter, row.client, code, matter_text(matter.matter), issued


def summary_csv(rows: list[SummaryRow], *, filename: str) -> HttpResponse:
    body = b"".join(
        _csv_lines(
            summary_header(),
            (
                [
                    client.code,
                    neutralise_formula(client.name),
                    neutralise_formula(client.vat_number),
                    line.calls,
                    line.answered,
                    format_duration(line.talk_seconds),
                    line.talk_seconds,
                    format_duration(line.billable_seconds),
                    line.billable_seconds,
                    csv_decimal(line.amount),
                    matter_code,
                    neutralise_formula(matter_name),
                    number,
                    issued_on.isoformat() if issued_on else "",
                    changed,
                ]
                for line, client, matter_code, matter_name, (number, issued_on, changed) in (
                    summary_lines(rows)
                )
            ),
        )
    )
    return attachment(HttpResponse(body, content_type=CSV_CONTENT_TYPE), filename)


def summary_xlsx(rows: list[SummaryRow], *, filename: str) -> FileResponse:
    """The summary as a workbook: durations as real (summable) Excel durations."""
    workbook, sheet = xlsx_workbook(gettext("Client summary"), summary_header())
    text = xlsx_text(sheet)
    for line, client, matter_code, matter_name, issued in summary_lines(rows):
        number, issued_on, changed = issued
        sheet.append(
            [
                client.code,
                text(client.name),
                text(client.vat_number),
                line.calls,
                line.answered,
                timedelta(seconds=line.talk_seconds),
                line.talk_seconds,
                timedelta(seconds=line.billable_seconds),
                line.billable_seconds,
                line.amount,
                matter_code or None,
                text(matter_name) if matter_name else None,
                number or None,
                issued_on,
                changed or None,
            ]
        )
    return xlsx_response(workbook.save, filename=filename)


# --- Billing entries (CSV for billing software) ------------------------------------------


@dataclass(frozen=True)
class BillingEntry:
    client_code: str
    matter_code: str  # the matter's code, the client's when the call has no matter
    day: date
    billable_seconds: int
    units: int | None
    amount: Decimal | None
    hourly_rate: Decimal | None  # the matter's rate, else the client's
    description: str
    caller: str
    caller_name: str

    @property
    def minutes(self) -> Decimal:
        return (Decimal(self.billable_seconds) / 60).quantize(MINUTE, rounding=ROUND_HALF_UP)

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.billable_seconds) / 3600).quantize(
            HOUR_QUANTUM, rounding=ROUND_HALF_UP
        )


def _with_matter(group: MatterGroup, text: str) -> str:
    """A description led by the matter's name ("Causa Rossi c. Bianchi: …"), when it has one."""
    return f"{group.name}: {text}" if group.matter is not None else text


def matter_entries(statement: Statement, group: MatterGroup) -> list[BillingEntry]:
    """One matter group's billed time as entries (decision 2), at the group's rate."""
    code = statement.client.code
    matter_code = group.code or code
    if statement.policy.rounding != PER_CALL:
        total = group.subtotal
        if not total.billable_seconds:
            return []
        description = gettext(
            "Telephone calls from %(first)s to %(last)s: %(calls)s calls, talk time %(talk)s"
        ) % {
            "first": statement.first_day.strftime("%d/%m/%Y"),
            "last": statement.last_day.strftime("%d/%m/%Y"),
            "calls": total.answered,
            "talk": format_duration(total.talk_seconds),
        }
        return [
            BillingEntry(
                client_code=code,
                matter_code=matter_code,
                day=statement.last_day,
                billable_seconds=total.billable_seconds,
                units=total.units,
                amount=total.amount,
                hourly_rate=group.hourly_rate,
                description=_with_matter(group, description),
                caller="",
                caller_name="",
            )
        ]
    entries = []
    for caller_group in group.callers:
        for line in caller_group.lines:
            if not line.billed:
                continue
            caller = f"{line.caller} {line.caller_name}".strip()
            description = gettext("Call to %(number)s by %(caller)s, talk time %(talk)s") % {
                "number": line.number,
                "caller": caller,
                "talk": format_duration(line.talk_seconds),
            }
            entries.append(
                BillingEntry(
                    client_code=code,
                    matter_code=matter_code,
                    day=line.start.date(),
                    billable_seconds=line.billable_seconds,
                    units=line.units,
                    amount=line.amount,
                    hourly_rate=group.hourly_rate,
                    description=_with_matter(group, description),
                    caller=line.caller,
                    caller_name=line.caller_name,
                )
            )
    return entries


def billing_entries(statement: Statement) -> list[BillingEntry]:
    """The statement's billed time as entries, one matter after another (decision 2)."""
    return [entry for group in statement.matters for entry in matter_entries(statement, group)]


def billing_header() -> list[str]:
    return [
        gettext("Client code"),
        gettext("Matter code"),
        gettext("Date"),
        gettext("Minutes"),
        gettext("Billable units"),
        gettext("Amount (€)"),
        gettext("Description"),
    ]


def billing_csv(statements: Iterable[Statement], *, filename: str) -> StreamingHttpResponse:
    """Every statement's billing entries as a CSV, one client after another (streamed). The
    descriptions are written in the request's language even when the body is sent after the
    request's language is gone (as ``calls.exports`` decision 6)."""
    header = billing_header()
    language = translation.get_language()

    def rows():
        with translation.override(language):
            yield from _entry_rows()

    def _entry_rows():
        for statement in statements:
            for entry in billing_entries(statement):
                yield [
                    entry.client_code,
                    entry.matter_code,
                    entry.day.isoformat(),
                    csv_decimal(entry.minutes),
                    "" if entry.units is None else entry.units,
                    csv_decimal(entry.amount),
                    neutralise_formula(entry.description),
                ]

    response = StreamingHttpResponse(_csv_lines(header, rows()), content_type=CSV_CONTENT_TYPE)
    return attachment(response, filename)


# --- LEDES 1998B -------------------------------------------------------------------------


def invoice_number(code: str, first_day: date, last_day: date) -> str:
    """``123-202605`` for May 2026; ``123-20260501-20260615`` for any other period."""
    if is_calendar_month(first_day, last_day):
        return f"{code}-{first_day:%Y%m}"
    return f"{code}-{first_day:%Y%m%d}-{last_day:%Y%m%d}"


def matter_ledes(
    statement: Statement, group: MatterGroup, *, law_firm_id: str, firm_name: str
) -> str:
    """One matter group of a statement as a LEDES 1998B invoice (decision 3)."""
    client = statement.client
    matter_code = group.code or client.code
    description = gettext("Telephone calls, %(client)s") % {"client": client.name}
    if group.matter is not None:
        description += f" · {group.name}"
    invoice = ledes.LedesInvoice(
        invoice_date=statement.last_day,
        invoice_number=invoice_number(matter_code, statement.first_day, statement.last_day),
        client_id=client.code,
        law_firm_matter_id=matter_code,
        billing_start=statement.first_day,
        billing_end=statement.last_day,
        description=description,
        law_firm_id=law_firm_id or firm_name,
    )
    rate = group.hourly_rate if group.hourly_rate is not None else Decimal("0.00")
    lines = [
        ledes.LedesLine(
            date=entry.day,
            units_hours=entry.hours,
            unit_cost=rate.quantize(Decimal("0.01")),
            total=entry.amount if entry.amount is not None else Decimal("0.00"),
            description=entry.description,
            timekeeper_id=entry.caller or law_firm_id or firm_name,
            timekeeper_name=entry.caller_name or entry.caller or firm_name,
            timekeeper_classification=TIMEKEEPER_CLASSIFICATION,
        )
        for entry in matter_entries(statement, group)
    ]
    return ledes.ledes_1998b(invoice, lines)


def _ledes_head() -> str:
    return (
        ledes.FORMAT_LINE
        + ledes.LINE_BREAK
        + ledes.SEPARATOR.join(ledes.FIELDS)
        + (ledes.RECORD_END + ledes.LINE_BREAK)
    )


def ledes_file(statements: Iterable[Statement], *, law_firm_id: str, firm_name: str) -> str:
    """Several statements in one LEDES 1998B file, an invoice per client and matter
    (decision 3): the format line and field names once."""
    parts = []
    for statement in statements:
        for group in statement.matters:
            text = matter_ledes(statement, group, law_firm_id=law_firm_id, firm_name=firm_name)
            records = text.split(ledes.LINE_BREAK)
            parts.append(text if not parts else ledes.LINE_BREAK.join(records[2:]))
    if not parts:
        return _ledes_head()
    return "".join(parts)


def ledes_response(text: str, *, filename: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type=LEDES_CONTENT_TYPE)
    return attachment(response, filename)
