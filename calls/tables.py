"""The call log and the unassigned calls queue as tables (django-tables2). The CSV/XLSX
exports have their own columns (``calls.exports.EXPORT_COLUMNS``)."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableQuerysetData

from calls.models import Call
from calls.periods import month_of
from firm.lib.dates import firm_time_zone
from firm.lib.formats import format_cost, format_duration
from firm.lib.tables import WRITTEN_ROWS_TEMPLATE, CardRows, WrittenRows


def _local(value):
    return timezone.localtime(value, firm_time_zone())


# --- A call's cells as text: the table wraps them in markup, the printed log prints them ---


def start_text(start) -> str:
    """When a call started, in the firm's time zone: '04/05/2026 09:00'."""
    return date_format(_local(start), "SHORT_DATETIME_FORMAT")


def unknown_code_text(code: str) -> str:
    """The client cell of a call whose dialled code no client has."""
    return gettext("unknown code %(code)s") % {"code": code}


def matter_cell_text(matter) -> str:
    """The Pratica cell: "12301 · Causa Rossi c. Bianchi", or "" for a call without one."""
    return f"{matter.code} · {matter.name}" if matter is not None else ""


def _client_print_text(call) -> str:
    if call.client is not None:
        return f"{call.client.name} {call.client.code}"
    if call.billing_code:
        return unknown_code_text(call.billing_code)
    return "—"


def _client_print_cell(call) -> SafeString:
    """The client, marked *a mano* when a user chose it (as on the page)."""
    text = conditional_escape(_client_print_text(call))
    if call.client is not None and call.client_set_by_hand:
        return format_html("{} <span class='by-hand'>{}</span>", text, gettext("by hand"))
    return text


@dataclass(frozen=True)
class PrintColumn:
    """One column of the printed call log: the ``CallTable`` column whose header it prints,
    its width (% of the page; the widths add up to 100), whether it is right-aligned, and
    how a call's cell is written (text, escaped when printed, or safe markup). Each column
    carries its own width, so adding one never shifts another's."""

    name: str
    width: int
    cell: Callable[[Call], str]
    num: bool = False


def _cost_cell(call) -> str:
    return format_cost(call.cost) if call.cost is not None else ""


PRINT_COLUMNS = (
    PrintColumn("start", 13, lambda call: start_text(call.start)),
    PrintColumn("caller", 9, lambda call: f"{call.caller} {call.caller_name}".strip()),
    # Wide enough for a mobile number with a matter code on one line (3454565678**12301).
    PrintColumn("destination", 17, lambda call: call.destination),
    PrintColumn("client", 12, _client_print_cell),
    PrintColumn("matter", 11, lambda call: matter_cell_text(call.matter)),
    PrintColumn("trunk", 7, lambda call: call.trunk.name if call.trunk else ""),
    PrintColumn("status", 8, lambda call: call.get_status_display()),
    # "Squillo" and "Conversazione" fit on one line at these widths (headers never hyphenate).
    PrintColumn("ring_seconds", 7, lambda call: format_duration(call.ring_seconds), num=True),
    PrintColumn("talk_seconds", 11, lambda call: format_duration(call.talk_seconds), num=True),
    PrintColumn("cost", 5, _cost_cell, num=True),
)


def call_print_rows(queryset, columns=PRINT_COLUMNS) -> list[SafeString]:
    """Each call as one printed row of the call log: its ``<td>`` cells in ``columns``
    order, written as the table writes them and escaped here (the template prints them as
    they are)."""
    plan = [(column.cell, "<td class='num'>" if column.num else "<td>") for column in columns]
    rows = []
    for call in queryset.iterator(chunk_size=2000):
        rows.append(
            mark_safe(
                "".join(f"{opening}{conditional_escape(cell(call))}</td>" for cell, opening in plan)
            )
        )
    return rows


class PageIdsFirst(TableQuerysetData):
    """Table data whose pages are read in two steps: the page's ids, filtered and sorted
    without the joins (a narrow scan, or an index), then those calls with their client,
    matter and trunk. In one step the database joins every filtered call before keeping the
    page when the sort has no index (README, "Call log", for the gain).
    The second step reads the calls by id alone, with the same joins (``select_related``),
    not the filter again: repeating the filter made the database walk the filtered set a
    second time (every call of client 123 over two years, to keep 50).
    The queryset (``.data``) is unchanged, for exports."""

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return super().__getitem__(key)
        ids = list(self.data.values_list("pk", flat=True)[key])
        page = self.data.model._default_manager.filter(pk__in=ids).order_by()
        page.query.select_related = self.data.query.select_related
        by_id = {call.pk: call for call in page}
        return [by_id[pk] for pk in ids]


class DurationColumn(tables.Column):
    """Seconds shown as H:MM:SS."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "num"}, "th": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return format_duration(value)


class CallTable(CardRows, WrittenRows, tables.Table):
    start = tables.Column(verbose_name=_("Date and time"), order_by=("start", "pk"))
    caller = tables.Column(verbose_name=_("Caller"), order_by=("caller", "start", "pk"))
    destination = tables.Column(
        verbose_name=_("Destination"), order_by=("destination", "start", "pk")
    )
    client = tables.Column(
        verbose_name=_("Client"),
        order_by=("client__name", "billing_code", "start", "pk"),
        empty_values=(),
    )
    matter = tables.Column(
        verbose_name=_("Matter"), order_by=("matter__code", "start", "pk"), default=""
    )
    trunk = tables.Column(verbose_name=_("Trunk"), order_by=("trunk__name", "start", "pk"))
    status = tables.Column(verbose_name=_("Status"), order_by=("status", "start", "pk"))
    ring_seconds = DurationColumn(
        verbose_name=_("Ringing"), order_by=("ring_seconds", "start", "pk")
    )
    talk_seconds = DurationColumn(
        verbose_name=_("Talk time"), order_by=("talk_seconds", "start", "pk")
    )
    cost = tables.Column(
        verbose_name=_("Cost"),
        order_by=("cost", "start", "pk"),
        attrs={"td": {"class": "num"}, "th": {"class": "num"}},
    )

    class Meta:
        model = Call
        fields = []
        attrs = {"class": "table calls cards"}
        empty_text = _("No call matches this filter.")
        order_by = "-start"
        # tables2's table, but the rows come from page_body() (WrittenRows).
        template_name = WRITTEN_ROWS_TEMPLATE

    @cached_property
    def _detail_url(self) -> str:
        """The call page's address with ``{}`` for the id, and this page as its way back
        (``?next=``): built once, not once a row."""
        return call_detail_url_template(getattr(self, "request", None))

    @cached_property
    def _by_hand(self) -> SafeString:
        return format_html(
            "<span class='by-hand' title='{}'>{}</span>",
            gettext("Client chosen by hand"),
            gettext("by hand"),
        )

    def render_start(self, value, record):
        return format_html(
            "<a href='{}'>{}</a>", self._detail_url.format(record.pk), start_text(value)
        )

    def render_caller(self, value, record):
        if record.caller_name:
            return format_html("{} <span class='hint'>{}</span>", value, record.caller_name)
        return value

    def render_client(self, value, record):
        if value is not None:
            if record.client_set_by_hand:
                return format_html(
                    "{} <span class='code'>{}</span> {}", value.name, value.code, self._by_hand
                )
            return format_html("{} <span class='code'>{}</span>", value.name, value.code)
        if record.billing_code:
            return format_html(
                "<span class='hint'>{}</span>", unknown_code_text(record.billing_code)
            )
        return "—"

    def render_matter(self, value):
        return matter_cell_text(value)

    def render_trunk(self, value):
        return value.name

    def render_cost(self, value):
        return format_cost(value)


class UnassignedCallTable(CardRows, tables.Table):
    """The unassigned calls queue: a checkbox per call, and the client its number was most
    often billed to, with a button to assign it. The view sets, for the page's rows:
    ``suggestions`` (number → Suggestion, in one query: calls.selectors.client_suggestions),
    ``closed_months`` (first days of the closed months: their calls get no box and no button,
    only the reason) and ``checked`` (ids ticked before a failed assignment, ticked again)."""

    calls = tables.CheckBoxColumn(
        accessor="pk",
        attrs={"th__input": {"id": "select-all", "aria-label": _("Select every call")}},
    )
    # After the checkbox, so the first-child rule of app.css does not reach it.
    start = tables.Column(
        verbose_name=_("Date and time"), order_by=("start", "pk"), attrs={"td": {"class": "when"}}
    )
    caller = tables.Column(verbose_name=_("Caller"), order_by=("caller", "start", "pk"))
    dialled_number = tables.Column(
        verbose_name=_("Number"), order_by=("dialled_number", "start", "pk"), empty_values=()
    )
    billing_code = tables.Column(
        verbose_name=_("Code dialled"), order_by=("billing_code", "start", "pk"), empty_values=()
    )
    talk_seconds = DurationColumn(
        verbose_name=_("Talk time"), order_by=("talk_seconds", "start", "pk")
    )
    suggestion = tables.Column(
        verbose_name=_("Suggested client"), accessor="pk", orderable=False, empty_values=()
    )

    class Meta:
        model = Call
        fields = []
        attrs = {"class": "table calls queue cards"}
        empty_text = _("No unassigned calls in this period.")
        order_by = "-start"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.suggestions = {}
        self.closed_months = frozenset()
        self.checked = frozenset()

    def in_closed_month(self, record) -> bool:
        return bool(self.closed_months) and (
            month_of(record.start, firm_time_zone()) in self.closed_months
        )

    def render_calls(self, value, record):
        if self.in_closed_month(record):
            return format_html(
                "<input type='checkbox' name='calls' value='{}' disabled title='{}'>",
                value,
                closed_month_text(),
            )
        return format_html(
            "<input type='checkbox' name='calls' value='{}'{}>",
            value,
            mark_safe(" checked") if value in self.checked else "",
        )

    @cached_property
    def _detail_url(self) -> str:
        return call_detail_url_template(getattr(self, "request", None))

    def render_start(self, value, record):
        return format_html(
            "<a href='{}'>{}</a>", self._detail_url.format(record.pk), start_text(value)
        )

    def render_caller(self, value, record):
        if record.caller_name:
            return format_html("{} <span class='hint'>{}</span>", value, record.caller_name)
        return value

    def render_dialled_number(self, value, record):
        return value or record.destination or "—"

    def render_billing_code(self, value, record):
        if record.matter_id is not None:
            # Billed to a matter closed when the call was made (calls_unassigned): to check.
            return format_html(
                "{} <span class='hint'>{}</span> <span class='closed-matter'>{}</span>",
                value,
                record.matter.name,
                closed_matter_text(),
            )
        if value:
            return format_html("<span class='hint'>{}</span>", unknown_code_text(value))
        return "—"

    def render_suggestion(self, record):
        suggestion = self.suggestions.get(record.dialled_number)
        closed = self.in_closed_month(record)
        if suggestion is None:
            if closed:
                return format_html("— <span class='closed-month'>{}</span>", closed_month_text())
            return "—"
        if closed:
            # No button: calls_assign would refuse it. The reason instead.
            action = format_html(
                "<span class='closed-month' title='{}'>{}</span>",
                gettext("Reopen the period to assign its calls."),
                closed_month_text(),
            )
        else:
            action = format_html(
                "<button type='submit' name='one' value='{}' class='small'>{}</button>",
                record.pk,
                gettext("Assign"),
            )
        name = suggestion.client.name
        if suggestion.matter is not None:
            name = f"{name} · {suggestion.matter.name}"
        return format_html(
            "{} <span class='code'>{}</span> <span class='hint'>{}</span> {}",
            name,
            suggestion.code,
            ngettext(
                "%(calls)s of %(total)s call",
                "%(calls)s of %(total)s calls",
                suggestion.total,
            )
            % {"calls": suggestion.calls, "total": suggestion.total},
            action,
        )


def closed_matter_text() -> str:
    """Why a call billed to a matter waits in the queue."""
    return gettext("closed matter")


def closed_month_text() -> str:
    """Why a queue row cannot be assigned."""
    return gettext("closed month")


def call_detail_url_template(request) -> str:
    """The call page's address with ``{}`` for the call's id and, given the ``request`` of the
    page that links to it, that page as ``?next=`` (the call page's way back)."""
    url = reverse("calls:detail", args=[0]).removesuffix("0/") + "{}/"
    if request is None:
        return url
    # urlencode quotes the braces of a query too, so the address stays a format string.
    return f"{url}?{urlencode({'next': request.get_full_path()})}"
