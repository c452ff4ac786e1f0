"""Writes to the client index. Attaching the calls already recorded with a saved, recoded,
imported or deleted code is the calls' side: calls.services composes both (``client_save_and_link``
and its siblings), and the admin calls those."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from clients.importing import FISCAL_FIELDS, MATTER_FIELD_NAMES, ClientRow, MatterRow, RowError
from clients.models import Client, Matter


def client_save(*, client: Client) -> Client:
    """Validate and save a client (calls.services.client_save_and_link also attaches the
    calls that carry its code)."""
    client.full_clean()
    client.save()
    return client


@dataclass
class ImportResult:
    """What importing a client or matter list did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RowError] = field(default_factory=list)
    # The codes whose calls may now belong to someone else: new codes, and matters moved to
    # another client (calls.services links their calls).
    codes_to_link: list[str] = field(default_factory=list)


@transaction.atomic
def clients_import(*, rows: Iterable[ClientRow | RowError]) -> ImportResult:
    """Create or update clients by code from a read client list; rejected rows are returned."""
    result, good = _split(rows)
    # A code names one client or one matter: a matter's code is refused with its line.
    for code in Matter.objects.filter(code__in=list(good)).values_list("code", flat=True):
        row = good.pop(code)
        result.rejected.append(
            RowError(row.line, "code", _("code %(code)s is a matter's code.") % {"code": code})
        )
    fields = ["name", "tax_code", "vat_number", "notes", "is_active", "hourly_rate"]
    # The address and invoicing columns the file has (clients.importing.FISCAL_FIELDS); a list
    # without one leaves that field alone.
    present = set().union(*(row.present for row in good.values())) if good else set()
    fields += [name for name in FISCAL_FIELDS if name in present]
    return _save_by_code(result, Client, good, lambda row: {f: getattr(row, f) for f in fields})


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


@transaction.atomic
def matters_import(*, rows: Iterable[MatterRow | RowError]) -> ImportResult:
    """Create or update matters by code from a read list (clients.importing.read_matter_list);
    rows naming no known client, or a code that is a client's, are rejected with their line
    and field."""
    result, good = _split(rows)
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

    def values(row: MatterRow) -> dict:
        return {
            "client_id": clients[row.client_code],
            "name": row.name,
            "is_active": row.is_active,
            "hourly_rate": row.hourly_rate,
        }

    # A matter moved to another client takes its calls along.
    return _save_by_code(result, Matter, good, values, relink_on="client_id")


# --- One path for both lists ---------------------------------------------------------------


def _split(rows: Iterable[ClientRow | MatterRow | RowError]) -> tuple[ImportResult, dict]:
    """A result holding the rejected rows, and the good rows by code (the last of a code)."""
    result, good = ImportResult(), {}
    for row in rows:
        if isinstance(row, RowError):
            result.rejected.append(row)
        else:
            good[row.code] = row
    return result, good


def _save_by_code(
    result: ImportResult,
    model: type[Client] | type[Matter],
    rows: dict[str, ClientRow | MatterRow],
    values_of: Callable[[ClientRow | MatterRow], dict],
    *,
    relink_on: str | None = None,
) -> ImportResult:
    """Create the codes of `rows` that do not exist and update those whose values (by
    `values_of`) differ, in bulk. The rate is written only from a file that has a rate column;
    others leave it alone. An update of the `relink_on` field counts the code among those to
    link."""
    result.rejected.sort(key=lambda error: error.line)
    with_rates = any(row.has_rate for row in rows.values())
    existing = {owner.code: owner for owner in model.objects.filter(code__in=list(rows))}
    to_create, to_update, moved, fields = [], [], [], []
    for code, row in rows.items():
        row_values = values_of(row)
        fields = [f for f in row_values if with_rates or f != "hourly_rate"]
        owner = existing.get(code)
        if owner is None:
            to_create.append(model(code=code, **{f: row_values[f] for f in fields}))
            continue
        if all(getattr(owner, f) == row_values[f] for f in fields):
            result.unchanged += 1
            continue
        if relink_on and getattr(owner, relink_on) != row_values[relink_on]:
            moved.append(code)
        for f in fields:
            setattr(owner, f, row_values[f])
        to_update.append(owner)
    model.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        model.objects.bulk_update(to_update, fields, batch_size=1000)
    result.created, result.updated = len(to_create), len(to_update)
    result.codes_to_link = [owner.code for owner in to_create] + moved
    return result
