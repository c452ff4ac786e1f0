import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from firm.lib.tables import CardRows


class ClientTable(CardRows, tables.Table):
    code = tables.Column(linkify=("clients:detail", {"code": tables.A("code")}))
    name = tables.Column()
    dial = tables.TemplateColumn(
        template_name="clients/_dial_link.html", verbose_name=_("Dial"), orderable=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.matters_found: dict[int, list] = {}  # client id → the matters the search found
        self.contacts_found: dict[int, list] = {}  # client id → the contacts it was found by

    def render_name(self, value, record, bound_column=None):
        link = format_html(
            "<a href='{}'>{}</a>", reverse("clients:detail", kwargs={"code": record.code}), value
        )
        contacts = self.contacts_found.get(record.pk)
        if contacts:
            link = format_html(
                "{} <span class='found-via'>{}</span>",
                link,
                _("via %(contacts)s")
                % {"contacts": ", ".join(_contact_text(contact) for contact in contacts)},
            )
        matters = self.matters_found.get(record.pk)
        if not matters:
            return link
        items = format_html_join(
            "",
            "<li class='matter'>{} <span class='code'>{}</span>{}</li>",
            (
                (
                    matter.name,
                    matter.code,
                    ""
                    if matter.is_active
                    else format_html(" <span class='hint'>{}</span>", _("closed")),
                )
                for matter in matters
            ),
        )
        return format_html("{}<ul class='found-matters'>{}</ul>", link, items)

    class Meta:
        model = Client
        fields = ["code", "name", "vat_number", "tax_code", "is_active"]
        sequence = ["code", "name", "vat_number", "tax_code", "is_active", "dial"]
        attrs = {"class": "table cards"}
        empty_text = _("No client matches.")


def _contact_text(contact) -> str:
    """A contact as a search result names it: "Mario Affaroni (345 439 8547)"."""
    return f"{contact.name} ({contact.phone})" if contact.phone else contact.name
