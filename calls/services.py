"""Writes to existing calls: linking them to clients and trunks (also as the client index's
writes happen), assignment by hand, the period lock, and the call log filter a user last saw.
Views, commands and admin call these.
New calls are written only by the import service (``calls.importing.services``)."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.matching import trunk_for_identifier
from calls.models import (
    CODED_Q,
    Call,
    CallAssignment,
    ClosedPeriod,
    PeriodAction,
    PeriodEvent,
    SavedCallLogFilter,
    TrunkIdentifier,
)
from calls.periods import month_of
from calls.selectors import (
    NO_OWNER,
    SuggestedAssignments,
    closed_months,
    code_owners_get,
    in_months_q,
    month_range_q,
)
from clients.importing import ClientRow, MatterRow, RowError
from clients.models import Client, Matter
from clients.services import (
    ImportResult,
    client_save,
    clients_import,
    matter_delete,
    matter_save,
    matters_import,
)
from firm.lib.dates import firm_time_zone, today_local
from firm.lib.formats import month_name
from firm.models import FirmSettings


@dataclass(frozen=True)
class LinkedCalls:
    """What ``calls_link_clients`` changed: calls given the client of their code
    (``attached``), calls taken from a client because no client has their code any more
    (``detached``), and the calls of closed months it left as they were that it would
    otherwise have attached or detached."""

    attached: int = 0
    detached: int = 0
    closed_not_attached: int = 0
    closed_not_detached: int = 0

    @property
    def changed(self) -> int:
        return self.attached + self.detached


def calls_link_clients(*, codes: Iterable[str], within: Q | None = None) -> LinkedCalls:
    """Point every call carrying one of `codes` at whom the code bills now: the client with
    that code, or the matter with that code (and its client), or no one.

    Used when a client or a matter is added, given another code, imported or deleted, so
    calls recorded before it existed are attached, and calls of a code that no longer exists
    are shown as unknown again. The call's matter is kept in step with its client. Two kinds
    of call are left alone: those whose client a partner chose by hand
    (Call.client_set_by_hand), and those in a closed month, whose statements were sent
    (period_reopen links them when the month is reopened). `within` narrows the calls
    further. Returns how many calls were attached and detached, and how many in closed months
    were left alone (for the message the user sees).
    """
    codes = [code for code in set(codes) if code]
    if not codes:
        return LinkedCalls()
    client_with_code = Client.objects.filter(code=OuterRef("billing_code")).values("pk")[:1]
    matter_with_code = Matter.objects.filter(code=OuterRef("billing_code"))
    # CODED_Q: the condition of the partial billing-code index (SQLite uses it only then).
    calls = Call.objects.filter(CODED_Q, billing_code__in=codes, client_set_by_hand=False)
    if within is not None:
        calls = calls.filter(within)
    with transaction.atomic():
        _take_turns_with_period_changes()
        owners = code_owners_get(codes=codes)
        closed = in_months_q(closed_months())
        left_attach = left_detach = 0
        if closed is not None:
            left_attach, left_detach = _changes(calls.filter(closed), owners)
            calls = calls.exclude(closed)
        attached, detached = _changes(calls, owners)
        calls.update(
            client=Coalesce(
                Subquery(client_with_code), Subquery(matter_with_code.values("client_id")[:1])
            ),
            matter=Subquery(matter_with_code.values("pk")[:1]),
        )
    return LinkedCalls(attached, detached, left_attach, left_detach)


def _changes(calls, owners: dict[str, tuple[int, int | None]]) -> tuple[int, int]:
    """How many of `calls` linking would attach to a client (or matter) and detach from one:
    one grouped query (code, current client and matter), compared with the owner of each
    code."""
    attach = detach = 0
    groups = (
        calls.values("billing_code", "client_id", "matter_id").annotate(count=Count("*")).order_by()
    )
    for group in groups:
        owner = owners.get(group["billing_code"], NO_OWNER)
        if (group["client_id"], group["matter_id"]) == owner:
            continue
        if owner == NO_OWNER:
            detach += group["count"]
        else:
            attach += group["count"]
    return attach, detach


def _take_turns_with_period_changes() -> None:
    """Inside a transaction: wait for any month being closed or reopened, and make closing
    wait for us. Changing calls' clients and closing a month both lock the firm settings row,
    so a month cannot close between reading the closed months and updating the calls
    (PostgreSQL; SQLite's write transactions take turns anyway)."""
    FirmSettings.load()
    list(FirmSettings.objects.select_for_update().filter(pk=1).values_list("pk"))


# --- Assignment by hand and the period lock ----------------------------------------------

# The most calls one assignment takes (a page of the queue is 50): bounds the IN lists.
MAX_ASSIGNED_CALLS = 500


def calls_assign(
    *,
    calls: Iterable[Call | int],
    client: Client,
    user,
    note: str = "",
    matter: Matter | None = None,
) -> int:
    """Give `calls` (calls or their ids) the `client` by hand, and `matter` (one of the
    client's matters) or none, in one transaction: each assignment is recorded
    (CallAssignment: who, when, old and new client and matter) and the calls are marked
    `client_set_by_hand`, so neither re-imports nor automatic linking by code change them
    again. Refuses, changing nothing, when a call is in a closed month (the error names the
    months). Returns the number of calls assigned."""
    if matter is not None and matter.client_id != client.pk:
        raise ValidationError(
            _("Matter %(matter)s is not a matter of %(client)s.")
            % {"matter": matter.code, "client": client.name},
            code="matter_of_another_client",
        )
    ids = sorted({getattr(call, "pk", call) for call in calls})
    if len(ids) > MAX_ASSIGNED_CALLS:
        raise ValidationError(
            _("Assign at most %(max)s calls at a time.") % {"max": MAX_ASSIGNED_CALLS},
            code="too_many",
        )
    if len(note) > 200:
        raise ValidationError(_("The note is at most 200 characters long."), code="note")
    with transaction.atomic():
        _take_turns_with_period_changes()
        rows = list(
            Call.objects.select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", "start", "client_id", "matter_id")
        )
        zone = firm_time_zone()
        months = {month_of(row[1], zone) for row in rows}
        closed = sorted(
            ClosedPeriod.objects.filter(month__in=months).values_list("month", flat=True)
        )
        if closed:
            raise ValidationError(
                _(
                    "Closed period: %(months)s. Its calls cannot be reassigned until the "
                    "period is reopened."
                )
                % {"months": ", ".join(month_name(month) for month in closed)},
                code="period_closed",
            )
        now = timezone.now()
        CallAssignment.objects.bulk_create(
            [
                CallAssignment(
                    call_id=pk,
                    old_client_id=old,
                    new_client=client,
                    old_matter_id=old_matter,
                    new_matter=matter,
                    user=user,
                    at=now,
                    note=note,
                )
                for pk, _start, old, old_matter in rows
            ],
            batch_size=500,
        )
        Call.objects.filter(pk__in=[row[0] for row in rows]).update(
            client=client, matter=matter, client_set_by_hand=True
        )
    return len(rows)


def calls_assign_suggested(*, plan: SuggestedAssignments, user, note: str = ""):
    """Give each call of ``plan`` (``calls_by_suggested_client``) its suggested client and
    matter, all or nothing (e.g. when one call is in a closed month). Returns (client or
    matter, calls assigned) pairs."""
    if not plan.calls_by_client:
        return []
    with transaction.atomic():
        return [
            (
                matter or client,
                calls_assign(calls=ids, client=client, matter=matter, user=user, note=note),
            )
            for (client, matter), ids in plan.calls_by_client
        ]


def period_close(*, month, user) -> ClosedPeriod:
    """Close `month` (its first day) once its statements are sent: its calls can no longer
    be reassigned, and automatic linking by code leaves them alone. Only a month that has
    ended can be closed."""
    if month.day != 1:
        raise ValidationError(_("A period is a month: give its first day."), code="not_a_month")
    if month >= today_local().replace(day=1):
        raise ValidationError(
            _("%(month)s has not ended yet: only past months can be closed.")
            % {"month": month_name(month)},
            code="not_ended",
        )
    with transaction.atomic():
        _take_turns_with_period_changes()
        if ClosedPeriod.objects.filter(month=month).exists():
            raise ValidationError(
                _("%(month)s is already closed.") % {"month": month_name(month)},
                code="already_closed",
            )
        now = timezone.now()
        period = ClosedPeriod.objects.create(month=month, closed_by=user, closed_at=now)
        PeriodEvent.objects.create(month=month, action=PeriodAction.CLOSED, user=user, at=now)
    return period


def period_reopen(*, month, user, reason: str) -> int:
    """Reopen a closed `month`, saying why; the reopening is recorded. The month's calls are
    then linked to today's client codes (what automatic linking skipped while it was
    closed); calls assigned by hand keep their client. Returns the calls so relinked."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the period is reopened."), code="no_reason")
    with transaction.atomic():
        _take_turns_with_period_changes()
        deleted, _by_model = ClosedPeriod.objects.filter(month=month).delete()
        if not deleted:
            raise ValidationError(
                _("%(month)s is not closed.") % {"month": month_name(month)},
                code="not_closed",
            )
        PeriodEvent.objects.create(
            month=month, action=PeriodAction.REOPENED, user=user, at=timezone.now(), reason=reason
        )
        within = month_range_q(month)
        codes = (
            Call.objects.filter(within)
            .exclude(billing_code="")
            .values_list("billing_code")
            .distinct()
        )
        return calls_link_clients(codes=[code for (code,) in codes], within=within).changed


def calls_link_trunks() -> int:
    """Give calls with no trunk the trunk their PBX identifier now names (after an
    administrator adds an identifier). Returns the number of calls updated."""
    identifiers = dict(
        TrunkIdentifier.objects.filter(trunk__is_active=True).values_list("value", "trunk_id")
    )
    unmatched = (
        Call.objects.filter(trunk__isnull=True)
        .exclude(pbx_trunk="")
        .values_list("pbx_trunk", flat=True)
        .distinct()
    )
    updated = 0
    for value in list(unmatched):
        trunk_id = trunk_for_identifier(value, identifiers)
        if trunk_id is not None:
            updated += Call.objects.filter(trunk__isnull=True, pbx_trunk=value).update(
                trunk_id=trunk_id
            )
    return updated


def saved_call_log_filter_save(*, user, query: str) -> None:
    """Remember ``query`` as the call log filter ``user`` last looked at."""
    SavedCallLogFilter.objects.update_or_create(user=user, defaults={"query": query})


# --- The client index's writes, with the calls of the codes they touch ---------------------
# clients.services writes clients and matters and knows nothing of calls (calls build on
# clients); these compose a write there with calls_link_clients, in one transaction, so the
# calls recorded before a code existed are attached and those of a code gone are detached.
# The admin of clients and matters calls these.


class SavedClient(NamedTuple):
    client: Client
    linked: LinkedCalls  # the calls attached and detached, and those left in closed months


class SavedMatter(NamedTuple):
    matter: Matter
    linked: LinkedCalls


class ImportedAndLinked(NamedTuple):
    imported: ImportResult
    linked: LinkedCalls  # the calls of the new codes (and, for matters, of those moved)


@transaction.atomic
def client_save_and_link(*, client: Client, previous_code: str | None = None) -> SavedClient:
    """Validate and save a client, then attach the calls that carry its code.

    `previous_code` is the code before an edit: calls with the old code are detached
    (shown as unknown code again) unless another client now has it.
    """
    client_save(client=client)
    return SavedClient(client, calls_link_clients(codes=[client.code, previous_code or ""]))


@transaction.atomic
def matter_save_and_link(*, matter: Matter, previous_code: str | None = None) -> SavedMatter:
    """Validate and save a matter, then attach the calls already recorded with its code (to
    the matter and its client), as ``client_save_and_link`` does for a client: closed months
    and calls assigned by hand are left alone. `previous_code` is the code before an edit: its
    calls are detached (unknown code again). A matter made inactive or closed keeps its
    calls; the queue shows those made after it closed (calls.selectors.matter_closed_q)."""
    matter_save(matter=matter)
    return SavedMatter(matter, calls_link_clients(codes=[matter.code, previous_code or ""]))


@transaction.atomic
def matter_delete_and_unlink(*, matter: Matter) -> LinkedCalls:
    """Delete a matter: its calls lose it (the code names no one now), and are shown as
    unknown code again, except in closed months and those assigned by hand (which keep
    their client, without the matter)."""
    code = matter.code
    matter_delete(matter=matter)
    return calls_link_clients(codes=[code])


@transaction.atomic
def clients_import_and_link(*, rows: Iterable[ClientRow | RowError]) -> ImportedAndLinked:
    """clients.services.clients_import, then the calls of the new clients' codes attached."""
    result = clients_import(rows=rows)
    return ImportedAndLinked(result, calls_link_clients(codes=result.codes_to_link))


@transaction.atomic
def matters_import_and_link(*, rows: Iterable[MatterRow | RowError]) -> ImportedAndLinked:
    """clients.services.matters_import, then the calls of the new matters' codes, and of those
    moved to another client, attached."""
    result = matters_import(rows=rows)
    return ImportedAndLinked(result, calls_link_clients(codes=result.codes_to_link))
