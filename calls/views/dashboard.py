"""The home page: the tools of the user's role and, for those who read the call log, the partner
dashboard with its two charts (calls.dashboard computes the figures)."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from calls.dashboard import Dashboard, MonthFigures, dashboard_get
from calls.selectors import closed_months
from firm.lib.dates import month_days, today_local
from firm.lib.formats import format_duration, format_euro, month_name
from firm.lib.svg import Bar, bar_chart, column_chart


@require_safe
def home(request):
    """Start page: the tools the user's role opens and, for those who read the call log
    (partners, administrators), the partner dashboard (calls.dashboard)."""
    context = {}
    if request.user.has_perm("calls.view_call"):
        dashboard = dashboard_get(today=today_local())
        context = {"dashboard": dashboard, **_dashboard_charts(dashboard)}
    if request.user.has_perm("calls.close_period"):
        # The closed periods' tile: how many months are closed, and the last one.
        months = closed_months()
        context["closed_periods"] = {
            "count": len(months),
            "last": month_name(months[-1]) if months else "",
        }
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
        "issued_months": [
            _issued_note(figures)
            for figures in (dashboard.last_month, dashboard.this_month)
            if figures.issued
        ],
        "this_month_name": month_name(dashboard.this_month.month),
        "last_month_name": month_name(dashboard.last_month.month),
        "top_client_rows": [
            {
                "name": figures.client.name,
                "code": figures.client.code,
                "calls": number_format(figures.calls, force_grouping=True),
                "billable": format_duration(figures.billable_seconds),
                "amount": _euro(figures.amount),
                "issued": figures.issued,
                "changed": figures.changed,
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


def _period_query(month) -> str:
    first_day, last_day = month_days(month)
    return urlencode({"date_after": first_day.isoformat(), "date_before": last_day.isoformat()})


def _issued_note(figures: MonthFigures) -> dict:
    """An issued month under the table: how many clients count as issued, the ones whose
    calls or rates changed since (each to its statement page, which offers the correction)
    and the month's client summary."""
    query = _period_query(figures.month)
    return {
        "month": capfirst(month_name(figures.month)),  # it opens the sentence
        "issued": figures.issued,
        "summary_url": f"{reverse('clients:statements')}?{query}",
        "changed": [
            {
                "number": change.number,
                "client": change.client.name,
                "url": f"{reverse('clients:statement', args=[change.client.code])}?{query}",
            }
            for change in figures.changed
        ],
    }


def _euro(amount) -> str:
    return "–" if amount is None else format_euro(amount)
