"""The FatturaPA XML (clients/billing/fatturapa.py), each variety validated against the
official 1.2.2 XSD: lawyer and accountant, with and without ritenuta, forfettario."""

from datetime import date
from decimal import Decimal

import pytest

from clients.billing.fatturapa import Invoice, Party, file_name, invoice_xml, progressive_of
from clients.billing.fees import ACCOUNTANT, FORFETTARIO, LAWYER, FeeLine, FeeRules, fees_compute
from tests.clients.fatturapa_schema import validated

D = Decimal
FIRM = Party(
    name="Studio Legale Rossi & Associati",
    vat_number="IT01234567897",
    tax_code="RSSMRA80A01H501U",
    street="Via Manzoni 1",
    postal_code="20121",
    city="Milano",
    province="MI",
)
CLIENT = Party(
    name="Alfa S.r.l.",
    vat_number="11111111115",
    street="Via Roma 1",
    postal_code="10121",
    city="Torino",
    province="TO",
)
PRIVATE = Party(
    name="Bruno Bianchi",
    tax_code="RSSMRA80A01H501U",
    street="Via Po 2",
    postal_code="00187",
    city="Roma",
    province="RM",
)
LINES = [
    FeeLine("Consulenza telefonica · Pratica 12301 · Causa Rossi c. Bianchi", D("60.00")),
    FeeLine("Consulenza telefonica · Generale (senza pratica) – €", D("40.00")),
]


def build(rules, *, withholding_agent, customer=CLIENT, **fields):
    breakdown = fees_compute(LINES, rules, withholding_agent=withholding_agent)
    invoice = Invoice(
        supplier=FIRM,
        customer=customer,
        number="15",
        date=date(2026, 6, 10),
        progressive="00015",
        breakdown=breakdown,
        regime=rules.regime,
        **fields,
    )
    return validated(invoice_xml(invoice))


def test_a_lawyers_invoice_to_a_withholding_agent():
    root = build(FeeRules(profession=LAWYER), withholding_agent=True, sdi_code="M5UXCR1")
    assert root.findtext(".//TipoCassa") == "TC01"
    assert root.findtext(".//AlCassa") == "4.00"
    assert root.findtext(".//ImponibileCassa") == "115.00"
    assert root.findtext(".//ImportoContributoCassa") == "4.60"
    assert root.findtext(".//DatiRitenuta/TipoRitenuta") == "RT01"
    assert root.findtext(".//AliquotaRitenuta") == "20.00"
    assert root.findtext(".//ImportoRitenuta") == "23.00"
    assert root.findtext(".//CausalePagamento") == "A"
    assert root.findtext(".//ImponibileImporto") == "119.60"
    assert root.findtext(".//Imposta") == "26.31"
    assert root.findtext(".//ImportoTotaleDocumento") == "145.91"
    assert root.findtext(".//CodiceDestinatario") == "M5UXCR1"
    lines = root.findall(".//DettaglioLinee")
    assert [line.findtext("PrezzoTotale") for line in lines] == ["60.00", "40.00", "15.00"]
    assert all(line.findtext("Ritenuta") == "SI" for line in lines)
    assert "EUR" in lines[1].findtext("Descrizione")  # € is outside the schema's Latin-1


def test_a_lawyers_invoice_to_a_private_person_has_no_ritenuta():
    root = build(FeeRules(profession=LAWYER), withholding_agent=False, customer=PRIVATE)
    assert root.find(".//DatiRitenuta") is None
    assert root.findtext(".//CodiceDestinatario") == "0000000"
    assert root.findtext(".//CessionarioCommittente//CodiceFiscale") == "RSSMRA80A01H501U"
    assert root.findtext(".//ImportoTotaleDocumento") == "145.91"
    assert all(line.find("Ritenuta") is None for line in root.findall(".//DettaglioLinee"))


def test_a_pec_goes_with_the_code_0000000():
    root = build(FeeRules(profession=LAWYER), withholding_agent=False, pec="alfa@pec.example")
    assert root.findtext(".//CodiceDestinatario") == "0000000"
    assert root.findtext(".//PECDestinatario") == "alfa@pec.example"


@pytest.mark.parametrize("agent", [True, False])
def test_an_accountants_invoice(agent):
    root = build(FeeRules(profession=ACCOUNTANT), withholding_agent=agent, withholding_type="RT02")
    assert root.findtext(".//TipoCassa") == "TC02"
    assert root.findtext(".//ImponibileCassa") == "100.00"
    assert root.findtext(".//ImportoContributoCassa") == "4.00"
    assert root.findtext(".//ImportoTotaleDocumento") == "126.88"
    assert len(root.findall(".//DettaglioLinee")) == 2  # no spese generali
    if agent:
        assert root.findtext(".//TipoRitenuta") == "RT02"
        assert root.findtext(".//ImportoRitenuta") == "20.00"
    else:
        assert root.find(".//DatiRitenuta") is None


def test_a_forfettario_invoice_has_natura_n2_2_and_the_stamp():
    rules = FeeRules(profession=LAWYER, regime=FORFETTARIO)
    root = build(rules, withholding_agent=True)
    assert root.findtext(".//RegimeFiscale") == "RF19"
    assert root.find(".//DatiRitenuta") is None
    assert root.findtext(".//DatiBollo/BolloVirtuale") == "SI"
    assert root.findtext(".//DatiBollo/ImportoBollo") == "2.00"
    assert root.findtext(".//DatiCassaPrevidenziale/Natura") == "N2.2"
    summaries = root.findall(".//DatiRiepilogo")
    assert [(s.findtext("Natura"), s.findtext("ImponibileImporto")) for s in summaries] == [
        ("N2.2", "119.60"),
        ("N1", "2.00"),
    ]
    assert "190/2014" in summaries[0].findtext("RiferimentoNormativo")
    assert root.findtext(".//ImportoTotaleDocumento") == "121.60"


def test_the_file_name_is_the_one_sdi_requires():
    assert file_name("IT01234567897", "00015") == "IT01234567897_00015.xml"
    assert progressive_of("15") == "00015"
    assert progressive_of("2026/15") == "02615"
    assert progressive_of("FT-15a") == "FT15A"
