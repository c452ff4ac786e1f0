"""Printed client statements and the month-end pack (PDF, or a ZIP of PDFs).

Built on ``firm.lib.pdf``: one print template per document, long tables rendered in chunks and
joined (``render_pdf_in_chunks``), assets read from ``static/`` on disk.

Decisions
---------
1. A statement is one document: the firm's name on every page, the client's name, code and
   VAT number, the period and the billing policy, the totals, then the calls grouped by caller
   (extension) with a subtotal after each group and the grand total at the end; "Pagina n di N"
   at the bottom of every page. When some call has a matter, the callers are grouped inside
   each matter ("Pratica 12301 · Causa Rossi", then "Generale" for the calls without one),
   each matter headed by its rate in words and closed by its total; the billing rule at the
   top then names no rate when the matters' rates differ (clients.selectors, "Matters").
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
4. The pack leaves out clients whose calls bill nothing (only unanswered calls, or calls
   under the policy's threshold: no billable time), unless the firm setting
   ``pack_skips_unbillable`` is off; the summary and the command say how many.
5. In an issued month (clients.billing.issuing) a client with a current issued statement is
   in the pack as issued: its summary row has the statement's frozen figures, its number and
   date (and "modificato dopo l'emissione" when today's calls or rates bill otherwise), and
   its statement is the exact PDF issued and sent, never drawn up anew.
"""

from __future__ import annotations

import base64
import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath
from typing import BinaryIO

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy, ngettext
from pypdf import PdfReader, PdfWriter

from calls.models import CallStatus
from clients.billable_time import PER_CALL, BillingRules
from clients.billing.fees import (
    ACCOUNTANT,
    FORFETTARIO_WORDING,
    LAWYER,
    FeeBreakdown,
    FeeLine,
    FeeRules,
    fees_compute,
)
from clients.billing.selectors import (
    MatterGroup,
    Statement,
    StatementTotals,
    SummaryRow,
    client_summary_list,
    statement_get,
    summary_totals,
    summary_with_issued,
)
from clients.models import BillingPolicy, Client, IssuedStatement, Matter
from firm.lib import pdf
from firm.lib.dates import firm_time_zone, is_calendar_month
from firm.lib.formats import format_cost, format_duration, format_euro
from firm.lib.pdf import render_pdf_in_chunks
from firm.models import LOGO_MAX_BYTES, FirmSettings

logger = logging.getLogger(__name__)

PAGE_NUMBERS_TEMPLATE = "pdf/_page_numbers.html"
# Statements read and rendered together in the month pack, per PDF worker (decision 3).
PACK_BATCH_PER_WORKER = 4


def policy_description(
    policy: BillingRules, hourly_rate: Decimal | None, *, per_matter: bool = False
) -> str:
    """The billing rules in words, printed under the period, e.g. "Scatti di 6 minuti per
    chiamata, minimo 60 s, chiamate sotto 10 s non fatturate; tariffa € 120,00/ora".
    ``per_matter``: the statement's matters are billed at different rates, so with rounding on
    the total each matter's total is rounded (clients.billable_time, "Matters")."""
    if policy.increment_minutes == 0:
        parts = [gettext("Billed to the second")]
    elif policy.rounding == PER_CALL:
        parts = [
            gettext("%(minutes)s-minute units, each call rounded up")
            % {"minutes": policy.increment_minutes}
        ]
    elif per_matter:
        parts = [
            gettext("%(minutes)s-minute units, each matter's total rounded up")
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
        text += "; " + rate_text(hourly_rate)
    return text


def rate_text(hourly_rate: Decimal) -> str:
    """ "tariffa € 150,00 all'ora"."""
    return gettext("rate %(rate)s per hour") % {"rate": format_euro(hourly_rate)}


def statement_policy(statement: Statement) -> str:
    """The statement's billing rule in words: with matters at different rates, the rule
    without a rate (each matter's heading gives its rate)."""
    if not statement.by_matter:
        return policy_description(statement.policy, statement.hourly_rate)
    if statement.rates_differ:
        text = policy_description(statement.policy, None, per_matter=True)
        return text + "; " + gettext("each matter at its own hourly rate, shown below")
    return policy_description(statement.policy, statement.hourly_rate, per_matter=True)


def matter_label(group: MatterGroup) -> str:
    """A matter group's heading: "Pratica 12301 · Causa Rossi c. Bianchi", or "Generale"."""
    if group.matter is None:
        return gettext("General (no matter)")
    return gettext("Matter %(code)s · %(name)s") % {"code": group.code, "name": group.name}


def matter_text(matter: Matter | None) -> str:
    """A matter in a list: "12301 · Causa Rossi c. Bianchi", or "Generale" for the calls
    without one."""
    if matter is None:
        return gettext("General (no matter)")
    return f"{matter.code} · {matter.name}"


def matter_rate_text(group: MatterGroup) -> str:
    """A matter group's rate in words: "tariffa € 150,00/ora", or that it has none."""
    if group.hourly_rate is None:
        return gettext("no hourly rate")
    return rate_text(group.hourly_rate)


def issued_mark(issued) -> str:
    """ "Emesso n. 2026-11/1 del 01/12/2026": an issued statement's number and date."""
    when = date_format(timezone.localtime(issued.created_at), "SHORT_DATE_FORMAT")
    return gettext("Issued no. %(number)s on %(date)s") % {"number": issued.number, "date": when}


def period_text(first_day: date, last_day: date) -> str:
    return gettext("from %(first)s to %(last)s") % {
        "first": date_format(first_day, "SHORT_DATE_FORMAT"),
        "last": date_format(last_day, "SHORT_DATE_FORMAT"),
    }


# The columns of a statement: (key, label, width in %, right-aligned). The number takes what
# the others leave; the widths fit "Conversazione" on one line (headers never hyphenate).
STATEMENT_COLUMNS = (
    ("date", gettext_lazy("Date"), 10, False),
    ("time", gettext_lazy("Time"), 7, False),
    ("number", gettext_lazy("Number"), None, False),
    ("status", gettext_lazy("Status"), 13, False),
    ("talk", gettext_lazy("Talk time"), 12, True),
    ("billable", gettext_lazy("Billable time"), 12, True),
    ("amount", gettext_lazy("Amount"), 11, True),
    ("cost", gettext_lazy("Cost"), 10, True),
)


def _shown(*, amounts: bool, cost: bool) -> list[tuple]:
    return [
        column
        for column in STATEMENT_COLUMNS
        if (column[0] != "amount" or amounts) and (column[0] != "cost" or cost)
    ]


def statement_columns(*, amounts: bool = True, cost: bool = True) -> list[dict]:
    """The columns printed: without ``amounts`` (a client with no rate) no amount column,
    without ``cost`` (the firm's own carrier cost) no cost column."""
    shown = _shown(amounts=amounts, cost=cost)
    rest = 100 - sum(width for _key, _label, width, _num in shown if width)
    return [
        {"label": str(label), "width": width or rest, "num": num}
        for _key, label, width, num in shown
    ]


def _cells(values: dict, *, amounts: bool, cost: bool) -> tuple:
    return tuple(values[key] for key, *_rest in _shown(amounts=amounts, cost=cost) if key in values)


def caller_label(caller: str, caller_name: str) -> str:
    if not caller:
        return gettext("No caller recorded")
    label = gettext("Extension %(caller)s") % {"caller": caller}
    return f"{label} · {caller_name}" if caller_name else label


def _money(value: Decimal | None) -> str:
    return format_euro(value) if value is not None else ""


def statement_rows(statement: Statement, *, amounts: bool = True, cost: bool = True) -> list[dict]:
    """Each printed row of a statement (plain text: the template escapes it): when some call
    has a matter, a heading per matter (its rate in words) and its total after its calls;
    inside, a heading per caller, the caller's calls, the caller's subtotal; the cells of the
    columns ``statement_columns(amounts=…, cost=…)`` prints.

    A total is printed only where it adds something: a caller's subtotal when the caller has
    more than one call and is not the only caller of the matter (or of the statement), a
    matter's total when the statement has more than one matter group. Otherwise it would
    repeat the call above it, or the total beside it ("Subtotale, 1 chiamata" after almost
    every call of a 64-call statement)."""
    statuses = {value: str(label) for value, label in CallStatus.choices}
    shown = {"amounts": amounts, "cost": cost}
    by_matter = statement.by_matter
    rows = []
    matter_totals = by_matter and len(statement.matters) > 1
    for matter in statement.matters:
        if by_matter:
            rows.append(
                {
                    "kind": "matter",
                    "label": matter_label(matter),
                    "detail": matter_rate_text(matter),
                }
            )
        for group in matter.callers:
            rows.append({"kind": "group", "label": caller_label(group.caller, group.caller_name)})
            for line in group.lines:
                values = {
                    "date": date_format(line.start, "SHORT_DATE_FORMAT"),
                    "time": date_format(line.start, "H:i"),
                    "number": line.number,
                    "status": statuses.get(line.status, line.status),
                    "talk": format_duration(line.talk_seconds),
                    "billable": format_duration(line.billable_seconds),
                    "amount": _money(line.amount),
                    "cost": format_cost(line.cost) if line.cost is not None else "",
                }
                rows.append({"kind": "call", "cells": _cells(values, **shown)})
            subtotal = group.subtotal
            if subtotal.calls < 2 or len(matter.callers) < 2:
                continue
            rows.append(
                {
                    "kind": "subtotal",
                    "label": ngettext(
                        "Subtotal, %(calls)s call", "Subtotal, %(calls)s calls", subtotal.calls
                    )
                    % {"calls": subtotal.calls},
                    "cells": _cells(_total_values(subtotal), **shown),
                }
            )
        if matter_totals:
            subtotal = matter.subtotal
            label = (
                gettext("Total without a matter")
                if matter.matter is None
                else gettext("Total of matter %(code)s") % {"code": matter.code}
            )
            rows.append(
                {
                    "kind": "matter_total",
                    "label": label
                    + ", "
                    + ngettext("%(calls)s call", "%(calls)s calls", subtotal.calls)
                    % {"calls": subtotal.calls},
                    "cells": _cells(_total_values(subtotal), **shown),
                }
            )
    return rows


def _total_values(totals: StatementTotals) -> dict:
    return {
        "talk": format_duration(totals.talk_seconds),
        "billable": format_duration(totals.billable_seconds),
        "amount": _money(totals.amount),
        "cost": format_cost(totals.cost) if totals.cost is not None else "",
    }


@dataclass(frozen=True)
class Letterhead:
    """What a statement prints of the firm: its name and letterhead, and whether the carrier
    cost is shown. Read once per print (a pack reads the logo once, not per client)."""

    name: str
    address_lines: tuple[str, ...]
    vat_number: str
    tax_code: str
    logo: str  # a data: URI, or ""
    shows_cost: bool
    # The avviso di parcella's items (clients.billing.fees); no profession: none.
    fee_rules: FeeRules = FeeRules()

    @classmethod
    def of(cls, firm: FirmSettings) -> Letterhead:
        return cls(
            fee_rules=FeeRules(**firm.fee_rules()),
            name=firm.firm_name,
            address_lines=tuple(line.strip() for line in firm.address.splitlines() if line.strip()),
            vat_number=firm.vat_number,
            tax_code=firm.tax_code,
            logo=logo_data_uri(firm),
            shows_cost=firm.statement_shows_cost,
        )


LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def logo_data_uri(firm: FirmSettings) -> str:
    """The firm's logo, read from disk, as a ``data:`` URI for the print template: WeasyPrint
    never fetches it (firm.lib.pdf reads only static files and data: URIs), and the rendering
    workers, which have no Django set-up, get it inside the HTML. "" without a readable logo."""
    if not firm.logo:
        return ""
    suffix = PurePath(firm.logo.name).suffix.lower()
    media_type = LOGO_TYPES.get(suffix, "image/svg+xml" if suffix == ".svg" else "")
    if not media_type:
        return ""
    try:
        with firm.logo.open("rb") as handle:
            content = handle.read(LOGO_MAX_BYTES + 1)
    except OSError:
        logger.warning("The letterhead logo %s cannot be read; printing without it.", firm.logo)
        return ""
    if len(content) > LOGO_MAX_BYTES:
        return ""
    return f"data:{media_type};base64,{base64.b64encode(content).decode()}"


def statement_context(
    statement: Statement,
    *,
    letterhead: Letterhead,
    printed_at: datetime,
    number: str = "",
    notice_number: str = "",
) -> dict:
    total = statement.total
    amounts = statement.has_amounts
    shown = {"amounts": amounts, "cost": letterhead.shows_cost}
    columns = statement_columns(**shown)
    return {
        "firm_name": letterhead.name,
        "letterhead": letterhead,
        "client": statement.client,
        "period": period_text(statement.first_day, statement.last_day),
        "policy": statement_policy(statement),
        "rounded_on_total": statement.policy.rounding != PER_CALL,
        "by_matter": statement.by_matter,
        "columns": columns,
        # The cells before the first time column: the labels of group and total rows span them.
        "label_span": 4,
        "total": total,
        "total_cells": _cells(_total_values(total), **shown),
        "talk_time": format_duration(total.talk_seconds),
        "billable_time": format_duration(total.billable_seconds),
        "amount": _money(total.amount) if amounts else "",
        "printed_at": printed_at,
        # An issued statement's number (clients.billing.issuing); a draft has none.
        "number": number,
        # The avviso di parcella's own number (yearly), when the firm has a profession.
        "notice_number": notice_number,
        **fee_context(statement_breakdown(statement, letterhead.fee_rules)),
    }


def issued_rows(issued) -> list[dict]:
    """An issued statement's calls as they were frozen (``IssuedStatement.lines``), in the
    rows ``statement_rows`` gives (all columns but the cost): a heading per matter when some
    call had one, then its calls."""
    statuses = {value: str(label) for value, label in CallStatus.choices}
    zone = firm_time_zone()
    by_matter = any(line.get("matter_code") for line in issued.lines)
    rows = []
    heading = None
    for line in issued.lines:
        key = (line.get("matter_code", ""), line.get("matter_name", ""))
        if by_matter and key != heading:
            heading = key
            label = (
                gettext("Matter %(code)s · %(name)s") % {"code": key[0], "name": key[1]}
                if key[0]
                else gettext("General (no matter)")
            )
            rate = line.get("hourly_rate")
            rows.append(
                {
                    "kind": "matter",
                    "label": label,
                    "detail": rate_text(Decimal(rate)) if rate else gettext("no hourly rate"),
                }
            )
        start = datetime.fromisoformat(line["start"]).astimezone(zone)
        amount = line.get("amount")
        rows.append(
            {
                "kind": "call",
                "cells": (
                    date_format(start, "SHORT_DATE_FORMAT"),
                    date_format(start, "H:i"),
                    line.get("number", ""),
                    statuses.get(line.get("status"), line.get("status", "")),
                    format_duration(int(line.get("talk_seconds", 0))),
                    format_duration(int(line.get("billable_seconds", 0))),
                    format_euro(Decimal(amount)) if amount is not None else "",
                    "",
                ),
            }
        )
    return rows


# --- The avviso di parcella ----------------------------------------------------------------


def fee_line_label(group: MatterGroup, *, by_matter: bool) -> str:
    """An avviso line: "Assistenza telefonica · Pratica 12301 · Causa Rossi"."""
    text = gettext("Telephone consultations")
    if by_matter:
        text += " · " + matter_label(group)
    return text


def statement_breakdown(statement: Statement, rules: FeeRules) -> FeeBreakdown | None:
    """The statement's avviso items under ``rules`` (one fee line per matter group), or None
    when the firm has no profession or nothing is priced (then it stays a rendiconto)."""
    if not rules.has_items or not statement.has_amounts:
        return None
    lines = [
        FeeLine(
            description=fee_line_label(group, by_matter=statement.by_matter),
            amount=group.subtotal.amount,
            hourly_rate=group.hourly_rate,
            billable_seconds=group.subtotal.billable_seconds,
        )
        for group in statement.matters
        if group.subtotal.amount is not None
    ]
    return fees_compute(lines, rules, withholding_agent=statement.client.withholding_agent)


def _rate(value: Decimal) -> str:
    """A percentage as the page writes it: 15 %, 4 %, 12,5 %."""
    text = format_euro(value)[2:]
    return (text[:-3] if text.endswith(("00",)) and text[-3] in ",." else text) + " %"


def fee_rows(breakdown: FeeBreakdown) -> list[dict]:
    """The avviso's rows, as the page and the PDF print them: each fee line (its billable
    time and rate), then the items in the order they are computed, the total, the ritenuta
    and the netto a pagare. ``kind``: "line", "item", "total" or "net"."""
    rules = breakdown.rules
    rows = []
    for line in breakdown.lines:
        detail = format_duration(line.billable_seconds)
        if line.hourly_rate is not None:
            detail += " · " + rate_text(line.hourly_rate)
        rows.append(
            {
                "kind": "line",
                "label": line.description,
                "detail": detail,
                "amount": format_euro(line.amount),
            }
        )
    rows.append({"kind": "item", "label": gettext("Fees"), "amount": format_euro(breakdown.fees)})
    if rules.profession == LAWYER:
        rows.append(
            {
                "kind": "item",
                "label": gettext("Spese generali %(rate)s (DM 55/2014, art. 2)")
                % {"rate": _rate(rules.general_expenses_rate)},
                "amount": format_euro(breakdown.general_expenses),
            }
        )
    cassa = {
        LAWYER: gettext("Cassa Forense contribution %(rate)s (L. 576/1980)"),
        ACCOUNTANT: gettext("CNPADC contribution %(rate)s"),
    }[rules.profession]
    rows.append(
        {
            "kind": "item",
            "label": cassa % {"rate": _rate(rules.cassa_rate)},
            "amount": format_euro(breakdown.cassa),
        }
    )
    if rules.forfettario:
        rows.append(
            {
                "kind": "item",
                "label": gettext("Total not subject to VAT"),
                "amount": format_euro(breakdown.taxable),
            }
        )
        if breakdown.stamp_duty:
            rows.append(
                {
                    "kind": "item",
                    "label": gettext("Stamp duty (marca da bollo)"),
                    "amount": format_euro(breakdown.stamp_duty),
                }
            )
    else:
        rows.append(
            {
                "kind": "item",
                "label": gettext("Taxable amount"),
                "amount": format_euro(breakdown.taxable),
            }
        )
        rows.append(
            {
                "kind": "item",
                "label": gettext("VAT %(rate)s") % {"rate": _rate(rules.vat_rate)},
                "amount": format_euro(breakdown.vat),
            }
        )
    rows.append(
        {
            "kind": "total",
            "label": gettext("Total of the notice"),
            "amount": format_euro(breakdown.total),
        }
    )
    if breakdown.withholding:
        rows.append(
            {
                "kind": "item",
                "label": gettext("Ritenuta d'acconto %(rate)s on %(base)s")
                % {
                    "rate": _rate(rules.withholding_rate),
                    "base": format_euro(breakdown.withholding_base),
                },
                "amount": "− " + format_euro(breakdown.withholding),
            }
        )
        rows.append(
            {
                "kind": "net",
                "label": gettext("Net amount due"),
                "amount": format_euro(breakdown.net),
            }
        )
    return rows


def fee_notes(breakdown: FeeBreakdown) -> list[str]:
    """What an avviso says under its items: that it is not an invoice, and the forfettario's
    legal wording."""
    notes = [gettext("This notice is not an invoice; the invoice will be issued on payment.")]
    if breakdown.rules.forfettario:
        notes.append(FORFETTARIO_WORDING)
    return notes


def fee_context(breakdown: FeeBreakdown | None) -> dict:
    if breakdown is None:
        return {"breakdown": None, "fee_rows": [], "fee_notes": []}
    return {
        "breakdown": breakdown,
        "fee_rows": fee_rows(breakdown),
        "fee_notes": fee_notes(breakdown),
    }


def now_local() -> datetime:
    return timezone.localtime(timezone.now(), firm_time_zone())


def statement_pdf(
    statement: Statement,
    *,
    letterhead: Letterhead | None = None,
    number: str = "",
    notice_number: str = "",
) -> bytes:
    """The PDF of one statement (decision 1); ``number`` is an issued statement's,
    ``notice_number`` its avviso di parcella's."""
    if letterhead is None:
        letterhead = Letterhead.of(FirmSettings.load())
    shown = {"amounts": statement.has_amounts, "cost": letterhead.shows_cost}
    context = statement_context(
        statement,
        letterhead=letterhead,
        printed_at=now_local(),
        number=number,
        notice_number=notice_number,
    )
    return render_pdf_in_chunks(
        "pdf/client_statement.html",
        context,
        statement_rows(statement, **shown),
        page_numbers_template=PAGE_NUMBERS_TEMPLATE,
        chunk_rows=pdf.CHUNK_ROWS,
    )


def summary_pdf(
    rows: list[SummaryRow], first_day: date, last_day: date, *, firm_name: str, skipped: int = 0
) -> bytes:
    """The client summary of a period as a PDF (the month pack's first pages)."""
    totals = summary_totals(rows)
    printed = []
    for row in rows:
        printed.append(
            (
                row.client.code,
                row.client.name,
                str(row.calls),
                format_duration(row.talk_seconds),
                format_duration(row.billable_seconds),
                _money(row.amount),
                "",
                _issued_note(row),
            )
        )
        # The client's matters under it, indented (clients.selectors.SummaryRow.matters).
        for matter in row.matters:
            printed.append(
                (
                    "",
                    matter_text(matter.matter),
                    str(matter.calls),
                    format_duration(matter.talk_seconds),
                    format_duration(matter.billable_seconds),
                    _money(matter.amount),
                    "summary-matter",
                    "",
                )
            )
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
            "skipped": ngettext(
                "%(clients)s client with nothing billable left out",
                "%(clients)s clients with nothing billable left out",
                skipped,
            )
            % {"clients": skipped}
            if skipped
            else "",
        },
        printed,
        page_numbers_template=PAGE_NUMBERS_TEMPLATE,
    )


def _issued_note(row: SummaryRow) -> str:
    """Under an issued client's name: its statement's number and date, and whether today's
    calls or rates bill otherwise."""
    if row.issued is None:
        return ""
    note = issued_mark(row.issued)
    if row.changed:
        note += " · " + gettext("changed after issue")
    return note


def slug(text: str, length: int = 40) -> str:
    """A file-name-safe ASCII form of a client name: ``Caffè Rossi & C.`` → ``caffe-rossi-c``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:length].strip("-")


def _period_name(first_day: date, last_day: date) -> str:
    """``2026-05`` for a calendar month, else ``2026-05-04_2026-05-10``."""
    if is_calendar_month(first_day, last_day):
        return f"{first_day:%Y-%m}"
    return f"{first_day:%Y-%m-%d}_{last_day:%Y-%m-%d}"


def pack_file_name(first_day: date, last_day: date, suffix: str) -> str:
    """``rendiconti-2026-05.pdf`` (or ``.zip``) for a calendar month, else
    ``rendiconti-<first>_<last>``."""
    return f"rendiconti-{_period_name(first_day, last_day)}.{suffix}"


def statement_file_name(client: Client, first_day: date, last_day: date) -> str:
    """``rendiconto-123-2026-05.pdf`` for a calendar month, else
    ``rendiconto-123-<first>_<last>.pdf``."""
    return f"rendiconto-{client.code}-{_period_name(first_day, last_day)}.pdf"


def pack_entry_name(client: Client, first_day: date, last_day: date) -> str:
    """A statement's file in the pack's ZIP: ``123-affaroni-s-p-a-20260501-20260531.pdf``
    (the name helps whoever browses the folder)."""
    name = slug(client.name)
    stem = f"{client.code}-{name}" if name else client.code
    return f"{stem}-{first_day:%Y%m%d}-{last_day:%Y%m%d}.pdf"


@dataclass
class PackResult:
    clients: int
    calls: int
    pages: int
    skipped: int = 0  # clients with calls but nothing billable, left out (decision 4)


@dataclass(frozen=True)
class PackRows:
    rows: list[SummaryRow]  # the clients in the pack
    skipped: int  # clients with calls but nothing billable, left out


def pack_rows(
    *,
    first_day: date,
    last_day: date,
    policy: BillingRules | None = None,
    firm: FirmSettings | None = None,
) -> PackRows:
    """The clients of the month pack: every client with calls in the period (in an issued
    month, with its issued figures: decision 5), less those with nothing billable (no
    billable time: only unanswered or too short calls) when the firm's
    ``pack_skips_unbillable`` says so (decision 4)."""
    firm = firm or FirmSettings.load()
    rows = summary_with_issued(
        client_summary_list(first_day=first_day, last_day=last_day, policy=policy),
        first_day=first_day,
        last_day=last_day,
    )
    if not firm.pack_skips_unbillable:
        return PackRows(rows=rows, skipped=0)
    billable = [row for row in rows if row.billable_seconds > 0]
    return PackRows(rows=billable, skipped=len(rows) - len(billable))


def statement_single_html(statement: Statement, *, letterhead: Letterhead) -> str | None:
    """The complete HTML of a statement short enough to be one document (page numbers
    included), or None for a longer one, which ``statement_pdf`` renders in chunks."""
    shown = {"amounts": statement.has_amounts, "cost": letterhead.shows_cost}
    rows = statement_rows(statement, **shown)
    if len(rows) > pdf.CHUNK_ROWS:
        return None
    context = statement_context(statement, letterhead=letterhead, printed_at=now_local())
    return render_to_string(
        "pdf/client_statement.html",
        {**context, "rows": rows, "first_chunk": True, "last_chunk": True, "page_numbers": True},
    )


def _pack_documents(first_day: date, last_day: date, progress: Callable[[int, int], None] | None):
    """The summary, then each client's statement, as (file name, PDF bytes, the ``PackRows``
    or None). Statements are read and rendered a batch of clients at a time: short ones side by
    side in the PDF workers, long ones in chunks (decision 3)."""
    firm = FirmSettings.load()
    firm_name = firm.firm_name
    letterhead = Letterhead.of(firm)
    policy = BillingPolicy.load().as_policy()
    pack = pack_rows(first_day=first_day, last_day=last_day, policy=policy, firm=firm)
    rows = pack.rows
    if progress:
        progress(0, len(rows))
    # The summary's file name in the ZIP, e.g. 00-riepilogo-20260501-20260531.pdf.
    label = slug(gettext("summary")) or "summary"
    summary_name = f"00-{label}-{first_day:%Y%m%d}-{last_day:%Y%m%d}.pdf"
    summary = summary_pdf(rows, first_day, last_day, firm_name=firm_name, skipped=pack.skipped)
    yield summary_name, summary, pack
    batch_size = PACK_BATCH_PER_WORKER * pdf.pdf_workers()
    for offset in range(0, len(rows), batch_size):
        batch = rows[offset : offset + batch_size]
        # An issued client's statement is the PDF it was issued with (decision 5).
        issued = [row.issued.pk for row in batch if row.issued is not None]
        issued_pdfs = (
            dict(IssuedStatement.objects.filter(pk__in=issued).values_list("pk", "pdf"))
            if issued
            else {}
        )
        statements = [
            statement_get(client=row.client, first_day=first_day, last_day=last_day, policy=policy)
            if row.issued is None
            else None
            for row in batch
        ]
        htmls = [
            statement_single_html(s, letterhead=letterhead) if s is not None else None
            for s in statements
        ]
        short = [html for html in htmls if html is not None]
        singles = iter(pdf.html_documents_to_pdfs(short) if short else [])
        for number, (row, statement, html) in enumerate(zip(batch, statements, htmls, strict=True)):
            if statement is None:
                document = bytes(issued_pdfs[row.issued.pk])
            elif html is not None:
                document = next(singles)
            else:
                document = statement_pdf(statement, letterhead=letterhead)
            yield pack_entry_name(row.client, first_day, last_day), document, None
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
    pack = PackRows(rows=[], skipped=0)
    for _name, document, rows in _pack_documents(first_day, last_day, progress):
        if rows is not None:
            pack = rows
        writer.append(PdfReader(io.BytesIO(document)))
    writer.write(target)
    return PackResult(
        clients=len(pack.rows),
        calls=sum(row.calls for row in pack.rows),
        pages=len(writer.pages),
        skipped=pack.skipped,
    )


def month_pack_zip(
    first_day: date,
    last_day: date,
    target: BinaryIO,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> PackResult:
    """Write the month pack as a ZIP of PDFs to ``target``: the summary and one per client."""
    pack = PackRows(rows=[], skipped=0)
    pages = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, document, rows in _pack_documents(first_day, last_day, progress):
            if rows is not None:
                pack = rows
            pages += len(PdfReader(io.BytesIO(document)).pages)
            archive.writestr(name, document)
    return PackResult(
        clients=len(pack.rows),
        calls=sum(row.calls for row in pack.rows),
        pages=pages,
        skipped=pack.skipped,
    )
