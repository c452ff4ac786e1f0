"""Writes to the client index."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import transaction
from django.utils.translation import gettext as _

from calls.services import LinkedCalls, calls_link_clients
from clients.importing import FISCAL_FIELDS, MATTER_FIELD_NAMES, ClientRow, MatterRow, RowError
from clients.models import Client, Matter


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
    # A code names one client or one matter: a matter's code is refused with its line.
    for code in Matter.objects.filter(code__in=list(good)).values_list("code", flat=True):
        row = good.pop(code)
        result.rejected.append(
            RowError(row.line, "code", _("code %(code)s is a matter's code.") % {"code": code})
        )
    result.rejected.sort(key=lambda error: error.line)
    existing = {c.code: c for c in Client.objects.filter(code__in=list(good))}
    with_rates = any(row.has_rate for row in good.values())
    # The rate is written only from a file that has a rate column; others leave it alone.
    fields = [*_FIELDS, "hourly_rate"] if with_rates else list(_FIELDS)
    # The address and invoicing columns the file has (clients.importing.FISCAL_FIELDS).
    present = set().union(*(row.present for row in good.values())) if good else set()
    fields += [name for name in FISCAL_FIELDS if name in present]
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


# --- Matters -------------------------------------------------------------------------------


class SavedMatter(NamedTuple):
    matter: Matter
    linked: LinkedCalls


@transaction.atomic
def matter_save(*, matter: Matter, previous_code: str | None = None) -> SavedMatter:
    """Validate and save a matter, then attach the calls already recorded with its code (to
    the matter and its client), as ``client_save`` does for a client: closed months and
    calls assigned by hand are left alone. `previous_code` is the code before an edit: its
    calls are detached (unknown code again). A matter made inactive or closed keeps its
    calls; the queue shows those made after it closed (calls.selectors.matter_closed_q)."""
    matter.full_clean()
    matter.save()
    linked = calls_link_clients(codes=[matter.code, previous_code or ""])
    return SavedMatter(matter, linked)


@transaction.atomic
def matters_link_calls(*, codes: Iterable[str]) -> LinkedCalls:
    """After matters were saved some other way (admin's inline under a client): link the
    calls of their codes."""
    return calls_link_clients(codes=codes)


@transaction.atomic
def matter_delete(*, matter: Matter) -> LinkedCalls:
    """Delete a matter: its calls lose it (the code names no one now), and are shown as
    unknown code again, except in closed months and those assigned by hand (which keep
    their client, without the matter)."""
    code = matter.code
    matter.delete()
    return calls_link_clients(codes=[code])


@dataclass
class MatterImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RowError] = field(default_factory=list)
    linked: LinkedCalls = field(default_factory=LinkedCalls)  # the new and changed matters' calls


_MATTER_FIELDS = ["client_id", "name", "is_active"]


@transaction.atomic
def matters_import(*, rows: Iterable[MatterRow | RowError]) -> MatterImportResult:
    """Create or update matters by code from a read list (clients.importing.read_matter_list);
    rows naming no known client, or a code that is a client's, are rejected with their line
    and field. Then the calls of the matters' codes are attached."""
    result = MatterImportResult()
    good: dict[str, MatterRow] = {}
    for row in rows:
        if isinstance(row, RowError):
            result.rejected.append(row)
        else:
            good[row.code] = row
    clients = dict(
        Client.objects.filter(code__in={row.client_code for row in good.values()}).values_list(
            "code", "pk"
        )
    )
    client_codes = set(Client.objects.filter(code__in=list(good)).values_list("code", flat=True))
    for code, row in list(good.items()):
        if code in client_codes:
            error = _("code %(code)s is a client's code.") % {"code": code}
            result.rejected.append(RowError(row.line, MATTER_FIELD_NAMES["code"], error))
        elif row.client_code not in clients:
            error = _("no client has code %(code)s.") % {"code": row.client_code}
            result.rejected.append(RowError(row.line, MATTER_FIELD_NAMES["client_code"], error))
        else:
            continue
        del good[code]
    result.rejected.sort(key=lambda error: error.line)
    existing = {m.code: m for m in Matter.objects.filter(code__in=list(good))}
    with_rates = any(row.has_rate for row in good.values())
    fields = [*_MATTER_FIELDS, "hourly_rate"] if with_rates else _MATTER_FIELDS
    to_create, to_update, moved = [], [], []
    for code, row in good.items():
        values = {
            "client_id": clients[row.client_code],
            "name": row.name,
            "is_active": row.is_active,
            "hourly_rate": row.hourly_rate,
        }
        matter = existing.get(code)
        if matter is None:
            to_create.append(Matter(code=code, **{f: values[f] for f in fields}))
            continue
        if all(getattr(matter, f) == values[f] for f in fields):
            result.unchanged += 1
            continue
        if matter.client_id != values["client_id"]:
            moved.append(code)
        for f in fields:
            setattr(matter, f, values[f])
        to_update.append(matter)
    Matter.objects.bulk_create(to_create, batch_size=1000)
    Matter.objects.bulk_update(to_update, fields, batch_size=1000)
    result.created, result.updated = len(to_create), len(to_update)
    result.linked = calls_link_clients(codes=[m.code for m in to_create] + moved)
    return result
