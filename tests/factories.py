"""Small factory helpers for test data (no JSON fixtures for model state)."""

import itertools
from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import Group, User

from calls.models import Call, Trunk, TrunkIdentifier
from clients.models import Client, Contact, Matter

_sequence = itertools.count(1)


def make_user(username: str, *, role: str | None = None, password: str = "pw") -> User:
    user = User.objects.create_user(username=username, password=password)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_client(code: str = "123", name: str = "Affaroni S.p.A.", **fields) -> Client:
    return Client.objects.create(code=code, name=name, **fields)


def make_matter(
    client: Client, code: str = "12301", name: str = "Causa Rossi c. Bianchi", **fields
) -> Matter:
    return Matter.objects.create(client=client, code=code, name=name, **fields)


def make_matter_call(matter: Matter, **fields) -> Call:
    """A call dialled with the matter's code: billed to the matter's client, under it."""
    fields.setdefault("billing_code", matter.code)
    fields.setdefault("destination", f"3454565678**{matter.code}")
    return make_call(client=matter.client, matter=matter, **fields)


def make_contact(name: str, phone: str = "", *, clients=()) -> Contact:
    contact = Contact.objects.create(name=name, phone=phone)
    contact.clients.set(clients)
    return contact


def make_trunk(prefix: str = "9", name: str | None = None, *, identifiers=(), **fields) -> Trunk:
    trunk = Trunk.objects.create(
        name=name or f"Trunk {prefix or next(_sequence)}", prefix=prefix, **fields
    )
    for value in identifiers:
        TrunkIdentifier.objects.create(trunk=trunk, value=value)
    return trunk


def make_call(**fields) -> Call:
    n = next(_sequence)
    start = fields.pop("start", datetime(2026, 5, 4, 9, 0, tzinfo=UTC) + timedelta(minutes=n))
    defaults = {
        "start": start,
        "end": start + timedelta(seconds=fields.get("talk_seconds", 60)),
        "talk_seconds": 60,
        "caller": "114",
        "destination": "3454565678",
        "dialled_number": "3454565678",
        "direction": Call.Direction.OUTBOUND,
        "status": Call.Status.ANSWERED,
        "pbx_call_id": f"test-{n}",
    }
    defaults.update(fields)
    return Call.objects.create(**defaults)
