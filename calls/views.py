from functools import cached_property
from urllib.parse import urlencode

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.paginator import EmptyPage
from django.db.models import Count, Q, Sum
from django.shortcuts import redirect
from django_filters.views import FilterView
from django_tables2 import LazyPaginator, SingleTableMixin
from django_tables2.export import ExportMixin, TableExport

from calls.filters import CallLogFilter
from calls.models import Call, CallStatus
from calls.tables import CallTable, format_duration


class CallLogPaginator(LazyPaginator):
    """``LazyPaginator`` that refuses absurd page numbers (an OFFSET beyond the database's
    integers is an error); tables2 then shows the first page."""

    max_page = 1_000_000

    def validate_number(self, number):
        number = super().validate_number(number)
        if number > self.max_page:
            raise EmptyPage("That page number is too large")
        return number


class CallLogExport(TableExport):
    """In XLSX a text starting with ``=`` would become a formula: caller names come from the
    PBX, so tablib's ``escape`` drops that ``=``."""

    def export(self):
        if self.format == self.XLSX:
            return self.dataset.export(self.format, escape=True)
        return super().export()


# Where the last filter a user looked at is kept (see CallLogView.get).
LAST_FILTER_SESSION_KEY = "calls:log:last_filter"


class CallLogView(PermissionRequiredMixin, ExportMixin, SingleTableMixin, FilterView):
    """'Registro chiamate': the filtered call log, its totals, and CSV/XLSX exports of every
    filtered row (``?_export=csv|xlsx``)."""

    permission_required = "calls.view_call"
    filterset_class = CallLogFilter
    table_class = CallTable
    template_name = "calls/call_log.html"
    # Lazy: no COUNT of millions of rows on every page. Only the table paginates (a
    # ListView paginate_by would paginate a second time and answer ?page=abc with a 404).
    table_pagination = {"per_page": 50, "paginator_class": CallLogPaginator}
    export_class = CallLogExport
    export_formats = ("csv", "xlsx")
    export_name = "call-log"

    def get_queryset(self):
        return Call.objects.select_related("client", "trunk")

    def get(self, request, *args, **kwargs):
        # The last filter is remembered per user: "/calls/" with no query string at all goes
        # back to it; any query string shows (and, when valid, remembers) that filter.
        if not request.GET:
            remembered = request.session.get(LAST_FILTER_SESSION_KEY)
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
            self.request.session[LAST_FILTER_SESSION_KEY] = urlencode(params)

    @cached_property
    def totals(self):
        """Totals of the whole filtered set (not the page), in one aggregate query."""
        values = self.object_list.aggregate(
            calls=Count("pk"),
            answered=Count("pk", filter=Q(status=CallStatus.ANSWERED)),
            talk_seconds=Sum("talk_seconds"),
        )
        values["talk_time"] = format_duration(values["talk_seconds"])
        return values

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        valid = self.filterset.is_valid()
        context.update(
            day_range=self.filterset.day_range() if valid else None,
            filter_valid=valid,
        )
        return context
