"""Writes to the client index. Attaching the calls already recorded with a saved, recoded,
imported or deleted code is the calls' side: calls.services composes both (``client_save_and_link``
and its siblings), and the admin calls those."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from clients.importing import MATTER_FIELD_NAMES, ClientRow, MatterRow, RowError
from clients.models import Client, Matter


def client_save(*, client: Client) -> Client:
    """Validate and save a client (calls.services.client_save_and_link also attaches the
    calls that carry its code)."""
    client.full_clean()
    client.save()
    return client


@dataclass
class ClientImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RowError] = field(default_factory=list)
    codes_to_link: list[str] = field(default_factory=list)  # the new clients' codes


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
    result.codes_to_link = [c.code for c in to_create]
    return result


# --- Matters -------------------------------------------------------------------------------


def matter_save(*, matter: Matter) -> Matter:
    """Validate and save a matter (calls.services.matter_save_and_link also attaches the
    calls that carry its code)."""
    matter.full_clean()
    matter.save()
    return matter


def matter_delete(*, matter: Matter) -> None:
    """Delete a matter (calls.services.matter_delete_and_unlink also detaches its calls)."""
    matter.delete()


@dataclass
class MatterImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RowError] = field(default_factory=list)
    codes_to_link: list[str] = field(default_factory=list)  # new matters, and those moved


_MATTER_FIELDS = ["client_id", "name", "is_active"]


@transaction.atomic
def matters_import(*, rows: Iterable[MatterRow | RowError]) -> MatterImportResult:
    """Create or update matters by code from a read list (clients.importing.read_matter_list);
    rows naming no known client, or a code that is a client's, are rejected with their line
    and field."""
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
    result.codes_to_link = [m.code for m in to_create] + moved
    return result
