"""Writes to the client index."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import transaction

from calls.services import LinkedCalls, calls_link_clients
from clients.importing import ClientRow, RowError
from clients.models import Client


class SavedClient(NamedTuple):
    client: Client
    linked: LinkedCalls  # the calls attached and detached, and those left in closed months


@transaction.atomic
def client_save(*, client: Client, previous_code: str | None = None) -> SavedClient:
    """Validate and save a client, then attach the calls that carry its code.

    `previous_code` is the code before an edit: calls with the old code are detached
    (shown as unknown code again) unless another client now has it.
    """
    client.full_clean()
    client.save()
    linked = calls_link_clients(codes=[client.code, previous_code or ""])
    return SavedClient(client, linked)


@dataclass
class ClientImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RowError] = field(default_factory=list)
    linked: LinkedCalls = field(default_factory=LinkedCalls)  # the new clients' calls


_FIELDS = ["name", "tax_code", "vat_number", "notes", "is_active"]


@transaction.atomic
def clients_import(*, rows: Iterable[ClientRow | RowError]) -> ClientImportResult:
    """Create or update clients by code from a read client list; rejected rows are returned."""
    result = ClientImportResult()
    good: dict[str, ClientRow] = {}
    for row in rows:
        if isinstance(row, RowError):
            result.rejected.append(row)
        else:
            good[row.code] = row
    existing = {c.code: c for c in Client.objects.filter(code__in=list(good))}
    with_rates = any(row.has_rate for row in good.values())
    # The rate is written only from a file that has a rate column; others leave it alone.
    fields = [*_FIELDS, "hourly_rate"] if with_rates else _FIELDS
    to_create, to_update = [], []
    for code, row in good.items():
        client = existing.get(code)
        if client is None:
            to_create.append(Client(code=code, **{f: getattr(row, f) for f in fields}))
            continue
        if all(getattr(client, f) == getattr(row, f) for f in fields):
            result.unchanged += 1
            continue
        for f in fields:
            setattr(client, f, getattr(row, f))
        to_update.append(client)
    Client.objects.bulk_create(to_create, batch_size=1000)
    Client.objects.bulk_update(to_update, fields, batch_size=1000)
    result.created, result.updated = len(to_create), len(to_update)
    result.linked = calls_link_clients(codes=[c.code for c in to_create])
    return result
