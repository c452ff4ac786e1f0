"""Choosing clients by hand: the unassigned calls queue, a call's page with its history, and the
month-end period lock that lets no one change a closed month."""

import ntpath
from datetime import date
from functools import cached_property

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext, ngettext
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from calls.filters import UnassignedCallFilter
from calls.forms import (
    CallAssignForm,
    PeriodActionForm,
    QueueAssignForm,
)
from calls.models import (
    Call,
    ClosedPeriod,
    PeriodEvent,
)
from calls.periods import month_of, month_start, next_month, recent_months
from calls.selectors import (
    calls_by_suggested_client,
    calls_unassigned,
    client_suggestions,
    closed_months,
    matters_open_get,
)
from calls.services import (
    MAX_ASSIGNED_CALLS,
    calls_assign,
    calls_assign_suggested,
    period_close,
    period_reopen,
)
from calls.tables import (
    UnassignedCallTable,
)
from calls.views.log import CallLogPaginator
from clients.models import CLIENT_CODE_MAX_LENGTH, Matter
from firm.lib.dates import firm_time_zone, today_local
from firm.lib.formats import format_duration, month_name

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
            # Every month shown is closed: nothing here can be assigned (calls_assign refuses).
            closed_period=_all_closed(self.filterset.day_range()) if valid else [],
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


def _all_closed(days) -> list[date]:
    """The months of ``days`` when every one of them is closed (first days), else []."""
    if days.first is None or days.last is None:
        return []
    closed = set(closed_months())
    months, month = [], month_start(days.first)
    while month <= days.last:
        if month not in closed:
            return []
        months.append(month)
        month = next_month(month)
    return months


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
            confirm_matter=kwargs.get("confirm_matter"),
            **self._way_back(),
        )
        return context

    def _way_back(self) -> dict:
        """Where the call page's back link leads: the page the user came from (``?next=``, or
        the form's ``next`` after a post) when it is on this site, else the queue (for who
        assigns) or the call log; and its words."""
        request = self.request
        url = request.POST.get("next") or request.GET.get("next") or ""
        safe = url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        queue, log = reverse("calls:unassigned"), reverse("calls:log")
        if not (url and safe and url.startswith("/")):
            url = queue if request.user.has_perm("calls.assign_call") else log
        if url.startswith(queue):
            label = gettext("Unassigned calls")
        elif url.startswith(log):
            label = gettext("Call log")
        else:
            label = gettext("Back")
        return {"back_url": url, "back_label": label, "next": url}

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("calls.assign_call"):
            raise PermissionDenied
        self.object = call = self.get_object()
        form = CallAssignForm(request.POST)
        if form.is_valid():
            client, matter = form.cleaned_data["client"], form.cleaned_data["matter"]
            confirmed = request.POST.get("confirm")
            if matter is not None and not matter.is_active and confirmed != matter.code:
                # As the queue flags it ("closed matter"): a closed matter is billed only when
                # the user confirms it.
                context = self.get_context_data(form=form, confirm_matter=matter)
                return self.render_to_response(context)
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
                back = self._way_back()["back_url"]
                detail = reverse("calls:detail", args=[call.pk])
                return redirect(f"{detail}?{urlencode({'next': back})}")
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
