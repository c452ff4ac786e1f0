"""The Italian fee items of an avviso di parcella: pure arithmetic, no Django.

From the fees (the phone time billed, one line per matter or client) to the *netto a
pagare*, in the order and with the rounding invoices are written with: every amount is
rounded to the cent, half up, as soon as it is computed, and the next step uses the rounded
amount.

1. fees: the lines added up;
2. spese generali (lawyers only): ``fees × 15 %`` — rimborso forfettario delle spese
   generali, DM 55/2014 art. 2 as amended by DM 147/2022;
3. cassa on (fees + spese generali): ``× 4 %`` — contributo integrativo Cassa Forense
   (L. 576/1980 art. 11) for lawyers, CNPADC (L. 21/1986 art. 11) for accountants;
4. imponibile IVA = fees + spese generali + cassa;
5. IVA: ``imponibile × 22 %`` (DPR 633/1972 art. 16), none under the forfettario;
6. total = imponibile + IVA (+ the marca da bollo under the forfettario);
7. ritenuta d'acconto, only when the client is a sostituto d'imposta: ``(fees + spese
   generali) × 20 %`` (DPR 600/1973 art. 25; the cassa is not part of it), none under the
   forfettario (L. 190/2014 art. 1 c. 67);
8. netto a pagare = total − ritenuta.

Regime forfettario (L. 190/2014 art. 1 cc. 54-89): no IVA and no ritenuta; the avviso and the
invoice carry ``FORFETTARIO_WORDING``, and an amount above € 77,47 bears the € 2,00 stamp
duty (DPR 642/1972, tariff art. 13), charged to the client.

Without a profession there are no items: the total is the fees (the rendiconto of before).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

LAWYER = "lawyer"
ACCOUNTANT = "accountant"
PROFESSIONS = (LAWYER, ACCOUNTANT)

ORDINARY = "RF01"
FORFETTARIO = "RF19"

CENT = Decimal("0.01")
BOLLO = Decimal("2.00")
BOLLO_THRESHOLD = Decimal("77.47")

FORFETTARIO_WORDING = (
    "Operazione effettuata ai sensi dell'art. 1, commi da 54 a 89, della Legge n. 190/2014 "
    "(regime forfettario): operazione senza applicazione dell'IVA e non soggetta a ritenuta "
    "d'acconto ai sensi dell'art. 1, comma 67, della Legge n. 190/2014."
)


def cents(amount: Decimal) -> Decimal:
    """``amount`` rounded to the cent, half up (0.005 → 0.01)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(amount: Decimal, rate: Decimal) -> Decimal:
    """``rate`` per cent of ``amount``, to the cent, half up."""
    return cents(Decimal(amount) * Decimal(rate) / 100)


@dataclass(frozen=True)
class FeeRules:
    """What the firm's settings say about fee items (percentages as numbers: 15 for 15 %)."""

    profession: str = ""  # LAWYER, ACCOUNTANT or "" (no items)
    regime: str = ORDINARY  # ORDINARY or FORFETTARIO
    general_expenses_rate: Decimal = Decimal("15.00")
    cassa_rate: Decimal = Decimal("4.00")
    vat_rate: Decimal = Decimal("22.00")
    withholding_rate: Decimal = Decimal("20.00")

    @property
    def has_items(self) -> bool:
        return self.profession in PROFESSIONS

    @property
    def forfettario(self) -> bool:
        return self.regime == FORFETTARIO

    @property
    def cassa_type(self) -> str:
        """FatturaPA's TipoCassa: TC01 Cassa Forense, TC02 CNPADC."""
        return {LAWYER: "TC01", ACCOUNTANT: "TC02"}.get(self.profession, "")


@dataclass(frozen=True)
class FeeLine:
    """One line of fees: a matter's (or the client's) phone time at its rate."""

    description: str
    amount: Decimal
    hourly_rate: Decimal | None = None
    billable_seconds: int = 0


@dataclass(frozen=True)
class FeeBreakdown:
    """Every item of an avviso, each rounded to the cent; zero where it does not apply."""

    lines: tuple[FeeLine, ...]
    fees: Decimal
    general_expenses: Decimal
    cassa: Decimal
    taxable: Decimal  # imponibile IVA (under the forfettario: the amount not subject to IVA)
    vat: Decimal
    stamp_duty: Decimal  # marca da bollo charged to the client (forfettario above € 77,47)
    total: Decimal
    withholding: Decimal
    net: Decimal  # netto a pagare
    rules: FeeRules
    withholding_agent: bool

    @property
    def withholding_base(self) -> Decimal:
        """What the ritenuta is computed on: fees + spese generali."""
        return self.fees + self.general_expenses

    @property
    def has_items(self) -> bool:
        return self.rules.has_items


def fees_compute(
    lines: Sequence[FeeLine], rules: FeeRules, *, withholding_agent: bool = False
) -> FeeBreakdown:
    """The avviso's items for ``lines`` under ``rules``; ``withholding_agent``: the client is a
    sostituto d'imposta (the ritenuta applies, except under the forfettario)."""
    lines = tuple(
        FeeLine(line.description, cents(line.amount), line.hourly_rate, line.billable_seconds)
        for line in lines
    )
    fees = sum((line.amount for line in lines), Decimal("0.00"))
    zero = Decimal("0.00")
    if not rules.has_items:
        return FeeBreakdown(
            lines, fees, zero, zero, fees, zero, zero, fees, zero, fees, rules, withholding_agent
        )
    general = percent(fees, rules.general_expenses_rate) if rules.profession == LAWYER else zero
    cassa = percent(fees + general, rules.cassa_rate)
    taxable = fees + general + cassa
    if rules.forfettario:
        vat = zero
        stamp = BOLLO if taxable > BOLLO_THRESHOLD else zero
        withholding = zero
    else:
        vat = percent(taxable, rules.vat_rate)
        stamp = zero
        withholding = percent(fees + general, rules.withholding_rate) if withholding_agent else zero
    total = taxable + vat + stamp
    return FeeBreakdown(
        lines=lines,
        fees=fees,
        general_expenses=general,
        cassa=cassa,
        taxable=taxable,
        vat=vat,
        stamp_duty=stamp,
        total=total,
        withholding=withholding,
        net=total - withholding,
        rules=rules,
        withholding_agent=withholding_agent,
    )


def breakdown_as_dict(breakdown: FeeBreakdown) -> dict:
    """The breakdown as JSON-ready values (amounts as strings), frozen on issued statements."""
    rules = breakdown.rules
    return {
        "profession": rules.profession,
        "regime": rules.regime,
        "general_expenses_rate": str(rules.general_expenses_rate),
        "cassa_rate": str(rules.cassa_rate),
        "vat_rate": str(rules.vat_rate),
        "withholding_rate": str(rules.withholding_rate),
        "withholding_agent": breakdown.withholding_agent,
        "lines": [
            {
                "description": line.description,
                "amount": str(line.amount),
                "hourly_rate": None if line.hourly_rate is None else str(line.hourly_rate),
                "billable_seconds": line.billable_seconds,
            }
            for line in breakdown.lines
        ],
    }


def breakdown_from_dict(data: dict) -> FeeBreakdown:
    """A frozen breakdown back (recomputed from its frozen lines and rules: same figures)."""
    rules = FeeRules(
        profession=data.get("profession", ""),
        regime=data.get("regime", ORDINARY),
        general_expenses_rate=Decimal(data.get("general_expenses_rate", "15.00")),
        cassa_rate=Decimal(data.get("cassa_rate", "4.00")),
        vat_rate=Decimal(data.get("vat_rate", "22.00")),
        withholding_rate=Decimal(data.get("withholding_rate", "20.00")),
    )
    lines = [
        FeeLine(
            description=line["description"],
            amount=Decimal(line["amount"]),
            hourly_rate=None if line.get("hourly_rate") is None else Decimal(line["hourly_rate"]),
            billable_seconds=int(line.get("billable_seconds", 0)),
        )
        for line in data.get("lines", [])
    ]
    return fees_compute(lines, rules, withholding_agent=bool(data.get("withholding_agent")))
