"""The call log's filter (the Log Reporter): one FilterSet for the table, the exports and
the PDF (which prints the filter in words, ``CallLogFilter.describe()``).

Decisions
---------
1. Dates. ``date_after`` and ``date_before`` are days in the firm's time zone
   (``settings.TIME_ZONE``), both inclusive. They become the half-open range
   [local midnight of ``date_after``, local midnight of the day after ``date_before``), so the
   ``start`` index serves it (no ``__date`` function on the column). Either end may be left out.
2. Periods. ``period`` (today, yesterday, this_week, last_week, this_month, last_month,
   this_year; weeks start on Monday) applies only when no date is given. With neither dates
   nor a period the log shows this month (``DEFAULT_PERIOD``).
3. Destination. ``all`` is every call, inbound included; ``external`` is outbound calls
   (through a trunk), ``internal`` extension-to-extension calls. Inbound calls appear only
   under ``all`` (or an explicit ``direction=inbound``). ``numbers`` requires ``number``.
4. ``number`` is matched against the destination as recorded (``calls.patterns``), for every
   destination choice: ``destination=external&number=%**123`` is the outbound calls of client
   123. ``number_mode`` (pattern, begins, contains, ends, exact) says how the text is read and
   ``number_not`` negates the match. Pattern errors become translated form errors.
"""

from __future__ import annotations

from functools import cached_property

import django_filters
from django import forms
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from calls.forms import CallLogForm, DayRangeWidget, PeriodForm, number_hint
from calls.models import Call, CallDirection, CallStatus, Trunk
from calls.pattern_queries import ANY_CODE, destination_branches, destination_q
from clients.models import CLIENT_CODE_MAX_LENGTH, Client
from firm.lib.dates import (
    PERIOD_CHOICES,
    DayRange,
    period_days,
    today_local,
)
from firm.models import FirmSettings

DEFAULT_PERIOD = "this_month"

DESTINATION_CHOICES = [
    ("all", _("All calls")),
    ("external", _("External (outgoing)")),
    ("internal", _("Internal (between extensions)")),
    ("numbers", _("Numbers")),
]
NUMBER_MODE_CHOICES = [
    ("pattern", _("pattern (% = anything)")),
    ("begins", _("begins with")),
    ("contains", _("contains")),
    ("ends", _("ends with")),
    ("exact", _("exactly")),
]


# The filters that hourly totals (CallHourTotal) can answer: the days, the direction, the
# status. ``number_mode`` and ``number_not`` do nothing without a ``number``, which they
# cannot answer.
HOUR_TOTALS_FILTERS = {
    "date",
    "period",
    "destination",
    "direction",
    "status",
    "number_mode",
    "number_not",
}


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class PeriodFilterSet(django_filters.FilterSet):
    """The days a call list covers: ``date`` (from–to) or a ``period``, else this month.
    Shared by the call log and the unassigned calls queue."""

    date = django_filters.DateFromToRangeFilter(
        label=_("From – to"),
        method="filter_date",
        widget=DayRangeWidget(),
        help_text=_("Both days included. Without dates, the period applies."),
    )
    period = django_filters.ChoiceFilter(
        label=_("Period"),
        choices=PERIOD_CHOICES,
        method="filter_period",
        empty_label=_("This month (default)"),
    )

    class Meta:
        model = Call
        form = PeriodForm
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        # Unbound (no query string) still filters: this month.
        super().__init__(data if data is not None else {}, *args, **kwargs)

    def filter_date(self, queryset, name, value):
        return queryset.filter(self.day_range().q())

    def filter_period(self, queryset, name, value):
        if self._has_dates():
            return queryset
        return queryset.filter(self.day_range().q())

    def filter_queryset(self, queryset, *, skip: frozenset[str] = frozenset()):
        """django-filter's loop over the filters given a value, leaving out the filters
        named in ``skip``; then this month when neither dates nor a period were given."""
        cleaned = self.form.cleaned_data
        for name, value in cleaned.items():
            if name not in skip:
                queryset = self.filters[name].filter(queryset, value)
        if not self._has_dates() and not cleaned.get("period"):
            queryset = queryset.filter(self.day_range().q())
        return queryset

    def _has_dates(self) -> bool:
        value = self.form.cleaned_data.get("date")
        return bool(value) and (value.start is not None or value.stop is not None)

    def day_range(self) -> DayRange:
        """The days in effect: the dates given, else the period, else this month. Only on a
        valid form."""
        value = self.form.cleaned_data.get("date")
        if self._has_dates():
            first = value.start.date() if value.start is not None else None
            last = value.stop.date() if value.stop is not None else None
            return DayRange(first, last)
        period = self.form.cleaned_data.get("period") or DEFAULT_PERIOD
        today = today_local()
        return DayRange(*period_days(period, today), period=period)


class CallLogFilter(PeriodFilterSet):
    destination = django_filters.ChoiceFilter(
        label=_("Destination"),
        choices=DESTINATION_CHOICES,
        method="filter_destination",
        empty_label=None,
        widget=forms.RadioSelect,
    )
    number = django_filters.CharFilter(
        label=_("Number or pattern"),
        method="filter_number",
        strip=False,
        # The examples use the firm's marker: see ``form`` below.
    )
    number_mode = django_filters.ChoiceFilter(
        label=_("Match"),
        choices=NUMBER_MODE_CHOICES,
        method="filter_read_with_number",
        empty_label=None,
    )
    number_not = django_filters.BooleanFilter(
        label=_("not"),
        method="filter_read_with_number",
        widget=forms.CheckboxInput,
    )
    caller = django_filters.CharFilter(
        label=_("Caller (extension)"), field_name="caller", lookup_expr="exact", max_length=64
    )
    trunk = django_filters.ModelChoiceFilter(
        label=_("Trunk"),
        field_name="trunk",
        lookup_expr="exact",
        queryset=Trunk.objects.all(),
        empty_label=_("All"),
    )
    # One exact client code. The client's id is read first (one row by its unique code) and
    # the calls filtered by it: joined by code instead, the planner cannot tell how many
    # calls the client has and, over two years, walks every call by date (71,000 of
    # 1,000,000 to fill a page) rather than call_client_start_idx.
    client = django_filters.CharFilter(
        label=_("Client code"),
        field_name="client__code",
        lookup_expr="exact",
        method="filter_client",
        max_length=CLIENT_CODE_MAX_LENGTH,
    )
    # A matter's calls, like ``client``: one exact code, answered from call_matter_start_idx
    # (the join to the matter finds its id by its unique code, then the index its calls).
    matter = django_filters.CharFilter(
        label=_("Matter code"),
        field_name="matter__code",
        lookup_expr="exact",
        max_length=CLIENT_CODE_MAX_LENGTH,
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        field_name="status",
        lookup_expr="exact",
        choices=CallStatus.choices,
        empty_label=_("All"),
    )
    direction = django_filters.ChoiceFilter(
        label=_("Direction"),
        field_name="direction",
        lookup_expr="exact",
        choices=CallDirection.choices,
        empty_label=_("All"),
    )
    has_code = django_filters.ChoiceFilter(
        label=_("Billing code"),
        choices=[("yes", _("With code")), ("no", _("Without code"))],
        method="filter_has_code",
        empty_label=_("All"),
    )
    unknown_code = django_filters.BooleanFilter(
        label=_("Unknown code only"),
        method="filter_unknown_code",
        widget=forms.CheckboxInput,
        help_text=_("A code was dialled but no client has it."),
    )
    min_talk = IntegerFilter(
        label=_("Talk time at least (s)"),
        field_name="talk_seconds",
        lookup_expr="gte",
        min_value=0,
        max_value=10**9,
    )

    class Meta:
        model = Call
        form = CallLogForm
        fields = []

    # The destination choice reads the whole form; the fields it reads do nothing by
    # themselves.
    def filter_read_with_number(self, queryset, name, value):
        return queryset

    def filter_destination(self, queryset, name, value):
        if value == "external":
            return queryset.filter(direction=CallDirection.OUTBOUND)
        if value == "internal":
            return queryset.filter(direction=CallDirection.INTERNAL)
        return queryset  # all; numbers: see filter_number

    @cached_property
    def billing_marker(self) -> str:
        """The firm's billing marker, read once per filter (the rows and the totals)."""
        return FirmSettings.load().billing_marker

    @property
    def form(self):
        """The filter's form, its pattern hint and messages written with the firm's marker
        (``%##123`` once the marker is ``##``)."""
        form = super().form
        if form.billing_marker is None:
            # Lazy: the firm's settings are read when the hint is shown or a message written,
            # not when the form is built (a form built outside a request reads no database).
            marker = lazy(lambda: self.billing_marker, str)()
            form.billing_marker = marker
            form.fields["number"].help_text = lazy(number_hint, str)(marker)
        return form

    def filter_number(self, queryset, name, value):
        parts = self.form.number_pieces
        negate = bool(self.form.cleaned_data.get("number_not"))
        return queryset.filter(destination_q(parts, marker=self.billing_marker, negate=negate))

    def filter_client(self, queryset, name, value):
        client_id = self._client_id(value)
        return queryset.none() if client_id is None else queryset.filter(client_id=client_id)

    def _client_id(self, code: str) -> int | None:
        if code not in self._client_ids:
            self._client_ids[code] = (
                Client.objects.filter(code=code).values_list("pk", flat=True).first()
            )
        return self._client_ids[code]

    @cached_property
    def _client_ids(self) -> dict[str, int | None]:
        return {}

    def filter_has_code(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(ANY_CODE)
        return queryset.filter(billing_code="")

    def filter_unknown_code(self, queryset, name, value):
        if not value:  # an unticked checkbox is False, not empty
            return queryset
        return queryset.filter(ANY_CODE, client__isnull=True)

    def total_parts(self) -> list:
        """The filtered calls as disjoint querysets whose totals add up to the filter's: for a
        billing-code pattern (``%**123``, ``%**%``, ``%**1%``, not negated) its two halves
        (calls.pattern_queries.destination_branches), so the coded half is added up from the
        billing-code index alone (README, "Call log"); else just ``qs``. Only on a valid
        form."""
        parts = self.form.number_pieces
        if parts is None or self.form.cleaned_data.get("number_not"):
            return [self.qs]
        branches = destination_branches(parts, marker=self.billing_marker)
        if branches is None:
            return [self.qs]
        others = self.filter_queryset(self.queryset.all(), skip=frozenset({"number"}))
        return [others.filter(branch) for branch in branches]

    def hour_totals_q(self) -> Q | None:
        """This filter as a condition on ``CallHourTotal`` rows, when it restricts only what
        those rows keep (the days, the direction, the status) and the days begin and end on
        whole hours; else None, and the totals add up the calls themselves. Every other
        filter given a value (a new filter too) sends the totals to the calls. Only on a
        valid form."""
        cleaned = self.form.cleaned_data
        for name, value in cleaned.items():
            if name in HOUR_TOTALS_FILTERS or value in EMPTY_VALUES or value is False:
                continue  # an unticked checkbox (False) filters nothing
            return None
        days = self.day_range()
        if not days.on_whole_hours():
            return None
        query = days.q("hour")
        destination = {"external": CallDirection.OUTBOUND, "internal": CallDirection.INTERNAL}
        if cleaned.get("destination") in destination:
            query &= Q(direction=destination[cleaned["destination"]])
        if cleaned.get("direction"):
            query &= Q(direction=cleaned["direction"])
        if cleaned.get("status"):
            query &= Q(status=cleaned["status"])
        return query

    def describe(self) -> str:
        """The filter in words for printed reports, in the active language, e.g. "Chiamate in
        uscita dal 01/05/2026 al 31/05/2026, numeri %**123". Only on a valid form."""
        cleaned = self.form.cleaned_data
        direction = cleaned.get("direction") or {
            "external": CallDirection.OUTBOUND,
            "internal": CallDirection.INTERNAL,
        }.get(cleaned.get("destination"))
        subject = {
            CallDirection.OUTBOUND: gettext("Outgoing calls"),
            CallDirection.INTERNAL: gettext("Internal calls"),
            CallDirection.INBOUND: gettext("Incoming calls"),
        }.get(direction, gettext("All calls"))
        days = self.day_range()
        first, last = (
            date_format(day, "SHORT_DATE_FORMAT") if day else None
            for day in (days.first, days.last)
        )
        if first and last:
            when = gettext("from %(first)s to %(last)s") % {"first": first, "last": last}
        elif first:
            when = gettext("from %(first)s") % {"first": first}
        else:
            when = gettext("up to %(last)s") % {"last": last}
        parts = [f"{subject} {when}"]
        number = cleaned.get("number") or ""
        if self.form.number_pieces is not None and number:
            mode = cleaned.get("number_mode") or "pattern"
            template = {
                "pattern": gettext("numbers %(number)s"),
                "begins": gettext("numbers beginning with %(number)s"),
                "contains": gettext("numbers containing %(number)s"),
                "ends": gettext("numbers ending with %(number)s"),
                "exact": gettext("number %(number)s"),
            }[mode]
            text = template % {"number": number.strip(" ")}
            if cleaned.get("number_not"):
                text = gettext("except %(numbers)s") % {"numbers": text}
            parts.append(text)
        if cleaned.get("caller"):
            parts.append(gettext("extension %(caller)s") % {"caller": cleaned["caller"]})
        if cleaned.get("trunk"):
            parts.append(gettext("trunk %(trunk)s") % {"trunk": cleaned["trunk"].name})
        if cleaned.get("client"):
            parts.append(gettext("client %(code)s") % {"code": cleaned["client"]})
        if cleaned.get("matter"):
            parts.append(gettext("matter %(code)s") % {"code": cleaned["matter"]})
        if cleaned.get("status"):
            status = CallStatus(cleaned["status"]).label
            parts.append(gettext("status: %(status)s") % {"status": str(status).lower()})
        if cleaned.get("has_code") == "yes":
            parts.append(gettext("with billing code"))
        elif cleaned.get("has_code") == "no":
            parts.append(gettext("without billing code"))
        if cleaned.get("unknown_code"):
            parts.append(gettext("unknown code only"))
        if cleaned.get("min_talk") is not None:
            parts.append(
                gettext("talk time at least %(seconds)s s") % {"seconds": cleaned["min_talk"]}
            )
        return ", ".join(parts)


class UnassignedCallFilter(PeriodFilterSet):
    """The unassigned calls queue: the period only (the queue itself is
    ``calls.selectors.calls_unassigned``)."""

    class Meta(PeriodFilterSet.Meta):
        pass
