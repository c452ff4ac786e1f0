"""When the client pays an avviso di parcella: the invoice's number and date recorded on the
issued statement, and its FatturaPA XML (clients/billing/fatturapa.py) built from the frozen
items, the firm's settings and the client's fiscal identity.

The number and date are typed in by the partner (the firm's invoicing software may own the
sequence); the XML is then written by ``invoice_xml`` (the issued list's download, and
``manage.py invoice_xml``). Nothing is sent to SDI from here: the firm uploads the file to its
channel (the Agenzia delle Entrate's *Fatture e Corrispettivi* portal, or its provider).
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clients.billing.fatturapa import Invoice, Party, file_name, invoice_xml, progressive_of
from clients.billing.issuing import issued_breakdown
from clients.models import Client, IssuedStatement
from firm.models import FirmSettings


@dataclass(frozen=True)
class InvoiceFile:
    name: str
    content: bytes


def _party(owner) -> Party:
    return Party(
        name=owner.firm_name if isinstance(owner, FirmSettings) else owner.name,
        vat_number=owner.vat_number,
        tax_code=owner.tax_code,
        street=owner.street,
        postal_code=owner.postal_code,
        city=owner.city,
        province=owner.province,
        country=(owner.country or "IT").upper(),
    )


def invoice_problems(statement: IssuedStatement, firm: FirmSettings) -> list[str]:
    """What is missing before the statement's invoice can be written (empty: nothing)."""
    problems = []
    if not statement.fees:
        problems.append(
            _("%(number)s was issued as a rendiconto (no profession set): it has no fee items.")
            % {"number": statement.number}
        )
    if not firm.vat_number:
        problems.append(_("The firm's VAT number is missing (firm settings)."))
    if not (firm.street and firm.postal_code and firm.city):
        problems.append(_("The firm's address is incomplete (firm settings)."))
    client: Client = statement.client
    if not (client.vat_number or client.tax_code):
        problems.append(
            _("%(client)s has neither a VAT number nor a tax code.") % {"client": client}
        )
    if not client.has_address:
        problems.append(_("%(client)s's address is incomplete.") % {"client": client})
    return problems


@transaction.atomic
def invoice_record(*, statement: IssuedStatement, number: str, invoice_date: date):
    """Record that ``statement`` was paid and invoiced as ``number`` on ``invoice_date``."""
    number = number.strip()
    if not number or len(number) > 20:
        raise ValidationError(_("An invoice number is 1 to 20 characters."), code="number")
    taken = IssuedStatement.objects.filter(
        invoice_number=number, invoice_date__year=invoice_date.year
    ).exclude(pk=statement.pk)
    if taken.exists():
        raise ValidationError(
            _("Invoice %(number)s of %(year)s is already %(statement)s's.")
            % {"number": number, "year": invoice_date.year, "statement": taken.first().number},
            code="number_taken",
        )
    statement.invoice_number = number
    statement.invoice_date = invoice_date
    statement.save(update_fields=["invoice_number", "invoice_date"])
    return statement


def invoice_file(statement: IssuedStatement, firm: FirmSettings | None = None) -> InvoiceFile:
    """The FatturaPA XML of a paid statement (its invoice number and date recorded)."""
    firm = firm or FirmSettings.load()
    problems = invoice_problems(statement, firm)
    if not statement.invoice_number or statement.invoice_date is None:
        problems.append(
            _("Record the invoice number and date of %(number)s first.")
            % {"number": statement.number}
        )
    if problems:
        raise ValidationError(problems, code="not_ready")
    progressive = progressive_of(statement.invoice_number)
    client = statement.client
    invoice = Invoice(
        supplier=_party(firm),
        customer=_party(client),
        number=statement.invoice_number,
        date=statement.invoice_date,
        progressive=progressive,
        breakdown=issued_breakdown(statement),
        regime=firm.fiscal_regime,
        withholding_type=firm.withholding_type,
        sdi_code=client.sdi_code,
        pec=client.pec,
        causale=f"Avviso di parcella n. {statement.notice_number} ({statement.number})",
    )
    return InvoiceFile(
        name=file_name(firm.vat_number, progressive, (firm.country or "IT").upper()),
        content=invoice_xml(invoice),
    )
