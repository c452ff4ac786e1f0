"""Statement screens: a client's statement and its PDF, the month's summary, the month pack,
issuing and the issued statements."""

import re
import tempfile
from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.views import View
from django_tables2 import RequestConfig

from clients.billing.exports import (
    billing_csv,
    ledes_file,
    ledes_response,
    summary_csv,
    summary_xlsx,
)
from clients.billing.forms import StatementPeriodForm, parse_month
from clients.billing.issuing import (
    FAILED,
    NO_ADDRESS,
    SENT,
    issue_plan,
    issued_statements,
    statement_attachment_name,
    statements_issue_and_send,
)
from clients.billing.printing import (
    month_pack_pdf,
    month_pack_zip,
    pack_file_name,
    period_text,
    statement_columns,
    statement_file_name,
    statement_pdf,
    statement_policy,
    statement_rows,
)
from clients.billing.selectors import client_summary_list, statement_get, summary_totals
from clients.billing.tables import ClientSummaryTable, summary_table_data
from clients.models import BillingPolicy, Client, IssuedStatement
from firm.lib.dates import is_calendar_month, month_days, today_local
from firm.lib.formats import format_duration, format_euro, month_name
from firm.limits import CODE_MAX_LENGTH, PDF_MAX_ROWS
from firm.models import FirmSettings

STATEMENT_PERMISSIONS = ["calls.view_call", "clients.view_client"]


def _period_label(first_day, last_day) -> str:
    return f"{first_day:%Y-%m-%d}_{last_day:%Y-%m-%d}"


def _policy_and_firm():
    return BillingPolicy.load(), FirmSettings.load()


def _labelled(rows: list[dict], columns: list[dict]) -> list[dict]:
    """The statement's rows with each cell beside its column's name (``labelled``), which a
    phone shows before the cell (``.table.cards``): a call fills every column, a total the
    columns after the first four."""
    labels = [column["label"] for column in columns]
    for row in rows:
        if "cells" in row:
            offset = len(labels) - len(row["cells"])
            row["labelled"] = list(zip(labels[offset:], row["cells"], strict=True))
    return rows


class StatementView(PermissionRequiredMixin, View):
    """A client's statement for a period (``?date_after=&date_before=`` or ``?period=``):
    every call linked to the client, grouped by caller with subtotals, billed under the
    firm's policy. ``?_export=billing_csv|ledes`` downloads the billed time."""

    permission_required = STATEMENT_PERMISSIONS
    template_name = "clients/statement.html"

    def get(self, request, code):
        client = get_object_or_404(Client, code=code)
        form = StatementPeriodForm(request.GET)
        context = {"client": client, "form": form, "statement": None}
        if not form.is_valid():
            return render(request, self.template_name, context)
        first_day, last_day = form.days()
        policy, firm = _policy_and_firm()
        statement = statement_get(
            client=client, first_day=first_day, last_day=last_day, policy=policy.as_policy()
        )
        export = request.GET.get("_export")
        name = f"{client.code}-{_period_label(first_day, last_day)}"
        if export == "billing_csv":
            return billing_csv([statement], filename=f"addebiti-{name}.csv")
        if export == "ledes":
            text = ledes_file([statement], law_firm_id=policy.law_firm_id, firm_name=firm.firm_name)
            return ledes_response(text, filename=f"ledes-{name}.txt")
        context.update(
            statement=statement,
            period=period_text(first_day, last_day),
            policy=statement_policy(statement),
            rows=_labelled(statement_rows(statement), statement_columns()),
            columns=statement_columns(),
            query=form.query(),
            pdf_limit=PDF_MAX_ROWS,
            talk_time=format_duration(statement.total.talk_seconds),
            billable_time=format_duration(statement.total.billable_seconds),
            amount=format_euro(statement.total.amount)
            if statement.total.amount is not None
            else "",
        )
        return render(request, self.template_name, context)


class StatementPdfView(PermissionRequiredMixin, View):
    """The statement as a PDF fit to send or file (clients/billing/printing.py). An invalid period,
    or more than ``PDF_MAX_ROWS`` calls, shows the statement page saying why."""

    permission_required = STATEMENT_PERMISSIONS

    def get(self, request, code):
        client = get_object_or_404(Client, code=code)
        form = StatementPeriodForm(request.GET)
        if not form.is_valid():
            return StatementView.as_view()(request, code=code)
        first_day, last_day = form.days()
        statement = statement_get(client=client, first_day=first_day, last_day=last_day)
        if statement.calls > PDF_MAX_ROWS:
            return StatementView.as_view()(request, code=code)
        response = HttpResponse(statement_pdf(statement), content_type="application/pdf")
        filename = statement_file_name(client, first_day, last_day)
        response["Content-Disposition"] = content_disposition_header(False, filename)
        return response


class ClientSummaryView(PermissionRequiredMixin, View):
    """'Rendiconti clienti': one row per client with calls in the period, sortable
    (``?sort=``), each linking to its statement; ``?_export=csv|xlsx`` (the summary),
    ``billing_csv`` or ``ledes`` (every client's billed time)."""

    permission_required = STATEMENT_PERMISSIONS
    template_name = "clients/client_summary.html"

    def get(self, request):
        form = StatementPeriodForm(request.GET)
        context = {"form": form, "table": None}
        if not form.is_valid():
            return render(request, self.template_name, context)
        first_day, last_day = form.days()
        policy, firm = _policy_and_firm()
        rows = client_summary_list(
            first_day=first_day, last_day=last_day, policy=policy.as_policy()
        )
        export = request.GET.get("_export")
        label = _period_label(first_day, last_day)
        if export == "csv":
            return summary_csv(rows, filename=f"rendiconti-{label}.csv")
        if export == "xlsx":
            return summary_xlsx(rows, filename=f"rendiconti-{label}.xlsx")
        if export in ("billing_csv", "ledes"):
            statements = (
                statement_get(
                    client=row.client,
                    first_day=first_day,
                    last_day=last_day,
                    policy=policy.as_policy(),
                )
                for row in rows
            )
            if export == "billing_csv":
                return billing_csv(statements, filename=f"addebiti-{label}.csv")
            text = ledes_file(statements, law_firm_id=policy.law_firm_id, firm_name=firm.firm_name)
            return ledes_response(text, filename=f"ledes-{label}.txt")
        query = form.query()
        table = ClientSummaryTable(summary_table_data(rows), query=query)
        RequestConfig(request, paginate=False).configure(table)
        totals = summary_totals(rows)
        context.update(
            issue_month=first_day if is_calendar_month(first_day, last_day) else None,
            table=table,
            query=query,
            period=period_text(first_day, last_day),
            totals=totals,
            talk_time=format_duration(totals["talk_seconds"]),
            billable_time=format_duration(totals["billable_seconds"]),
            amount=format_euro(totals["amount"]) if totals["amount"] is not None else "",
        )
        return render(request, self.template_name, context)


# The page's script names each pack it asks for (``?download_token=``); the answer hands the
# name back in this cookie, so the page knows the download has arrived (static/js/app.js).
PACK_TOKEN_COOKIE = "pack_download"
PACK_TOKEN = re.compile(r"[0-9a-z]{1,40}")


class MonthPackView(PermissionRequiredMixin, View):
    """The month-end pack of the period: one PDF (summary, then every client's statement) or,
    with ``?zip=on``, a ZIP of one PDF per client and the summary. Built in a temporary file
    and sent in chunks; the same code as ``manage.py client_statements``.

    Built while the browser waits (seconds per client), in one ordinary request: the page
    says "Preparazione in corso…" and disables the links meanwhile, and the answer's
    ``pack_download`` cookie tells it when the file has come (README, "Month-end pack")."""

    permission_required = STATEMENT_PERMISSIONS

    def get(self, request):
        form = StatementPeriodForm(request.GET)
        if not form.is_valid():
            return ClientSummaryView.as_view()(request)
        first_day, last_day = form.days()
        as_zip = request.GET.get("zip") == "on"
        target = tempfile.TemporaryFile(suffix=".zip" if as_zip else ".pdf")
        try:
            (month_pack_zip if as_zip else month_pack_pdf)(first_day, last_day, target)
            target.seek(0)
        except BaseException:
            target.close()
            raise
        response = FileResponse(
            target, content_type="application/zip" if as_zip else "application/pdf"
        )
        filename = pack_file_name(first_day, last_day, "zip" if as_zip else "pdf")
        response["Content-Disposition"] = content_disposition_header(as_zip, filename)
        token = request.GET.get("download_token", "")
        if PACK_TOKEN.fullmatch(token):
            response.set_cookie(
                PACK_TOKEN_COOKIE,
                token,
                max_age=600,
                samesite="Strict",
                secure=request.is_secure(),
                httponly=False,  # the page's script reads it; it holds nothing but the token
            )
        return response


# --- Issued statements ---------------------------------------------------------------------

CLIENT_CODE = re.compile(rf"[0-9]{{1,{CODE_MAX_LENGTH}}}")
ISSUE_PERMISSIONS = [*STATEMENT_PERMISSIONS, "clients.issue_statement"]


def _month_of_query(request) -> tuple[date | None, str]:
    """The ``?month=YYYY-MM`` of a request: (its first day, "") or (None, why not)."""
    text = request.GET.get("month") or request.POST.get("month") or ""
    try:
        return parse_month(text)[0], ""
    except ValueError:
        return None, gettext("Give a month as YYYY-MM, e.g. 2026-05.")


class IssueStatementsView(PermissionRequiredMixin, View):
    """*Emetti e invia*: GET lists who gets what for ``?month=`` (client, amount, address or
    "not sent: no address", what was issued already); POST issues the month (numbered,
    frozen statements; the month closed) and e-mails every unsent statement once
    (clients.billing.issuing), then shows the month's issued statements."""

    permission_required = ISSUE_PERMISSIONS
    template_name = "clients/issue_statements.html"

    def get(self, request):
        month, error = _month_of_query(request)
        context = {"month": month, "error": error, "rows": []}
        if month is not None:
            rows = issue_plan(month=month)
            context.update(
                rows=[_plan_row_view(row) for row in rows],
                to_issue=sum(1 for row in rows if row.issued is None),
                to_send=sum(
                    1 for row in rows if row.address and not (row.issued and row.issued.sent_at)
                ),
                ended=month < today_local().replace(day=1),
                summary_query=urlencode(
                    {
                        "date_after": month.isoformat(),
                        "date_before": month_days(month)[1].isoformat(),
                    }
                ),
            )
        return render(request, self.template_name, context)

    def post(self, request):
        month, error = _month_of_query(request)
        if month is None:
            messages.error(request, error)
            return redirect("clients:statements")
        try:
            result = statements_issue_and_send(month=month, user=request.user)
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
            return redirect(f"{reverse('clients:issue')}?month={month:%Y-%m}")
        messages.success(
            request,
            gettext("%(month)s: %(issued)s statements issued, %(sent)s sent.")
            % {
                # The month opens the sentence: "Maggio 2026: …".
                "month": capfirst(month_name(month)),
                "issued": len(result.issue.issued),
                "sent": result.count(SENT),
            },
        )
        for outcome in result.outcomes:
            if outcome.status == NO_ADDRESS:
                messages.warning(
                    request,
                    gettext("%(number)s, %(client)s: no billing e-mail, not sent.")
                    % {"number": outcome.statement.number, "client": outcome.statement.client},
                )
            elif outcome.status == FAILED:
                messages.error(
                    request,
                    gettext(
                        "%(number)s, %(client)s: not sent to %(address)s (%(error)s). "
                        "It is sent when you issue the month again."
                    )
                    % {
                        "number": outcome.statement.number,
                        "client": outcome.statement.client,
                        "address": outcome.address,
                        "error": outcome.error,
                    },
                )
        return redirect(f"{reverse('clients:issued')}?month={month:%Y-%m}")


def _plan_row_view(row) -> dict:
    return {
        "client": row.client,
        "calls": row.calls,
        "billable_time": format_duration(row.billable_seconds),
        "amount": format_euro(row.amount) if row.amount is not None else "",
        "address": row.address,
        "issued": row.issued,
    }


class IssuedStatementListView(PermissionRequiredMixin, View):
    """'Rendiconti emessi': issued statements, newest month first, of one client
    (``?client=CODE``) or one month (``?month=YYYY-MM``): number, date, amount, where and
    when it was sent, and the exact PDF sent."""

    permission_required = "clients.view_issuedstatement"
    template_name = "clients/issued_statements.html"
    paginate_by = 50

    def get(self, request):
        client = None
        code = request.GET.get("client", "").strip()
        if code:
            if not CLIENT_CODE.fullmatch(code):
                raise Http404
            client = get_object_or_404(Client, code=code)
        month, _error = _month_of_query(request) if request.GET.get("month") else (None, "")
        statements = issued_statements(client=client, month=month)
        page = Paginator(statements, self.paginate_by).get_page(request.GET.get("page"))
        return render(
            request,
            self.template_name,
            {
                "client": client,
                "month": month,
                "page": page,
                "rows": [_issued_row(statement) for statement in page.object_list],
                "query": urlencode(
                    {key: value for key, value in request.GET.items() if key != "page"}
                ),
            },
        )


def _issued_row(statement: IssuedStatement) -> dict:
    return {
        "statement": statement,
        "amount": format_euro(statement.amount) if statement.amount is not None else "",
        "billable_time": format_duration(statement.billable_seconds),
        "superseded_by": getattr(statement, "superseded_by", None),
    }


class IssuedStatementPdfView(PermissionRequiredMixin, View):
    """The exact PDF bytes an issued statement was sent with."""

    permission_required = "clients.view_issuedstatement"

    def get(self, request, pk):
        statement = get_object_or_404(IssuedStatement.objects.select_related("client"), pk=pk)
        response = HttpResponse(bytes(statement.pdf), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            True, statement_attachment_name(statement)
        )
        return response
