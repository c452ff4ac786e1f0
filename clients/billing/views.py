"""Statement screens: a client's statement and its PDF, the month's summary, the month pack,
issuing and the issued statements."""

import re
from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext
from django.views import View
from django_tables2 import RequestConfig

from clients.billing.exports import (
    billing_csv,
    ledes_file,
    ledes_response,
    summary_csv,
    summary_xlsx,
)
from clients.billing.fees import FeeLine, FeeRules, breakdown_from_dict, fees_compute
from clients.billing.forms import InvoiceForm, StatementPeriodForm, parse_month
from clients.billing.invoicing import invoice_file, invoice_problems, invoice_record
from clients.billing.issuing import (
    email_preview,
    issue_plan,
    issued_breakdown,
    issued_differs,
    issued_for,
    issued_statements,
    statement_attachment_name,
    statement_attachment_name_for,
    statement_correct,
)
from clients.billing.printing import (
    fee_context,
    issued_rows,
    period_text,
    statement_breakdown,
    statement_columns,
    statement_file_name,
    statement_pdf,
    statement_policy,
    statement_rows,
)
from clients.billing.selectors import (
    client_summary_list,
    statement_as_issued,
    statement_get,
    summary_totals,
    summary_with_issued,
)
from clients.billing.tables import ClientSummaryTable, summary_table_data
from clients.billing.tasks import issue_params, issue_statements, month_pack, pack_params
from clients.models import BillingPolicy, Client, IssuedStatement
from firm.jobs import job_start
from firm.lib.dates import is_calendar_month, month_days, today_local
from firm.lib.formats import format_duration, format_euro, month_name
from firm.limits import CODE_MAX_LENGTH, PDF_MAX_ROWS
from firm.models import FirmSettings, Job

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
        issued = issued_for(client=client, first_day=first_day, last_day=last_day)
        if export in ("billing_csv", "ledes"):
            # An issued month's billed time is what was issued.
            billed = statement_as_issued(issued) if issued is not None else statement
            if export == "billing_csv":
                return billing_csv([billed], filename=f"addebiti-{name}.csv")
            text = ledes_file([billed], law_firm_id=policy.law_firm_id, firm_name=firm.firm_name)
            return ledes_response(text, filename=f"ledes-{name}.txt")
        if issued is not None:
            return self._issued(request, context, form, statement, issued)
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
            **fee_context(statement_breakdown(statement, FeeRules(**firm.fee_rules()))),
        )
        return render(request, self.template_name, context)

    def _issued(self, request, context, form, statement, issued):
        """An issued month: the issued statement's frozen figures, its number and date, and,
        when today's calls or rates give other figures, a warning and the correction."""
        breakdown = issued_breakdown(issued)
        differs = issued_differs(issued, statement)
        context.update(
            statement=statement,
            issued=issued,
            differs=differs,
            today_amount=_amount_text(statement.total.amount),
            can_correct=request.user.has_perms(ISSUE_PERMISSIONS),
            period=period_text(issued.first_day, issued.last_day),
            policy=issued.policy_text,
            rows=_labelled(issued_rows(issued), statement_columns()),
            columns=statement_columns(),
            query=form.query(),
            pdf_limit=PDF_MAX_ROWS,
            issued_calls=issued.calls,
            talk_time=format_duration(issued.talk_seconds),
            billable_time=format_duration(issued.billable_seconds),
            amount=_amount_text(issued.amount),
            notice_number=issued.notice_number,
            **fee_context(breakdown),
        )
        return render(request, self.template_name, context)


def _amount_text(value) -> str:
    return format_euro(value) if value is not None else ""


class StatementCorrectView(PermissionRequiredMixin, View):
    """POST ``month``: a correction of the client's issued statement of that month from
    today's calls and rates (clients.billing.issuing.statement_correct, as ``--correct``)."""

    permission_required = ["calls.view_call", "clients.view_client", "clients.issue_statement"]

    def post(self, request, code):
        client = get_object_or_404(Client, code=code)
        month, error = _month_of_query(request)
        if month is None:
            messages.error(request, error)
            return redirect("clients:statement", code=code)
        try:
            issued = statement_correct(client=client, month=month, user=request.user)
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
        else:
            messages.success(
                request,
                gettext("%(number)s issued: it replaces %(old)s. It is sent with the month.")
                % {"number": issued.number, "old": issued.supersedes.number},
            )
        first_day, last_day = month_days(month)
        query = urlencode(
            {"date_after": first_day.isoformat(), "date_before": last_day.isoformat()}
        )
        return redirect(f"{reverse('clients:statement', args=[code])}?{query}")


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
        issued = issued_for(client=client, first_day=first_day, last_day=last_day)
        if issued is not None:
            # An issued month prints as it was issued: the exact PDF sent.
            pdf = IssuedStatement.objects.values_list("pdf", flat=True).get(pk=issued.pk)
            response = HttpResponse(bytes(pdf), content_type="application/pdf")
            response["Content-Disposition"] = content_disposition_header(
                False, statement_attachment_name(issued)
            )
            return response
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
        # An issued month shows (and exports) what was issued, not today's bill.
        rows = summary_with_issued(rows, first_day=first_day, last_day=last_day)
        if export == "csv":
            return summary_csv(rows, filename=f"rendiconti-{label}.csv")
        if export == "xlsx":
            return summary_xlsx(rows, filename=f"rendiconti-{label}.xlsx")
        if export in ("billing_csv", "ledes"):
            statements = (
                statement_as_issued(row.issued)
                if row.issued is not None
                else statement_get(
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
        issued = [row for row in rows if row.issued is not None]
        table = ClientSummaryTable(
            summary_table_data(rows),
            query=query,
            exclude=() if issued else ("issued",),
        )
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
            issued_count=len(issued),
            changed_count=sum(1 for row in issued if row.changed),
        )
        return render(request, self.template_name, context)


class MonthPackView(PermissionRequiredMixin, View):
    """The month-end pack of the period: one PDF (summary, then every client's statement) or,
    with ``zip=on``, a ZIP of one PDF per client and the summary; the same code as
    ``manage.py client_statements``. Seconds per client, so never in the request: POST starts
    the pack as a task (or joins the same pack already under way) and goes to the job's page,
    which shows "12/280 clienti" and then the download (firm/jobs.py). GET goes back to the
    summary page of the period."""

    permission_required = STATEMENT_PERMISSIONS

    def get(self, request):
        return self._summary(request)

    def post(self, request):
        form = StatementPeriodForm(request.GET)
        if not form.is_valid():  # the summary page, saying what is wrong with the period
            return self._summary(request)
        first_day, last_day = form.days()
        as_zip = request.POST.get("zip") == "on" or request.GET.get("zip") == "on"
        params = pack_params(
            first_day=first_day, last_day=last_day, as_zip=as_zip, language=get_language()
        )
        params["back"] = f"{reverse('clients:statements')}?{form.query()}"
        job, _joined = job_start(
            kind=Job.Kind.MONTH_PACK,
            params=params,
            user=request.user,
            task=month_pack,
            title=gettext("Month-end pack, %(period)s%(format)s")
            % {"period": period_text(first_day, last_day), "format": ", ZIP" if as_zip else ""},
        )
        return redirect("job", pk=job.pk)

    @staticmethod
    def _summary(request):
        summary = ClientSummaryView()
        summary.setup(request)
        return summary.get(request)


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
    """*Emetti e invia*, a review: GET lists who gets what for ``?month=`` (client, amount —
    the avviso's total when the firm has a profession —, address, what was issued, the PDF
    and the e-mail to open first), each client ticked; one banner names the clients without
    an address. POST issues the ticked clients (numbered, frozen statements; the month
    closed) and, with ``action=send`` (*Emetti e invia*), e-mails their unsent statements;
    ``action=issue`` (*Emetti*) sends nothing (clients.billing.issuing)."""

    permission_required = ISSUE_PERMISSIONS
    template_name = "clients/issue_statements.html"

    def get(self, request):
        month, error = _month_of_query(request)
        context = {"month": month, "error": error, "rows": []}
        if month is not None:
            rows = issue_plan(month=month)
            first_day, last_day = month_days(month)
            rules = FeeRules(**FirmSettings.load().fee_rules())
            views = [_plan_row_view(row, rules) for row in rows]
            context.update(
                rows=views,
                to_issue=sum(1 for row in rows if row.issued is None),
                to_send=sum(
                    1 for row in rows if row.address and not (row.issued and row.issued.sent_at)
                ),
                without_address=[
                    row["client"] for row in views if row["actionable"] and not row["address"]
                ],
                ended=month < today_local().replace(day=1),
                period_query=urlencode(
                    {"date_after": first_day.isoformat(), "date_before": last_day.isoformat()}
                ),
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
        back = f"{reverse('clients:issue')}?month={month:%Y-%m}"
        if month >= today_local().replace(day=1):
            messages.error(
                request,
                gettext("%(month)s has not ended yet: only past months can be issued.")
                % {"month": capfirst(month_name(month))},
            )
            return redirect(back)
        # The review page ticks clients; a form without the list (older pages) means all.
        clients = None
        if request.POST.get("review"):
            clients = [int(pk) for pk in request.POST.getlist("clients") if pk.isdigit()]
            if not clients:
                messages.error(request, gettext("Tick at least one client to issue."))
                return redirect(back)
        send = request.POST.get("action", "send") != "issue"
        # Issuing and sending take seconds per client: a task, followed on the job's page.
        job, _joined = job_start(
            kind=Job.Kind.ISSUE_STATEMENTS,
            params={
                **issue_params(month=month, language=get_language(), clients=clients, send=send),
                "back": f"{reverse('clients:issued')}?month={month:%Y-%m}",
            },
            user=request.user,
            task=issue_statements,
            title=(gettext("Issue and send, %(month)s") if send else gettext("Issue, %(month)s"))
            % {"month": month_name(month)},
        )
        return redirect("job", pk=job.pk)


class IssueEmailPreviewView(PermissionRequiredMixin, View):
    """The e-mail a client gets for ``?month=`` (its issued statement's, else the draft's),
    opened from the review before anything is issued or sent."""

    permission_required = ISSUE_PERMISSIONS
    template_name = "clients/issue_email_preview.html"

    def get(self, request, code):
        client = get_object_or_404(Client, code=code)
        month, error = _month_of_query(request)
        if month is None:
            raise Http404(error)
        message, issued = email_preview(client=client, month=month)
        html = next(
            (content for content, mimetype in message.alternatives if mimetype == "text/html"),
            "",
        )
        return render(
            request,
            self.template_name,
            {
                "client": client,
                "month": month,
                "message": message,
                "html": html,
                "attachment": message.attachments[0][0]
                if issued
                else statement_attachment_name_for(client, month),
            },
        )


def _plan_row_view(row, rules: FeeRules) -> dict:
    """A review row: the amount asked (the avviso's total with a profession: frozen when
    issued) and whether anything is left to do for the client (issue, or send)."""
    amount = row.amount
    if row.issued is not None and row.issued.fees:
        amount = breakdown_from_dict(row.issued.fees).total
    elif row.issued is None and amount is not None and rules.has_items:
        lines = [FeeLine("", amount)]
        amount = fees_compute(lines, rules, withholding_agent=row.client.withholding_agent).total
    return {
        "client": row.client,
        "calls": row.calls,
        "billable_time": format_duration(row.billable_seconds),
        "amount": format_euro(amount) if amount is not None else "",
        "address": row.address,
        "issued": row.issued,
        "actionable": row.issued is None or not row.issued.sent_at,
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


def _issued_amount(statement: IssuedStatement) -> str:
    """What an issued statement asks: the avviso's total (its frozen items), else the
    rendiconto's amount."""
    breakdown = issued_breakdown(statement)
    if breakdown is not None:
        return format_euro(breakdown.total)
    return format_euro(statement.amount) if statement.amount is not None else ""


def _issued_row(statement: IssuedStatement) -> dict:
    return {
        "statement": statement,
        "amount": _issued_amount(statement),
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


class IssuedInvoiceView(PermissionRequiredMixin, View):
    """The invoice of a paid avviso: GET shows the form (number and date, the firm's own
    sequence) or, with ``?download=1`` once recorded, the FatturaPA XML; POST records the
    number and date and answers with the XML (clients/billing/invoicing.py)."""

    permission_required = ISSUE_PERMISSIONS
    template_name = "clients/issued_invoice.html"

    def _statement(self, pk):
        return get_object_or_404(IssuedStatement.objects.select_related("client"), pk=pk)

    def _page(self, request, statement, form, problems=()):
        breakdown = issued_breakdown(statement)
        return render(
            request,
            self.template_name,
            {
                "statement": statement,
                "form": form,
                "problems": list(problems) or invoice_problems(statement, FirmSettings.load()),
                "amount": format_euro(breakdown.total) if breakdown else "",
            },
        )

    def get(self, request, pk):
        statement = self._statement(pk)
        if request.GET.get("download") and statement.invoice_number:
            return self._download(request, statement)
        initial = {"number": statement.invoice_number, "date": statement.invoice_date}
        return self._page(request, statement, InvoiceForm(initial=initial))

    def post(self, request, pk):
        statement = self._statement(pk)
        form = InvoiceForm(request.POST)
        if not form.is_valid():
            return self._page(request, statement, form)
        try:
            invoice_record(
                statement=statement,
                number=form.cleaned_data["number"],
                invoice_date=form.cleaned_data["date"],
            )
        except ValidationError as refusal:
            form.add_error("number", refusal)
            return self._page(request, statement, form)
        return self._download(request, statement)

    def _download(self, request, statement):
        try:
            invoice = invoice_file(statement)
        except ValidationError as refusal:
            return self._page(request, statement, InvoiceForm(), refusal.messages)
        response = HttpResponse(invoice.content, content_type="application/xml")
        response["Content-Disposition"] = content_disposition_header(True, invoice.name)
        return response
