"""Demo data for a first look: trunks, ~200 clients with contacts, users per role, calls.

Deterministic (seeded) so screenshots and docs stay true. Never meant for production:
the command refuses to run with DEBUG off.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from calls import dialing
from calls.models import Call, FirmSettings, Trunk, TrunkIdentifier
from calls.selectors import dial_plan_get
from calls.services import calls_link_clients
from clients.models import Client, Contact
from firm.roles import ADMINISTRATOR, PARTNER, RECEPTIONIST

DEMO_USERS = [
    # username, password, role, full name
    ("admin", "demo-admin", ADMINISTRATOR, "Anna Amministratrice"),
    ("partner", "demo-partner", PARTNER, "Paolo Partner"),
    ("reception", "demo-reception", RECEPTIONIST, "Rita Reception"),
]

_FIRST = [
    "Affaroni",
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
    calls: int


def _clients(rng: random.Random, count: int) -> list[Client]:
    clients = [Client(code="123", name="Affaroni S.p.A.", vat_number="IT01234567890")]
    used = {"123"}
    while len(clients) < count:
        code = str(rng.randint(100, max(999, count * 5)))
        if code in used:
            continue
        used.add(code)
        name = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)} {rng.choice(_FORMS)}"
        vat = f"IT{rng.randint(0, 99_999_999_999):011d}"
        clients.append(Client(code=code, name=name, vat_number=vat, is_active=rng.random() > 0.05))
    return clients


def _mobile(rng: random.Random) -> str:
    return f"3{rng.randint(20, 93)}{rng.randint(1_000_000, 9_999_999)}"


def _landline(rng: random.Random) -> str:
    return f"0{rng.choice(['2', '6', '11', '51', '55', '81'])}{rng.randint(100_000, 9_999_999)}"


def _calls(rng, *, count, clients, plan, trunks, extensions) -> list[Call]:
    now = timezone.now().replace(microsecond=0)
    codes = [c.code for c in clients]
    calls = []
    for n in range(count):
        start = now - timedelta(seconds=rng.randint(60, 60 * 24 * 3600))
        caller = rng.choice(extensions)
        roll = rng.random()
        status = rng.choices(list(Call.Status), weights=[80, 12, 5, 3])[0]
        talk = rng.randint(5, 1800) if status == Call.Status.ANSWERED else 0
        ring = rng.randint(2, 30)
        fields = {"direction": Call.Direction.OUTBOUND, "caller": caller}
        if roll < 0.70:  # outbound with a code: the normal case
            trunk = rng.choice(trunks)
            number = rng.choice([_mobile, _landline])(rng)
            code = rng.choice(codes) if rng.random() > 0.03 else str(rng.randint(1000, 1999))
            dialled = dialing.compose_dial_string(number, trunk.as_rule(), code, plan)
            parsed = dialing.parse_dial_string(dialled, plan)
            fields.update(
                trunk=trunk,
                destination=parsed.recorded_destination,
                dialled_number=parsed.carrier_number,
                billing_code=code,
            )
        elif roll < 0.82:  # outbound, somebody forgot the code
            number = rng.choice([_mobile, _landline])(rng)
            fields.update(trunk=rng.choice(trunks), destination=number, dialled_number=number)
        elif roll < 0.92:  # internal
            other = rng.choice(extensions)
            fields.update(
                direction=Call.Direction.INTERNAL, destination=other, dialled_number=other
            )
        else:  # inbound
            fields.update(
                direction=Call.Direction.INBOUND,
                caller=_landline(rng),
                destination=caller,
                dialled_number=caller,
                trunk=trunks[0],
            )
        calls.append(
            Call(
                start=start,
                answered=start + timedelta(seconds=ring) if talk else None,
                end=start + timedelta(seconds=ring + talk),
                talk_seconds=talk,
                ring_seconds=ring,
                status=status,
                caller_name="",
                pbx="demo",
                pbx_call_id=f"demo-{n}",
                **fields,
            )
        )
    return calls


@transaction.atomic
def demo_data_create(*, client_count: int = 200, call_count: int = 3000, seed: int = 2026):
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

    plan = dial_plan_get(firm_settings=firm)
    extensions = [str(e) for e in range(101, 131)]
    calls = _calls(
        rng,
        count=call_count,
        clients=clients,
        plan=plan,
        trunks=[cellular, voip],
        extensions=extensions,
    )
    Call.objects.bulk_create(calls, batch_size=1000, ignore_conflicts=True)
    calls_link_clients(codes=[c.code for c in clients])
    return DemoResult(
        trunks=Trunk.objects.count(),
        clients=Client.objects.count(),
        contacts=Contact.objects.count(),
        calls=Call.objects.count(),
    )
