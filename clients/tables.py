import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from clients.models import Client


class ClientTable(tables.Table):
    code = tables.Column(linkify=("clients:detail", {"code": tables.A("code")}))
    name = tables.Column(linkify=("clients:detail", {"code": tables.A("code")}))
    dial = tables.TemplateColumn(
        template_name="clients/_dial_link.html", verbose_name=_("Dial"), orderable=False
    )

    class Meta:
        model = Client
        fields = ["code", "name", "vat_number", "tax_code", "is_active"]
        sequence = ["code", "name", "vat_number", "tax_code", "is_active", "dial"]
        attrs = {"class": "table"}
        empty_text = _("No client matches.")
