import tempfile
from typing import NamedTuple
from urllib.parse import urlencode

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views import View
from django.views.generic import DetailView
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from calls import dialing
from calls.dialing_messages import dial_error_message
from calls.selectors import dial_plan_get
from clients.exports import billing_csv, ledes_file, ledes_response, summary_csv, summary_xlsx
from clients.filters import ClientFilter
from clients.forms import DialHelperForm, StatementPeriodForm
from clients.models import BillingPolicy, Client, Matter
from clients.printing import (
    month_pack_pdf,
    month_pack_zip,
    pack_file_name,
    period_text,
    policy_description,
    statement_columns,
    statement_file_name,
    statement_pdf,
    statement_rows,
)
from clients.selectors import (
    client_summary_list,
    matters_found,
    statement_get,
    summary_totals,
)
from clients.tables import ClientSummaryTable, ClientTable, summary_table_data
from firm.lib.formats import format_duration, format_euro
from firm.lib.pagination import FixedPaginator
from firm.limits import PDF_MAX_ROWS
from firm.models import FirmSettings


class ClientPaginator(FixedPaginator):
    page_size = 25


class ClientSearchView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    """'Clienti': receptionists find a client by name, code, VAT number or contact."""

    permission_required = "clients.view_client"
    filterset_class = ClientFilter
    table_class = ClientTable
    template_name = "clients/client_search.html"
    paginate_by = 25
    # 25 clients a page, whatever ?per_page= says.
    table_pagination = {"paginator_class": ClientPaginator}

    def get_queryset(self):
        return Client.objects.all()

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        # The matters the search found, shown under their clients (one query for the page).
        query = self.request.GET.get("q", "")[:100]
        rows = table.page.object_list if hasattr(table, "page") else []
        table.matters_found = matters_found(query=query, client_ids=[row.record.pk for row in rows])
        return table


class ClientDetailView(PermissionRequiredMixin, DetailView):
    """A client's card with the dial helper: number + trunk → the exact string to dial."""

    permission_required = ["clients.view_client", "calls.view_trunk"]
    model = Client
    slug_field = slug_url_kwarg = "code"
    template_name = "clients/client_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = dial_plan_get()
        form = DialHelperForm.from_query(self.request.GET, client=self.object)
        dial = self._dial(form, plan)
        context.update(
            contacts=self.object.contacts.all(),
            form=form,
            marker=plan.marker,
            dial=dial,
            dial_code=form.code(self.object) if dial else self.object.code,
            matters=self._matters(form, plan, dial),
        )
        return context

    def _dial(self, form, plan) -> dialing.HelperDial | None:
        if not form.is_bound or not form.is_valid():
            return None
        trunk = form.cleaned_data["trunk"].as_rule()
        try:
            return dialing.compose_for_helper(
                form.cleaned_data["number"], trunk, form.code(self.object), plan
            )
        except dialing.DialError as error:
            form.add_error("number", dial_error_message(error))
            return None

    def _matters(self, form, plan, dial) -> list["MatterDial"]:
        """The client's active matters, each with what to dial: the whole string when the
        helper has an outside number, else its shape (prefix, the number, marker and code)."""
        matters = form.fields["matter"].queryset
        trunk = form.cleaned_data["trunk"] if dial else _chosen_trunk(form)
        prefix = trunk.prefix if trunk is not None else ""
        number = form.data.get("number", "")[:40] if form.is_bound else ""
        rows = []
        for matter in matters:
            dial_string = ""
            if dial and not dial.internal:
                dial_string = dialing.compose_for_helper(
                    form.cleaned_data["number"], trunk.as_rule(), matter.code, plan
                ).dial_string
            query = {"number": number, "trunk": trunk.pk if trunk else "", "matter": matter.pk}
            rows.append(
                MatterDial(
                    matter,
                    dial_string,
                    prefix,
                    f"{plan.marker}{matter.code}",
                    urlencode({key: value for key, value in query.items() if value}),
                )
            )
        return rows


class MatterDial(NamedTuple):
    """A matter on its client's card: the string to dial (with the helper's number), or the
    prefix and the marker + code that go around the number."""

    matter: Matter
    dial_string: str
    prefix: str
    suffix: str
    query: str  # the helper with this matter chosen (and the number typed, if any)


def _chosen_trunk(form):
    """The trunk the helper shows chosen (the default one before a number is typed)."""
    trunk_id = form.data.get("trunk") if form.is_bound else form.initial.get("trunk")
    try:
        return form.fields["trunk"].queryset.filter(pk=int(trunk_id)).first()
    except (TypeError, ValueError):
        return None


# --- Client statements -------------------------------------------------------------------

STATEMENT_PERMISSIONS = ["calls.view_call", "clients.view_client"]


def _period_label(first_day, last_day) -> str:
    return f"{first_day:%Y-%m-%d}_{last_day:%Y-%m-%d}"


def _policy_and_firm():
    return BillingPolicy.load(), FirmSettings.load()


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
            policy=policy_description(statement.policy, statement.hourly_rate),
            rows=statement_rows(statement),
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
    """The statement as a PDF fit to send or file (clients/printing.py). An invalid period,
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
            table=table,
            query=query,
            period=period_text(first_day, last_day),
            totals=totals,
            talk_time=format_duration(totals["talk_seconds"]),
            billable_time=format_duration(totals["billable_seconds"]),
            amount=format_euro(totals["amount"]) if totals["amount"] is not None else "",
        )
        return render(request, self.template_name, context)


class MonthPackView(PermissionRequiredMixin, View):
    """The month-end pack of the period: one PDF (summary, then every client's statement) or,
    with ``?zip=on``, a ZIP of one PDF per client and the summary. Built in a temporary file
    and sent in chunks; the same code as ``manage.py client_statements``."""

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
        return response
