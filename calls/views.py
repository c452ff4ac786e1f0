import ntpath
from functools import cached_property
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language, gettext, ngettext
from django.views import View
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from calls.dashboard import Dashboard, dashboard_get
from calls.exports import stream_csv, stream_xlsx
from calls.filters import CallLogFilter, UnassignedCallFilter
from calls.forms import (
    CallAssignForm,
    PeriodActionForm,
    QueueAssignForm,
    ReminderPreferenceForm,
)
from calls.models import (
    Call,
    ClosedPeriod,
    PeriodEvent,
)
from calls.periods import month_of, recent_months
from calls.reminders import reminder_preference_set, reminder_wanted
from calls.selectors import (
    call_log_totals,
    calls_by_suggested_client,
    calls_unassigned,
    client_suggestions,
    closed_months,
    matters_open_get,
    saved_call_log_filter_get,
)
from calls.services import (
    MAX_ASSIGNED_CALLS,
    calls_assign,
    calls_assign_suggested,
    period_close,
    period_reopen,
    saved_call_log_filter_save,
)
from calls.tables import (
    PRINT_COLUMNS,
    CallTable,
    PageIdsFirst,
    UnassignedCallTable,
)
from calls.tasks import call_log_file_name, call_log_filterset, call_log_pdf, call_log_pdf_task
from clients.models import CLIENT_CODE_MAX_LENGTH, Matter
from firm.jobs import job_start
from firm.lib.dates import firm_time_zone, today_local
from firm.lib.formats import format_duration, format_euro, month_name
from firm.lib.pagination import FixedLazyPaginator
from firm.lib.svg import Bar, bar_chart, column_chart
from firm.limits import PDF_MAX_ROWS
from firm.models import Job


@require_safe
def home(request):
    """Start page: the tools the user's role opens and, for those who read the call log
    (partners, administrators), the partner dashboard (calls.dashboard)."""
    context = {}
    if request.user.has_perm("calls.view_call"):
        dashboard = dashboard_get(today=today_local())
        context = {"dashboard": dashboard, **_dashboard_charts(dashboard)}
    return render(request, "home.html", context)


def _percent(value: float | None) -> str:
    return "–" if value is None else number_format(value, decimal_pos=0) + "%"


def _dashboard_charts(dashboard: Dashboard) -> dict:
    """The dashboard's two charts (SVG) and the texts its tables show beside them."""
    shares = [
        Bar(label=date_format(share.month, "M"), value=share.percent, text=_percent(share.percent))
        for share in dashboard.coded_share
    ]
    top = [
        Bar(
            label=figures.client.name,
            value=figures.billable_seconds,
            text=format_duration(figures.billable_seconds),
        )
        for figures in dashboard.top_clients
    ]
    return {
        "this_month_name": month_name(dashboard.this_month.month),
        "last_month_name": month_name(dashboard.last_month.month),
        "top_client_rows": [
            {
                "name": figures.client.name,
                "code": figures.client.code,
                "calls": number_format(figures.calls, force_grouping=True),
                "billable": format_duration(figures.billable_seconds),
                "amount": _euro(figures.amount),
            }
            for figures in dashboard.top_clients
        ],
        "coded_share_chart": column_chart(
            shares, title=gettext("Outgoing calls with a code, month by month"), maximum=100
        ),
        "coded_share_rows": [
            (
                month_name(share.month),
                number_format(share.coded, force_grouping=True),
                number_format(share.outgoing, force_grouping=True),
                _percent(share.percent),
            )
            for share in dashboard.coded_share
        ],
        "top_clients_chart": bar_chart(
            top, title=gettext("Top clients by billable time this month")
        )
        if top
        else None,
        "month_rows": [
            (
                gettext("Calls"),
                number_format(dashboard.this_month.calls, force_grouping=True),
                number_format(dashboard.last_month.calls, force_grouping=True),
            ),
            (
                gettext("Talk time"),
                format_duration(dashboard.this_month.talk_seconds),
                format_duration(dashboard.last_month.talk_seconds),
            ),
            (
                gettext("Billable time"),
                format_duration(dashboard.this_month.billable_seconds),
                format_duration(dashboard.last_month.billable_seconds),
            ),
            (
                gettext("Amount"),
                _euro(dashboard.this_month.amount),
                _euro(dashboard.last_month.amount),
            ),
        ],
    }


def _euro(amount) -> str:
    return "–" if amount is None else format_euro(amount)


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
KEPT_SESSION_KEY = "calls:queue:kept"
NOTE_MAX_LENGTH = 200


def _show_form_errors(request, form) -> None:
    """A posted form's errors as messages, for views that redirect back (POST/redirect/GET)."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


class UnassignedCallsView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    """'Chiamate da assegnare': outgoing calls with no client in a period, each with the
    client its number was most often billed to. POST assigns the ticked calls to a client
    (by code) or to their suggested clients, through ``calls_assign``; then back to the page
    (PRG) with a message."""

    permission_required = "calls.assign_call"
    filterset_class = UnassignedCallFilter
    table_class = UnassignedCallTable
    template_name = "calls/unassigned.html"
    table_pagination = {"paginator_class": CallLogPaginator}

    def get_queryset(self):
        return (
            calls_unassigned()
            .select_related("matter")
            .only(
                "pk",
                "matter__code",
                "matter__name",
                "start",
                "caller",
                "caller_name",
                "destination",
                "dialled_number",
                "billing_code",
                "talk_seconds",
            )
        )

    @cached_property
    def kept(self) -> dict:
        """What a failed assignment posted (the ticked calls, the code, the note), kept by
        ``post`` for the page it redirects to, once."""
        return self.request.session.pop(KEPT_SESSION_KEY, None) or {}

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        # The suggestions of the page's rows, in one query (not one per row).
        rows = table.page.object_list if hasattr(table, "page") else []
        table.suggestions = client_suggestions(numbers=[row.record.dialled_number for row in rows])
        table.closed_months = frozenset(closed_months())
        table.checked = frozenset(self.kept.get("calls", ()))
        return table

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        valid = self.filterset.is_valid()
        kept = self.kept
        suggestions = getattr(context.get("table"), "suggestions", {})
        context.update(
            # The suggested clients' open matters, to choose in the code box (a datalist).
            matter_choices=matters_open_get(
                client_ids=[suggestion.client.pk for suggestion in suggestions.values()]
            ),
            day_range=self.filterset.day_range() if valid else None,
            filter_valid=valid,
            waiting=self.object_list.count() if valid else None,
            assign_form=QueueAssignForm(
                initial={"client_code": kept.get("client_code", ""), "note": kept.get("note", "")}
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = QueueAssignForm(request.POST)
        if not form.is_valid():
            _show_form_errors(request, form)
            self._keep(request.POST)
            return redirect(request.get_full_path())
        if not self._assign(form.cleaned_data):
            self._keep(request.POST)
        return redirect(request.get_full_path())

    def _keep(self, posted) -> None:
        """After a failed assignment the page comes back as it was posted: the same calls
        ticked, the code and the note still typed (in the session, for the redirect)."""
        ids = []
        for value in posted.getlist("calls")[:MAX_ASSIGNED_CALLS]:
            try:
                ids.append(int(value))
            except ValueError:
                continue
        self.request.session[KEPT_SESSION_KEY] = {
            "calls": ids,
            "client_code": posted.get("client_code", "")[: CLIENT_CODE_MAX_LENGTH * 2],
            "note": posted.get("note", "")[:NOTE_MAX_LENGTH],
        }

    def _assign(self, data) -> bool:
        """Assign as ``data`` says; False when nothing was assigned because it was refused."""
        request = self.request
        ids = data["calls"]
        waiting = list(calls_unassigned().filter(pk__in=ids).values_list("pk", "dialled_number"))
        if len(waiting) < len(ids):
            messages.warning(
                request,
                ngettext(
                    "%(count)s selected call is no longer waiting (assigned meanwhile, or not an "
                    "unassigned call) and was left as it was.",
                    "%(count)s selected calls are no longer waiting (assigned meanwhile, or not "
                    "unassigned calls) and were left as they were.",
                    len(ids) - len(waiting),
                )
                % {"count": len(ids) - len(waiting)},
            )
        if waiting:
            try:
                if data["action"] == QueueAssignForm.ACTION_CLIENT:
                    ids = [pk for pk, _number in waiting]
                    self._assign_to(data["client"], data["matter"], ids, data["note"])
                else:
                    self._assign_suggested(waiting, data["note"])
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
                return False
        return True

    def _assign_to(self, client, matter, ids, note):
        count = calls_assign(
            calls=ids, client=client, matter=matter, user=self.request.user, note=note
        )
        messages.success(self.request, assigned_message(count, matter or client))

    def _assign_suggested(self, waiting, note):
        plan = calls_by_suggested_client(calls=waiting)
        if plan.unsuggested:
            messages.warning(
                self.request,
                ngettext(
                    "%(count)s selected call has no suggested client: assign it by code.",
                    "%(count)s selected calls have no suggested client: assign them by code.",
                    plan.unsuggested,
                )
                % {"count": plan.unsuggested},
            )
        assigned = calls_assign_suggested(plan=plan, user=self.request.user, note=note)
        for client, count in assigned:
            messages.success(self.request, assigned_message(count, client))


def assigned_message(count: int, client) -> str:
    """'3 chiamate assegnate a Rossi S.p.A.'; ``client`` may be a matter: then its client
    and its description ('Rossi S.p.A. · Causa Rossi c. Bianchi')."""
    if isinstance(client, Matter):
        name = f"{client.client.name} · {client.name}"
    else:
        name = client.name
    return ngettext(
        # No full stop: client names often end with one (Affaroni S.p.A.).
        "%(count)s call assigned to %(client)s",
        "%(count)s calls assigned to %(client)s",
        count,
    ) % {"count": count, "client": name}


# --- A call's page --------------------------------------------------------------------------


class CallDetailView(PermissionRequiredMixin, DetailView):
    """A call, its client and the history of its assignments; partners may give it another
    client here (``calls_assign``: refused in a closed month)."""

    permission_required = "calls.view_call"
    template_name = "calls/call_detail.html"
    context_object_name = "call"

    def get_queryset(self):
        return Call.objects.select_related("client", "matter", "trunk", "import_run")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        call = self.object
        month = month_of(call.start, firm_time_zone())
        context.update(
            ring_time=format_duration(call.ring_seconds),
            talk_time=format_duration(call.talk_seconds),
            # The import command records the path it was given: only the file's name is shown.
            imported_from=ntpath.basename(call.import_run.file_name) if call.import_run else "",
            assignments=call.assignments.select_related(
                "old_client", "new_client", "old_matter", "new_matter", "user"
            ),
            month=month,
            month_closed=ClosedPeriod.objects.filter(month=month).exists(),
            form=kwargs.get("form") or CallAssignForm(),
            can_assign=self.request.user.has_perm("calls.assign_call"),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("calls.assign_call"):
            raise PermissionDenied
        self.object = call = self.get_object()
        form = CallAssignForm(request.POST)
        if form.is_valid():
            client, matter = form.cleaned_data["client"], form.cleaned_data["matter"]
            try:
                calls_assign(
                    calls=[call],
                    client=client,
                    matter=matter,
                    user=request.user,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, assigned_message(1, matter or client))
                return redirect("calls:detail", pk=call.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- The period lock ------------------------------------------------------------------------

SHOWN_MONTHS = 12
SHOWN_EVENTS = 50


class PeriodsView(PermissionRequiredMixin, TemplateView):
    """'Periodi': the last months, closed or open; close a month once its statements are
    sent, reopen it saying why. Every closing and reopening is listed."""

    permission_required = "calls.close_period"
    template_name = "calls/periods.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = today_local()
        closed = {
            period.month: period for period in ClosedPeriod.objects.select_related("closed_by")
        }
        months = sorted(set(recent_months(today, SHOWN_MONTHS)) | set(closed), reverse=True)
        this_month = today.replace(day=1)
        context.update(
            months=[
                {"month": month, "closed": closed.get(month), "ended": month < this_month}
                for month in months
            ],
            events=PeriodEvent.objects.select_related("user")[:SHOWN_EVENTS],
        )
        return context

    def post(self, request, *args, **kwargs):
        form = PeriodActionForm(request.POST)
        if not form.is_valid():
            _show_form_errors(request, form)
            return redirect("calls:periods")
        month = form.cleaned_data["month"]
        try:
            if form.cleaned_data["action"] == PeriodActionForm.CLOSE:
                period_close(month=month, user=request.user)
                messages.success(
                    request, gettext("%(month)s closed.") % {"month": month_name(month)}
                )
            else:
                period_reopen(month=month, user=request.user, reason=form.cleaned_data["reason"])
                messages.success(
                    request, gettext("%(month)s reopened.") % {"month": month_name(month)}
                )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("calls:periods")


class ReminderPreferenceView(PermissionRequiredMixin, View):
    """'Preferenze': a partner turns the daily reminder of unassigned calls on or off (on by
    default); administrators change anyone's in admin."""

    permission_required = "calls.assign_call"
    template_name = "calls/preferences.html"

    def get(self, request):
        form = ReminderPreferenceForm(initial={"unassigned_calls": reminder_wanted(request.user)})
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = ReminderPreferenceForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form})
        reminder_preference_set(
            user=request.user, unassigned_calls=form.cleaned_data["unassigned_calls"]
        )
        messages.success(request, gettext("Preferences saved."))
        return redirect("calls:preferences")
