"""The call log: the filtered table with its CSV/XLSX exports, and its PDF."""

from functools import cached_property
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.views import View
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from calls.exports import stream_csv, stream_xlsx
from calls.filters import CallLogFilter
from calls.models import (
    Call,
)
from calls.selectors import (
    call_log_totals,
    saved_call_log_filter_get,
)
from calls.services import (
    saved_call_log_filter_save,
)
from calls.tables import (
    PRINT_COLUMNS,
    CallTable,
    PageIdsFirst,
)
from calls.tasks import (
    call_log_file_name,
    call_log_filterset,
    call_log_pdf,
    call_log_pdf_task,
)
from firm.jobs import job_start
from firm.lib.pagination import FixedLazyPaginator
from firm.limits import PDF_MAX_ROWS
from firm.models import Job


class CallLogPaginator(FixedLazyPaginator):
    """Pages of 50 calls, not counted (``LazyPaginator``); ``?per_page=`` is ignored and absurd
    page numbers show the first page (firm.lib.pagination)."""

    page_size = 50


# Where the last filter a user looked at is kept (see CallLogView.get).
LAST_FILTER_SESSION_KEY = "calls:log:last_filter"


EXPORTS = {"csv": stream_csv, "xlsx": stream_xlsx}


class CallLogView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    """'Registro chiamate': the filtered call log, its totals, and CSV/XLSX exports of every
    filtered row (``?_export=csv|xlsx``, streamed: calls.exports)."""

    permission_required = "calls.view_call"
    filterset_class = CallLogFilter
    table_class = CallTable
    template_name = "calls/call_log.html"
    # Lazy: no COUNT of millions of rows on every page. Only the table paginates (a
    # ListView paginate_by would paginate a second time and answer ?page=abc with a 404).
    table_pagination = {"paginator_class": CallLogPaginator}

    def get_queryset(self):
        return Call.objects.select_related("client", "matter", "trunk")

    def get_table_data(self):
        return PageIdsFirst(super().get_table_data())

    def get(self, request, *args, **kwargs):
        # The last filter is remembered per user: "/calls/" with no query string at all goes
        # back to it; any query string shows (and, when valid, remembers) that filter.
        # The session keeps a copy, so the database is read once per login at most.
        if not request.GET:
            remembered = request.session.get(LAST_FILTER_SESSION_KEY)
            if remembered is None:
                remembered = saved_call_log_filter_get(user=request.user) or ""
                request.session[LAST_FILTER_SESSION_KEY] = remembered
            if remembered:
                return redirect(f"{request.path}?{remembered}")
        response = super().get(request, *args, **kwargs)
        self._remember_filter()
        return response

    def _remember_filter(self):
        fields = self.filterset.form.fields
        params = [
            (key, value)
            for key in self.request.GET
            if key in fields or key in ("date_after", "date_before")
            for value in self.request.GET.getlist(key)
            if value != ""
        ]
        if params and self.filterset.is_valid():
            remembered = urlencode(params)
            # Only a new filter is written: assigning marks the session modified, and a
            # modified session is saved (a write transaction) at the end of every request.
            if self.request.session.get(LAST_FILTER_SESSION_KEY) != remembered:
                self.request.session[LAST_FILTER_SESSION_KEY] = remembered
                saved_call_log_filter_save(user=self.request.user, query=remembered)

    @cached_property
    def totals(self):
        return call_log_totals(filterset=self.filterset)

    def render_to_response(self, context, **response_kwargs):
        export = EXPORTS.get(self.request.GET.get("_export", ""))
        if export is None:
            return super().render_to_response(context, **response_kwargs)
        # Every filtered row in the table's order (?sort=), streamed, not the page.
        ordered = context["table"].data.data
        return export(ordered, filename=f"{self._export_name()}.{self.request.GET['_export']}")

    def _export_name(self) -> str:
        return call_log_file_name(self.filterset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        valid = self.filterset.is_valid()
        context.update(
            day_range=self.filterset.day_range() if valid else None,
            filter_valid=valid,
        )
        return context


# The printed columns, each with its width (calls.tables.PRINT_COLUMNS). Headers come from
# CallTable, so the page, the exports and the PDF name the columns alike.
PDF_COLUMNS = PRINT_COLUMNS


class CallLogPdfView(PermissionRequiredMixin, View):
    """'Stampa': the PDF of exactly the filtered set (same ``CallLogFilter`` and ``?sort=``
    as the page). An invalid filter, or more than ``PDF_MAX_ROWS`` calls, gets an HTML page
    (status 200) that says why and links back to the log and to CSV/XLSX.

    Up to ``PDF_SYNC_MAX_ROWS`` calls the PDF comes at once; a longer one is printed by the
    task worker: GET says so with a button, whose POST starts (or joins) the job and goes to
    its page, which shows the progress and then the download (firm/jobs.py)."""

    permission_required = "calls.view_call"
    refusal_template = "pdf/call_log_refused.html"

    def _filtered(self, request):
        filterset = call_log_filterset(request.GET)
        if not filterset.is_valid():
            return (
                filterset,
                None,
                render(request, self.refusal_template, {"filter": filterset, "too_many": False}),
            )
        totals = call_log_totals(filterset=filterset)
        if totals["calls"] > PDF_MAX_ROWS:
            return (
                filterset,
                totals,
                render(
                    request,
                    self.refusal_template,
                    {
                        "filter": filterset,
                        "too_many": True,
                        "totals": totals,
                        "limit": PDF_MAX_ROWS,
                    },
                ),
            )
        return filterset, totals, None

    def get(self, request):
        filterset, totals, refusal = self._filtered(request)
        if refusal is not None:
            return refusal
        if totals["calls"] > settings.PDF_SYNC_MAX_ROWS:
            return render(
                request,
                self.refusal_template,
                {"filter": filterset, "background": True, "totals": totals},
            )
        pdf = call_log_pdf(filterset, sort=request.GET.get("sort"), totals=totals)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{call_log_file_name(filterset)}.pdf"'
        return response

    def post(self, request):
        filterset, totals, refusal = self._filtered(request)
        if refusal is not None:
            return refusal
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("_export", None)
        job, _joined = job_start(
            kind=Job.Kind.CALL_LOG_PDF,
            params={
                "query": query.urlencode(),
                "language": get_language(),
                "back": f"{reverse('calls:log')}?{query.urlencode()}",
            },
            user=request.user,
            task=call_log_pdf_task,
            title=gettext("Call log PDF, %(calls)s calls") % {"calls": totals["calls"]},
        )
        return redirect("job", pk=job.pk)


# --- The unassigned calls queue -------------------------------------------------------------

# What a failed assignment posted, for the page the queue redirects to (UnassignedCallsView).
