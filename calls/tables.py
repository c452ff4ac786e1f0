"""The call log table: ``render_<col>`` for the page, ``value_<col>`` for CSV/XLSX."""

from decimal import Decimal

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from calls.filters import firm_time_zone
from calls.models import Call


def format_duration(seconds: int | None) -> str:
    """``H:MM:SS``: 0:01:05 for 65 seconds, 27:46:40 for 100,000."""
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


def _local(value):
    return timezone.localtime(value, firm_time_zone())


class DurationColumn(tables.Column):
    """Seconds shown and exported as H:MM:SS (tables2 exports turn anything but numbers and
    dates into text, so a timedelta would arrive as text anyway)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "num"}, "th": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return format_duration(value)

    def value(self, value):
        return format_duration(value)


class CallTable(tables.Table):
    start = tables.Column(verbose_name=_("Date and time"), order_by=("start", "pk"))
    caller = tables.Column(verbose_name=_("Caller"), order_by=("caller", "start"))
    # Export only: the name the PBX gave the caller (the page shows it in "caller").
    caller_name = tables.Column(verbose_name=_("Caller name"), visible=False)
    destination = tables.Column(verbose_name=_("Destination"), order_by=("destination", "start"))
    client = tables.Column(
        verbose_name=_("Client"),
        order_by=("client__name", "billing_code", "start"),
        empty_values=(),
    )
    # Export only: the code dialled, also when no client has it.
    billing_code = tables.Column(verbose_name=_("Client code"), visible=False)
    trunk = tables.Column(verbose_name=_("Trunk"), order_by=("trunk__name", "start"))
    status = tables.Column(verbose_name=_("Status"), order_by=("status", "start"))
    ring_seconds = DurationColumn(verbose_name=_("Ringing"), order_by=("ring_seconds", "start"))
    talk_seconds = DurationColumn(verbose_name=_("Talk time"), order_by=("talk_seconds", "start"))
    cost = tables.Column(
        verbose_name=_("Cost"),
        order_by=("cost", "start"),
        attrs={"td": {"class": "num"}, "th": {"class": "num"}},
    )

    class Meta:
        model = Call
        fields = []
        attrs = {"class": "table calls"}
        empty_text = _("No call matches this filter.")
        order_by = "-start"

    def render_start(self, value):
        return date_format(_local(value), "SHORT_DATETIME_FORMAT")

    def value_start(self, value):
        # Local wall-clock time without a zone: spreadsheets have no time zones.
        return _local(value).replace(tzinfo=None)

    def render_caller(self, value, record):
        if record.caller_name:
            return format_html("{} <span class='hint'>{}</span>", value, record.caller_name)
        return value

    def value_caller(self, value):
        return value

    def render_client(self, value, record):
        if value is not None:
            return format_html("{} <span class='code'>{}</span>", value.name, value.code)
        if record.billing_code:
            return format_html(
                "<span class='hint'>{}</span>",
                _("unknown code %(code)s") % {"code": record.billing_code},
            )
        return "—"

    def value_client(self, value):
        return value.name if value else ""

    def render_trunk(self, value):
        return value.name

    def value_trunk(self, value):
        return value.name if value else ""

    def render_cost(self, value):
        # At least 2 decimals, up to the 4 stored: 0,12 and 0,0125.
        places = max(2, -value.normalize().as_tuple().exponent) if value else 2
        return number_format(value, decimal_pos=min(places, 4))

    def value_cost(self, value):
        return Decimal(value) if value is not None else ""


class UnassignedCallTable(tables.Table):
    """The unassigned calls queue: a checkbox per call, and the client its number was most
    often billed to, with a button to assign it. ``suggestions`` (number → Suggestion) is set
    by the view for the page's rows, in one query (calls.selectors.client_suggestions)."""

    calls = tables.CheckBoxColumn(
        accessor="pk",
        attrs={"th__input": {"id": "select-all", "aria-label": _("Select every call")}},
    )
    start = tables.Column(verbose_name=_("Date and time"), order_by=("start", "pk"))
    caller = tables.Column(verbose_name=_("Caller"), order_by=("caller", "start"))
    dialled_number = tables.Column(
        verbose_name=_("Number"), order_by=("dialled_number", "start"), empty_values=()
    )
    billing_code = tables.Column(
        verbose_name=_("Code dialled"), order_by=("billing_code", "start"), empty_values=()
    )
    talk_seconds = DurationColumn(verbose_name=_("Talk time"), order_by=("talk_seconds", "start"))
    suggestion = tables.Column(
        verbose_name=_("Suggested client"), accessor="pk", orderable=False, empty_values=()
    )

    class Meta:
        model = Call
        fields = []
        attrs = {"class": "table calls queue"}
        empty_text = _("No unassigned calls in this period.")
        order_by = "-start"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.suggestions = {}

    def render_start(self, value, record):
        return format_html(
            "<a href='{}'>{}</a>",
            reverse("calls:detail", args=[record.pk]),
            date_format(_local(value), "SHORT_DATETIME_FORMAT"),
        )

    def render_caller(self, value, record):
        if record.caller_name:
            return format_html("{} <span class='hint'>{}</span>", value, record.caller_name)
        return value

    def render_dialled_number(self, value, record):
        return value or record.destination or "—"

    def render_billing_code(self, value):
        if value:
            return format_html(
                "<span class='hint'>{}</span>", _("unknown code %(code)s") % {"code": value}
            )
        return "—"

    def render_suggestion(self, record):
        suggestion = self.suggestions.get(record.dialled_number)
        if suggestion is None:
            return "—"
        return format_html(
            "{} <span class='code'>{}</span> <span class='hint'>{}</span> "
            "<button type='submit' name='one' value='{}' class='small'>{}</button>",
            suggestion.client.name,
            suggestion.client.code,
            ngettext(
                "%(calls)s of %(total)s call",
                "%(calls)s of %(total)s calls",
                suggestion.total,
            )
            % {"calls": suggestion.calls, "total": suggestion.total},
            record.pk,
            _("Assign"),
        )
