"""The month's client summary as a table."""

from decimal import Decimal

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from clients.billing.printing import issued_mark, matter_text
from firm.lib.formats import format_duration, format_euro
from firm.lib.tables import WRITTEN_ROWS_TEMPLATE, CardRows, WrittenRows


def summary_table_data(rows) -> list[dict]:
    """The client summary as plain rows for ``ClientSummaryTable`` (sorted in Python: an
    unknown amount sorts below every amount)."""
    return [
        {
            "code": row.client.code,
            "name": row.client.name,
            "calls": row.calls,
            "answered": row.answered,
            "talk_seconds": row.talk_seconds,
            "billable_seconds": row.billable_seconds,
            "amount": row.amount,
            "amount_key": row.amount if row.amount is not None else Decimal(-1),
            "matters": row.matters,
            "issued": row.issued,
            "issued_key": row.issued.sequence if row.issued is not None else 0,
            "changed": row.changed,
        }
        for row in rows
    ]


class _Duration(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "num"}, "th": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return format_duration(value)


class ClientSummaryTable(CardRows, WrittenRows, tables.Table):
    """One row per client with calls in the period; code and name open its statement."""

    code = tables.Column(verbose_name=_("Code"))
    name = tables.Column(verbose_name=_("Client"))
    calls = tables.Column(
        verbose_name=_("Calls"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    answered = tables.Column(
        verbose_name=_("Answered"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    talk_seconds = _Duration(verbose_name=_("Talk time"))
    billable_seconds = _Duration(verbose_name=_("Billable time"))
    amount = tables.Column(
        verbose_name=_("Amount"),
        order_by="amount_key",
        attrs={"td": {"class": "num"}, "th": {"class": "num"}},
    )

    issued = tables.Column(verbose_name=_("Issued"), order_by="issued_key", empty_values=())

    class Meta:
        attrs = {"class": "table summary cards"}
        empty_text = _("No client had calls in the period.")
        order_by = "name"
        # tables2's table, but the rows come from page_body() (WrittenRows).
        template_name = WRITTEN_ROWS_TEMPLATE

    def __init__(self, *args, query: str = "", **kwargs):
        self.query = query
        super().__init__(*args, **kwargs)

    def _statement_link(self, record, text):
        url = reverse("clients:statement", kwargs={"code": record["code"]})
        return format_html('<a href="{}?{}">{}</a>', url, self.query, text)

    def render_code(self, value, record):
        return self._statement_link(record, value)

    def render_name(self, value, record):
        link = self._statement_link(record, value)
        if not record["matters"]:
            return link
        # The client's matters, opened in place (no script): <details> is native.
        items = format_html_join(
            "",
            "<tr><td>{}</td><td class='num'>{}</td><td class='num'>{}</td>"
            "<td class='num'>{}</td></tr>",
            (
                (
                    matter_text(matter.matter),
                    matter.calls,
                    format_duration(matter.billable_seconds),
                    format_euro(matter.amount) if matter.amount is not None else "—",
                )
                for matter in record["matters"]
            ),
        )
        count = sum(1 for matter in record["matters"] if matter.matter is not None)
        return format_html(
            "{}<details class='matters'><summary>{}</summary><table class='matters'>"
            "<thead><tr><th>{}</th><th class='num'>{}</th><th class='num'>{}</th>"
            "<th class='num'>{}</th></tr></thead><tbody>{}</tbody></table></details>",
            link,
            ngettext("%(count)s matter", "%(count)s matters", count) % {"count": count},
            gettext("Matter"),
            gettext("Calls"),
            gettext("Billable time"),
            gettext("Amount"),
            items,
        )

    def render_amount(self, value):
        return format_euro(value) if value is not None else "—"

    def render_issued(self, value, record):
        """The issued statement the row's figures are, and whether today's differ (then a
        link to the statement page, which offers the correction)."""
        if value is None:
            return ""  # empty: a phone's card leaves the line out
        mark = format_html('<span class="issued-mark">{}</span>', issued_mark(value))
        if not record["changed"]:
            return mark
        url = reverse("clients:statement", kwargs={"code": record["code"]})
        return format_html(
            '{}<br><a class="warning" href="{}?{}#issued-banner">{}</a>',
            mark,
            url,
            self.query,
            gettext("changed after issue"),
        )
