"""Printed client statements and the month-end pack (PDF, or a ZIP of PDFs).

Built on ``firm.lib.pdf``: one print template per document, long tables rendered in chunks and
joined (``render_pdf_in_chunks``), assets read from ``static/`` on disk.

Decisions
---------
1. A statement is one document: the firm's name on every page, the client's name, code and
   VAT number, the period and the billing policy, the totals, then the calls grouped by caller
   (extension) with a subtotal after each group and the grand total at the end; "Pagina n di N"
   at the bottom of every page.
2. The month pack is the summary (one row per client with calls) followed by each client's
   statement, each starting on a new page. Page numbers count **per document** (the summary,
   then each statement from 1): a statement taken out of the pack to be sent or filed is
   exactly the PDF of its own page, numbers included.
3. Memory stays flat in the number of clients: statements are read, rendered and appended
   to the pack a few clients at a time (one query per client, on the (client, start) index);
   only the growing output (pypdf's joined pages, or the ZIP on disk) is kept. Statements
   that fit in one document (``firm.lib.pdf.CHUNK_ROWS`` rows) are rendered a batch at a time
   (``PACK_BATCH_PER_WORKER`` per worker) side by side in the ``PDF_WORKERS`` processes;
   longer ones in chunks, as the call log is. The ZIP holds
   ``00-riepilogo-….pdf`` and one ``<code>-<name>-….pdf`` per client.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from pypdf import PdfReader, PdfWriter

from calls.models import CallStatus
from clients.billing import PER_CALL, BillingRules
from clients.models import BillingPolicy, Client
from clients.selectors import (
    Statement,
    SummaryRow,
    client_summary_list,
    statement_get,
    summary_totals,
)
from firm.lib import pdf
from firm.lib.dates import firm_time_zone, is_calendar_month
from firm.lib.formats import format_cost, format_duration, format_euro
from firm.lib.pdf import render_pdf_in_chunks
from firm.models import FirmSettings

PAGE_NUMBERS_TEMPLATE = "pdf/_page_numbers.html"
# Statements read and rendered together in the month pack, per PDF worker (decision 3).
PACK_BATCH_PER_WORKER = 4


def policy_description(policy: BillingRules, hourly_rate: Decimal | None) -> str:
    """The billing rules in words, printed under the period, e.g. "Scatti di 6 minuti per
    chiamata, minimo 60 s, chiamate sotto 10 s non fatturate; tariffa € 120,00/ora"."""
    if policy.increment_minutes == 0:
        parts = [gettext("Billed to the second")]
    elif policy.rounding == PER_CALL:
        parts = [
            gettext("%(minutes)s-minute units, each call rounded up")
            % {"minutes": policy.increment_minutes}
        ]
    else:
        parts = [
            gettext("%(minutes)s-minute units, the total rounded up")
            % {"minutes": policy.increment_minutes}
        ]
    if policy.minimum_seconds:
        parts.append(
            gettext("at least %(seconds)s s per call") % {"seconds": policy.minimum_seconds}
        )
    if policy.ignore_below_seconds:
        parts.append(
            gettext("calls under %(seconds)s s not billed")
            % {"seconds": policy.ignore_below_seconds}
        )
    text = ", ".join(parts)
    if hourly_rate is not None:
        text += "; " + gettext("rate %(rate)s per hour") % {"rate": format_euro(hourly_rate)}
    return text


def period_text(first_day: date, last_day: date) -> str:
    return gettext("from %(first)s to %(last)s") % {
        "first": date_format(first_day, "SHORT_DATE_FORMAT"),
        "last": date_format(last_day, "SHORT_DATE_FORMAT"),
    }


# The printed columns of a statement: (label, width in %, right-aligned).
def statement_columns() -> list[dict]:
    return [
        {"label": label, "width": width, "num": num}
        for label, width, num in (
            (gettext("Date"), 11, False),
            (gettext("Time"), 8, False),
            (gettext("Number"), 25, False),
            (gettext("Status"), 13, False),
            (gettext("Talk time"), 11, True),
            (gettext("Billable time"), 11, True),
            (gettext("Amount"), 11, True),
            (gettext("Cost"), 10, True),
        )
    ]


def caller_label(caller: str, caller_name: str) -> str:
    if not caller:
        return gettext("No caller recorded")
    label = gettext("Extension %(caller)s") % {"caller": caller}
    return f"{label} · {caller_name}" if caller_name else label


def _money(value: Decimal | None) -> str:
    return format_euro(value) if value is not None else ""


def statement_rows(statement: Statement) -> list[dict]:
    """Each printed row of a statement (plain text: the template escapes it): a heading per
    caller, the caller's calls, the caller's subtotal."""
    statuses = {value: str(label) for value, label in CallStatus.choices}
    rows = []
    for group in statement.groups:
        rows.append({"kind": "group", "label": caller_label(group.caller, group.caller_name)})
        for line in group.lines:
            rows.append(
                {
                    "kind": "call",
                    "cells": (
                        date_format(line.start, "SHORT_DATE_FORMAT"),
                        date_format(line.start, "H:i"),
                        line.number,
                        statuses.get(line.status, line.status),
                        format_duration(line.talk_seconds),
                        format_duration(line.billable_seconds),
                        _money(line.amount),
                        format_cost(line.cost) if line.cost is not None else "",
                    ),
                }
            )
        subtotal = group.subtotal
        rows.append(
            {
                "kind": "subtotal",
                "label": ngettext(
                    "Subtotal, %(calls)s call", "Subtotal, %(calls)s calls", subtotal.calls
                )
                % {"calls": subtotal.calls},
                "cells": (
                    format_duration(subtotal.talk_seconds),
                    format_duration(subtotal.billable_seconds),
                    _money(subtotal.amount),
                    format_cost(subtotal.cost) if subtotal.cost is not None else "",
                ),
            }
        )
    return rows


def statement_context(statement: Statement, *, firm_name: str, printed_at: datetime) -> dict:
    total = statement.total
    return {
        "firm_name": firm_name,
        "client": statement.client,
        "period": period_text(statement.first_day, statement.last_day),
        "policy": policy_description(statement.policy, statement.hourly_rate),
        "rounded_on_total": statement.policy.rounding != PER_CALL,
        "columns": statement_columns(),
        "total": total,
        "total_cells": (
            format_duration(total.talk_seconds),
            format_duration(total.billable_seconds),
            _money(total.amount),
            format_cost(total.cost) if total.cost is not None else "",
        ),
        "talk_time": format_duration(total.talk_seconds),
        "billable_time": format_duration(total.billable_seconds),
        "amount": _money(total.amount),
        "printed_at": printed_at,
    }


def now_local() -> datetime:
    return timezone.localtime(timezone.now(), firm_time_zone())


def statement_pdf(statement: Statement, *, firm_name: str | None = None) -> bytes:
    """The PDF of one statement (decision 1)."""
    if firm_name is None:
        firm_name = FirmSettings.load().firm_name
    return render_pdf_in_chunks(
        "pdf/client_statement.html",
        statement_context(statement, firm_name=firm_name, printed_at=now_local()),
        statement_rows(statement),
        page_numbers_template=PAGE_NUMBERS_TEMPLATE,
        chunk_rows=pdf.CHUNK_ROWS,
    )


def summary_pdf(
    rows: list[SummaryRow], first_day: date, last_day: date, *, firm_name: str
) -> bytes:
    """The client summary of a period as a PDF (the month pack's first pages)."""
    totals = summary_totals(rows)
    printed = [
        (
            row.client.code,
            row.client.name,
            str(row.calls),
            format_duration(row.talk_seconds),
            format_duration(row.billable_seconds),
            _money(row.amount),
        )
        for row in rows
    ]
    return render_pdf_in_chunks(
        "pdf/client_summary.html",
        {
            "firm_name": firm_name,
            "period": period_text(first_day, last_day),
            "totals": totals,
            "total_cells": (
                str(totals["calls"]),
                format_duration(totals["talk_seconds"]),
                format_duration(totals["billable_seconds"]),
                _money(totals["amount"]),
            ),
            "printed_at": now_local(),
        },
        printed,
        page_numbers_template=PAGE_NUMBERS_TEMPLATE,
    )


def slug(text: str, length: int = 40) -> str:
    """A file-name-safe ASCII form of a client name: ``Caffè Rossi & C.`` → ``caffe-rossi-c``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:length].strip("-")


def pack_file_name(first_day: date, last_day: date, suffix: str) -> str:
    """``statements-2026-05.pdf`` for a calendar month, else ``statements-<first>_<last>``."""
    if is_calendar_month(first_day, last_day):
        return f"statements-{first_day:%Y-%m}.{suffix}"
    return f"statements-{first_day:%Y-%m-%d}_{last_day:%Y-%m-%d}.{suffix}"


def statement_file_name(client: Client, first_day: date, last_day: date) -> str:
    name = slug(client.name)
    stem = f"{client.code}-{name}" if name else client.code
    return f"{stem}-{first_day:%Y%m%d}-{last_day:%Y%m%d}.pdf"


@dataclass
class PackResult:
    clients: int
    calls: int
    pages: int


def statement_single_html(statement: Statement, *, firm_name: str) -> str | None:
    """The complete HTML of a statement short enough to be one document (page numbers
    included), or None for a longer one, which ``statement_pdf`` renders in chunks."""
    rows = statement_rows(statement)
    if len(rows) > pdf.CHUNK_ROWS:
        return None
    context = statement_context(statement, firm_name=firm_name, printed_at=now_local())
    return render_to_string(
        "pdf/client_statement.html",
        {**context, "rows": rows, "first_chunk": True, "last_chunk": True, "page_numbers": True},
    )


def _pack_documents(first_day: date, last_day: date, progress: Callable[[int, int], None] | None):
    """The summary, then each client's statement, as (file name, PDF bytes, summary rows or
    None). Statements are read and rendered a batch of clients at a time: short ones side by
    side in the PDF workers, long ones in chunks (decision 3)."""
    firm_name = FirmSettings.load().firm_name
    policy = BillingPolicy.load().as_policy()
    rows = client_summary_list(first_day=first_day, last_day=last_day, policy=policy)
    # The summary's file name in the ZIP, e.g. 00-riepilogo-20260501-20260531.pdf.
    label = slug(gettext("summary")) or "summary"
    summary_name = f"00-{label}-{first_day:%Y%m%d}-{last_day:%Y%m%d}.pdf"
    yield summary_name, summary_pdf(rows, first_day, last_day, firm_name=firm_name), rows
    batch_size = PACK_BATCH_PER_WORKER * pdf.pdf_workers()
    for offset in range(0, len(rows), batch_size):
        batch = rows[offset : offset + batch_size]
        statements = [
            statement_get(client=row.client, first_day=first_day, last_day=last_day, policy=policy)
            for row in batch
        ]
        htmls = [statement_single_html(s, firm_name=firm_name) for s in statements]
        short = [html for html in htmls if html is not None]
        singles = iter(pdf.html_documents_to_pdfs(short) if short else [])
        for number, (statement, html) in enumerate(zip(statements, htmls, strict=True)):
            document = (
                next(singles) if html is not None else statement_pdf(statement, firm_name=firm_name)
            )
            yield statement_file_name(statement.client, first_day, last_day), document, None
            if progress:
                progress(offset + number + 1, len(rows))


def month_pack_pdf(
    first_day: date,
    last_day: date,
    target: BinaryIO,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> PackResult:
    """Write the month pack as one PDF to ``target`` (decision 2)."""
    writer = PdfWriter()
    summary_rows: list[SummaryRow] = []
    for _name, document, rows in _pack_documents(first_day, last_day, progress):
        if rows is not None:
            summary_rows = rows
        writer.append(PdfReader(io.BytesIO(document)))
    writer.write(target)
    return PackResult(
        clients=len(summary_rows),
        calls=sum(row.calls for row in summary_rows),
        pages=len(writer.pages),
    )


def month_pack_zip(
    first_day: date,
    last_day: date,
    target: BinaryIO,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> PackResult:
    """Write the month pack as a ZIP of PDFs to ``target``: the summary and one per client."""
    summary_rows: list[SummaryRow] = []
    pages = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, document, rows in _pack_documents(first_day, last_day, progress):
            if rows is not None:
                summary_rows = rows
            pages += len(PdfReader(io.BytesIO(document)).pages)
            archive.writestr(name, document)
    return PackResult(
        clients=len(summary_rows), calls=sum(row.calls for row in summary_rows), pages=pages
    )
