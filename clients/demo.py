"""Demo clients and contacts: ~200 companies with Italian names, codes and hourly rates.
Part of the ``demo_data`` command (calls.demo); deterministic for a given ``random.Random``."""

import random
from decimal import Decimal

from clients.models import Client, Contact, Matter

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


# Hourly rates for the statements, by code (most clients have one; some are billed by time only).
_RATES = (None, Decimal("120.00"), Decimal("150.00"), Decimal("200.00"))


def _clients(rng: random.Random, count: int) -> list[Client]:
    clients = [
        Client(
            code="123",
            name="Affaroni S.p.A.",
            vat_number="IT01234567890",
            hourly_rate=Decimal("180.00"),
            billing_email="amministrazione@affaroni.example",
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
                # Most clients have a billing address; some show "no address: not sent".
                billing_email=f"fatture@cliente{code}.example" if int(code) % 5 else "",
            )
        )
    return clients


# Matters of a few clients, numbered after the client's code (README: "Numbering matters"):
# (client code, matter code, description, hourly rate or None for the client's, active).
_MATTERS = [
    ("123", "12301", "Causa Rossi c. Bianchi", Decimal("220.00"), True),
    ("123", "12302", "Recupero crediti 2026", None, True),
    ("123", "12303", "Contratto di fornitura 2024", None, False),
]
# Matters for the second and third client by code, whatever their codes are.
_MORE_MATTERS = [
    ("01", "Contenzioso del lavoro", Decimal("160.00")),
    ("02", "Consulenza societaria", None),
]


def _matters() -> list[Matter]:
    clients = {client.code: client for client in Client.objects.order_by("code")}
    matters = [
        Matter(client=clients[code], code=matter_code, name=name, hourly_rate=rate, is_active=on)
        for code, matter_code, name, rate, on in _MATTERS
        if code in clients
    ]
    others = [code for code in clients if code != "123"][:2]
    for code in others:
        for suffix, name, rate in _MORE_MATTERS:
            matter_code = f"{code}{suffix}"
            if matter_code not in clients:
                matters.append(
                    Matter(client=clients[code], code=matter_code, name=name, hourly_rate=rate)
                )
    return matters


def _mobile(rng: random.Random) -> str:
    return f"3{rng.randint(20, 93)}{rng.randint(1_000_000, 9_999_999)}"


def demo_clients_create(rng: random.Random, client_count: int) -> None:
    """The clients (client 123, Affaroni S.p.A., always among them), matters for three of
    them (Affaroni's 12301, 12302 and the closed 12303) and, the first time, contacts for half
    of them."""
    Client.objects.bulk_create(_clients(rng, client_count), ignore_conflicts=True)
    Matter.objects.bulk_create(_matters(), ignore_conflicts=True)
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
