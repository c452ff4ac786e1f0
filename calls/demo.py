"""Demo data for a first look: trunks, ~200 clients with contacts, users per role, calls.

Deterministic (seeded) so screenshots and docs stay true. Never meant for production:
the command refuses to run with DEBUG off.
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from calls.cdr.synthetic import threecx_lines
from calls.models import Trunk, TrunkIdentifier
from clients.models import Client, Contact
from firm.models import FirmSettings
from firm.roles import ADMINISTRATOR, PARTNER, RECEPTIONIST

DEMO_USERS = [
    # username, password, role, full name
    ("admin", "demo-admin", ADMINISTRATOR, "Anna Amministratrice"),
    ("partner", "demo-partner", PARTNER, "Paolo Partner"),
    ("reception", "demo-reception", RECEPTIONIST, "Rita Reception"),
]

_FIRST = [
    "Bianchi",
    "Colombo",
    "Esposito",
    "Ferrari",
    "Galli",
    "Greco",
    "Lombardi",
    "Marino",
    "Moretti",
    "Ricci",
    "Romano",
    "Rossi",
    "Russo",
    "Bruno",
    "Conti",
    "Costa",
    "Fontana",
    "Gallo",
    "Mancini",
    "Rizzo",
    "Barbieri",
    "Caruso",
    "De Luca",
    "Giordano",
]
_SECOND = [
    "Costruzioni",
    "Immobiliare",
    "Trasporti",
    "Alimentari",
    "Consulting",
    "Tessile",
    "Meccanica",
    "Logistica",
    "Energia",
    "Farmaceutica",
    "Arredamenti",
    "Edilizia",
]
_FORMS = ["S.p.A.", "S.r.l.", "S.n.c.", "S.a.s.", "& Figli S.r.l."]
_PEOPLE = [
    "Mario",
    "Giulia",
    "Luca",
    "Francesca",
    "Marco",
    "Chiara",
    "Andrea",
    "Sara",
    "Giuseppe",
    "Elena",
    "Stefano",
    "Laura",
]


@dataclass
class DemoResult:
    trunks: int
    clients: int
    contacts: int
    calls: int = 0


# Hourly rates for the statements, by code (most clients have one; some are billed by time only).
_RATES = (None, Decimal("120.00"), Decimal("150.00"), Decimal("200.00"))


def _clients(rng: random.Random, count: int) -> list[Client]:
    clients = [
        Client(
            code="123",
            name="Affaroni S.p.A.",
            vat_number="IT01234567890",
            hourly_rate=Decimal("180.00"),
        )
    ]
    used = {"123"}
    while len(clients) < count:
        code = str(rng.randint(100, max(999, count * 5)))
        if code in used:
            continue
        used.add(code)
        name = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)} {rng.choice(_FORMS)}"
        vat = f"IT{rng.randint(0, 99_999_999_999):011d}"
        clients.append(
            Client(
                code=code,
                name=name,
                vat_number=vat,
                is_active=rng.random() > 0.05,
                hourly_rate=_RATES[int(code) % len(_RATES)],
            )
        )
    return clients


def _mobile(rng: random.Random) -> str:
    return f"3{rng.randint(20, 93)}{rng.randint(1_000_000, 9_999_999)}"


def write_demo_cdr(path: Path, *, call_count: int, client_codes: list[str]) -> int:
    """Write a realistic 3CX cdr.log: working days up to today, about 80 calls a day.

    Most client codes are real; a few are codes no client has (shown as unknown)."""
    today = timezone.now().date()
    days = max(1, call_count // 80)
    codes = client_codes + ["9991", "9992"]
    written, day = 0, today - timedelta(days=1)  # whole days only, none in the future
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as out:
        for index in range(days):
            while day.weekday() >= 5:  # the office is closed at weekends
                day -= timedelta(days=1)
            count = call_count - written if index == days - 1 else call_count // days
            start = datetime.combine(day, time(7, 30), tzinfo=UTC)
            out.writelines(
                threecx_lines(
                    count,
                    seed=index,
                    start=start,
                    client_codes=codes,
                    coded_share=0.45,
                    first_history_id=100_000 + written,
                )
            )
            written += count
            day -= timedelta(days=1)
    return written


@transaction.atomic
def demo_data_create(*, client_count: int = 200, seed: int = 2026) -> DemoResult:
    """Firm settings, trunks, clients with contacts and one user per role (calls come from
    a CDR file: see write_demo_cdr and the demo_data command)."""
    rng = random.Random(seed)
    firm = FirmSettings.load()
    firm.firm_name = "Studio Legale Associato Demo"
    firm.save()

    cellular, _ = Trunk.objects.get_or_create(
        name="Gateway cellulare", defaults={"kind": Trunk.Kind.CELLULAR, "prefix": "9"}
    )
    voip, _ = Trunk.objects.get_or_create(
        name="Provider VoIP", defaults={"kind": Trunk.Kind.VOIP, "prefix": "8"}
    )
    TrunkIdentifier.objects.get_or_create(value="10001", defaults={"trunk": cellular})
    TrunkIdentifier.objects.get_or_create(value="10000", defaults={"trunk": voip})

    Client.objects.bulk_create(_clients(rng, client_count), ignore_conflicts=True)
    clients = list(Client.objects.order_by("code"))
    if not Contact.objects.exists():
        for i in range(client_count // 2):
            contact = Contact.objects.create(
                name=f"{rng.choice(_PEOPLE)} {rng.choice(_FIRST)}", phone=_mobile(rng)
            )
            contact.clients.set(rng.sample(clients, k=rng.choice([1, 1, 1, 2, 3])))
            if i == 0:  # a known contact for the walkthrough in the README
                contact.name, contact.phone = "Mario Affaroni", "345 456 5678"
                contact.save()
                contact.clients.add(Client.objects.get(code="123"))

    for username, password, role, full_name in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        first, last = full_name.split(" ", 1)
        user.first_name, user.last_name = first, last
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=role)])

    return DemoResult(
        trunks=Trunk.objects.count(),
        clients=Client.objects.count(),
        contacts=Contact.objects.count(),
    )
