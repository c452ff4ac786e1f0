"""The FatturaPA 1.2 XML of an avviso di parcella once paid: pure (dataclasses in, bytes out).

An invoice to a private client (``FPR12``, ``TD01``) as SDI takes it, schema 1.2.2
(tests/fixtures/fatturapa/): the firm as CedentePrestatore, the client as
CessionarioCommittente, one ``DettaglioLinee`` per fee line (a matter, or the client's calls)
and one for the spese generali, ``DatiCassaPrevidenziale`` for the cassa (``TC01`` Cassa
Forense, ``TC02`` CNPADC), ``DatiRitenuta`` when the client is a sostituto d'imposta,
``DatiRiepilogo`` per VAT rate, ``ImportoTotaleDocumento``. Under the forfettario the lines
have ``Natura`` N2.2 with the law's reference, and the stamp duty is ``DatiBollo`` plus a
line excluded from VAT (N1, art. 15 DPR 633/1972) that charges it to the client.

Public-administration clients (``FPA12``, split payment, CIG/CUP) are out of scope.

Built with the standard library's ElementTree rather than ``a38``: the invoice needs a fixed,
small part of the schema, every element is written here in the schema's order where a reader
can check it against the specification, no dependency is added to the running app, and the
tests validate the output against the official XSD anyway.
"""

import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from clients.billing.fees import FeeBreakdown

NAMESPACE = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"
FORMAT = "FPR12"
NO_SDI_CODE = "0000000"
FOREIGN_SDI_CODE = "XXXXXXX"
NATURA_FORFETTARIO = "N2.2"
FORFETTARIO_REFERENCE = "Art. 1, c. 54-89, L. 190/2014 - regime forfettario"
NATURA_BOLLO = "N1"
BOLLO_REFERENCE = "Escluso art. 15 DPR 633/1972"
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Party:
    """The firm or the client: fiscal identity and address (``country`` two letters)."""

    name: str
    vat_number: str = ""  # digits, without the country prefix
    tax_code: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    province: str = ""
    country: str = "IT"


@dataclass(frozen=True)
class Invoice:
    supplier: Party
    customer: Party
    number: str
    date: date
    progressive: str  # ProgressivoInvio and the file name's tail: up to 5 letters or digits
    breakdown: FeeBreakdown
    regime: str = "RF01"
    withholding_type: str = "RT01"
    sdi_code: str = ""  # the customer's codice destinatario; "" → 0000000
    pec: str = ""
    causale: str = ""


def latin(text: str, limit: int) -> str:
    """``text`` within the schema's Latin-1 strings: accents kept, € as EUR, other characters
    decomposed or dropped, cut at ``limit``."""
    text = text.replace("€", "EUR").replace("–", "-").replace("—", "-")
    text = text.replace("’", "'").replace("“", '"').replace("”", '"')
    out = []
    for char in text:
        if ord(char) < 256:
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
        out.append(base)
    return " ".join("".join(out).split())[:limit] or "-"


def amount(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"


def vat_digits(value: str) -> str:
    cleaned = re.sub(r"[\s.\-]", "", value or "").upper()
    return cleaned[2:] if cleaned[:2].isalpha() else cleaned


def file_name(supplier_vat: str, progressive: str, country: str = "IT") -> str:
    """``IT01234567897_00015.xml``: the name SDI requires."""
    return f"{country}{vat_digits(supplier_vat)}_{progressive}.xml"


def progressive_of(number: str) -> str:
    """The file's progressive from an invoice number: its letters and digits, the last 5,
    digits padded to 5 ("15" → "00015", "2026/15" → "02615")."""
    cleaned = re.sub(r"[^A-Za-z0-9]", "", number).upper()[-5:] or "00001"
    return cleaned.zfill(5) if cleaned.isdigit() else cleaned


def _add(parent, tag: str, text: str | None = None):
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def _address(parent, tag: str, party: Party) -> None:
    sede = _add(parent, tag)
    _add(sede, "Indirizzo", latin(party.street, 60))
    _add(sede, "CAP", party.postal_code if party.country == "IT" else "00000")
    _add(sede, "Comune", latin(party.city, 60))
    if party.province and party.country == "IT":
        _add(sede, "Provincia", party.province)
    _add(sede, "Nazione", party.country)


def _identity(parent, party: Party, *, regime: str | None = None) -> None:
    anagrafici = _add(parent, "DatiAnagrafici")
    if party.vat_number:
        id_iva = _add(anagrafici, "IdFiscaleIVA")
        _add(id_iva, "IdPaese", party.country)
        _add(id_iva, "IdCodice", vat_digits(party.vat_number))
    if party.tax_code and party.country == "IT":
        _add(anagrafici, "CodiceFiscale", party.tax_code.upper())
    anagrafica = _add(anagrafici, "Anagrafica")
    _add(anagrafica, "Denominazione", latin(party.name, 80))
    if regime is not None:
        _add(anagrafici, "RegimeFiscale", regime)


def invoice_xml(invoice: Invoice) -> bytes:
    """The invoice as FatturaPA 1.2 XML (UTF-8, with its declaration)."""
    breakdown = invoice.breakdown
    rules = breakdown.rules
    forfettario = rules.forfettario
    withholding = breakdown.withholding > 0
    vat_rate = ZERO if forfettario else Decimal(rules.vat_rate)

    ET.register_namespace("p", NAMESPACE)
    root = ET.Element(f"{{{NAMESPACE}}}FatturaElettronica", {"versione": FORMAT})
    header = _add(root, "FatturaElettronicaHeader")

    transmission = _add(header, "DatiTrasmissione")
    sender = _add(transmission, "IdTrasmittente")
    _add(sender, "IdPaese", invoice.supplier.country)
    _add(sender, "IdCodice", vat_digits(invoice.supplier.vat_number))
    _add(transmission, "ProgressivoInvio", invoice.progressive)
    _add(transmission, "FormatoTrasmissione", FORMAT)
    code = invoice.sdi_code or (
        NO_SDI_CODE if invoice.customer.country == "IT" else FOREIGN_SDI_CODE
    )
    _add(transmission, "CodiceDestinatario", code)
    if invoice.pec and code == NO_SDI_CODE:
        _add(transmission, "PECDestinatario", invoice.pec)

    supplier = _add(header, "CedentePrestatore")
    _identity(supplier, invoice.supplier, regime=invoice.regime)
    _address(supplier, "Sede", invoice.supplier)

    customer = _add(header, "CessionarioCommittente")
    _identity(customer, invoice.customer)
    _address(customer, "Sede", invoice.customer)

    body = _add(root, "FatturaElettronicaBody")
    general = _add(_add(body, "DatiGenerali"), "DatiGeneraliDocumento")
    _add(general, "TipoDocumento", "TD01")
    _add(general, "Divisa", "EUR")
    _add(general, "Data", invoice.date.isoformat())
    _add(general, "Numero", latin(invoice.number, 20))
    if withholding:
        ritenuta = _add(general, "DatiRitenuta")
        _add(ritenuta, "TipoRitenuta", invoice.withholding_type)
        _add(ritenuta, "ImportoRitenuta", amount(breakdown.withholding))
        _add(ritenuta, "AliquotaRitenuta", amount(rules.withholding_rate))
        _add(ritenuta, "CausalePagamento", "A")
    if breakdown.stamp_duty:
        bollo = _add(general, "DatiBollo")
        _add(bollo, "BolloVirtuale", "SI")
        _add(bollo, "ImportoBollo", amount(breakdown.stamp_duty))
    if rules.cassa_type:
        cassa = _add(general, "DatiCassaPrevidenziale")
        _add(cassa, "TipoCassa", rules.cassa_type)
        _add(cassa, "AlCassa", amount(rules.cassa_rate))
        _add(cassa, "ImportoContributoCassa", amount(breakdown.cassa))
        _add(cassa, "ImponibileCassa", amount(breakdown.fees + breakdown.general_expenses))
        _add(cassa, "AliquotaIVA", amount(vat_rate))
        if forfettario:
            _add(cassa, "Natura", NATURA_FORFETTARIO)
    _add(general, "ImportoTotaleDocumento", amount(breakdown.total))
    if invoice.causale:
        _add(general, "Causale", latin(invoice.causale, 200))

    goods = _add(body, "DatiBeniServizi")
    lines = [(line.description, line.amount) for line in breakdown.lines]
    if breakdown.general_expenses:
        lines.append(
            (
                f"Rimborso forfettario spese generali {rules.general_expenses_rate:.2f}% "
                "(DM 55/2014, art. 2)",
                breakdown.general_expenses,
            )
        )
    number = 0
    for description, value in lines:
        number += 1
        line = _add(goods, "DettaglioLinee")
        _add(line, "NumeroLinea", str(number))
        _add(line, "Descrizione", latin(description, 1000))
        _add(line, "PrezzoUnitario", amount(value))
        _add(line, "PrezzoTotale", amount(value))
        _add(line, "AliquotaIVA", amount(vat_rate))
        if withholding:
            _add(line, "Ritenuta", "SI")
        if forfettario:
            _add(line, "Natura", NATURA_FORFETTARIO)
    if breakdown.stamp_duty:
        number += 1
        line = _add(goods, "DettaglioLinee")
        _add(line, "NumeroLinea", str(number))
        _add(line, "Descrizione", "Rimborso imposta di bollo")
        _add(line, "PrezzoUnitario", amount(breakdown.stamp_duty))
        _add(line, "PrezzoTotale", amount(breakdown.stamp_duty))
        _add(line, "AliquotaIVA", amount(ZERO))
        _add(line, "Natura", NATURA_BOLLO)

    summary = _add(goods, "DatiRiepilogo")
    _add(summary, "AliquotaIVA", amount(vat_rate))
    if forfettario:
        _add(summary, "Natura", NATURA_FORFETTARIO)
    _add(summary, "ImponibileImporto", amount(breakdown.taxable))
    _add(summary, "Imposta", amount(breakdown.vat))
    if forfettario:
        _add(summary, "RiferimentoNormativo", FORFETTARIO_REFERENCE)
    else:
        _add(summary, "EsigibilitaIVA", "I")
    if breakdown.stamp_duty:
        summary = _add(goods, "DatiRiepilogo")
        _add(summary, "AliquotaIVA", amount(ZERO))
        _add(summary, "Natura", NATURA_BOLLO)
        _add(summary, "ImponibileImporto", amount(breakdown.stamp_duty))
        _add(summary, "Imposta", amount(ZERO))
        _add(summary, "RiferimentoNormativo", BOLLO_REFERENCE)

    payment = _add(body, "DatiPagamento")
    _add(payment, "CondizioniPagamento", "TP02")  # paid in full
    detail = _add(payment, "DettaglioPagamento")
    _add(detail, "ModalitaPagamento", "MP05")  # bank transfer
    _add(detail, "ImportoPagamento", amount(breakdown.net))

    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)
