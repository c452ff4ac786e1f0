"""Reads that several views and services share: the dial plan and CDR layouts, the
unassigned queue and its suggestions, the call log's totals, closed months."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate

from calls import dialing
from calls.cdr import THREECX_LAYOUTS
from calls.models import (
    Call,
    CallDirection,
    CallHourTotal,
    CallStatus,
    CdrLayout,
    ClosedPeriod,
    SavedCallLogFilter,
    Trunk,
    TrunkIdentifier,
)
from calls.periods import month_spans, next_month
from clients.models import Client, Matter
from firm.lib.dates import firm_time_zone, local_midnight, today_local
from firm.lib.formats import format_duration
from firm.models import FirmSettings


def dial_plan_get(*, firm_settings: FirmSettings | None = None) -> dialing.DialPlan:
    """The firm's dial rules as the pure dialing module wants them: marker, active trunks."""
    firm_settings = firm_settings or FirmSettings.load()
    return dialing.DialPlan(
        trunks=tuple(trunk.as_rule() for trunk in Trunk.objects.filter(is_active=True)),
        marker=firm_settings.billing_marker,
        internal_lengths=firm_settings.extension_lengths,
        country_code=firm_settings.country_code,
        international_prefix=firm_settings.international_prefix,
    )


def match_rules_get(*, plan: dialing.DialPlan | None = None):
    """Trunk identifiers, dial rules and the firm's former billing markers for matching call
    records (see calls.matching)."""
    from calls.matching import MatchRules

    identifiers = dict(
        TrunkIdentifier.objects.filter(trunk__is_active=True).values_list("value", "trunk_id")
    )
    firm_settings = FirmSettings.load()
    return MatchRules(
        plan=plan or dial_plan_get(firm_settings=firm_settings),
        trunk_identifiers=identifiers,
        former_markers=firm_settings.former_marker_list,
    )


def cdr_layout_default() -> tuple[str, ...] | None:
    """The 3CX layout an administrator marked as the default, if any."""
    layout = CdrLayout.objects.filter(is_default=True).first()
    return layout.field_tuple if layout else None


def cdr_layout_named(name: str) -> tuple[str, ...] | None:
    """A layout by name: one configured in admin, or a built-in one ('default-27', …)."""
    layout = CdrLayout.objects.filter(name=name).first()
    if layout:
        return layout.field_tuple
    return THREECX_LAYOUTS.get(name)


# --- Who a dialled code bills ---------------------------------------------------------------

# A code that names no one: no client, no matter.
NO_OWNER: tuple[None, None] = (None, None)


def code_owners_get(*, codes: Iterable[str] | None = None) -> dict[str, tuple[int, int | None]]:
    """Every code staff may dial (or those of `codes`), with whom it bills: a client's code →
    (client id, None), a matter's code → (its client's id, matter id). Two queries; a code
    names one client or one matter (clients.models), so no entry overwrites another."""
    matters, clients = Matter.objects.all(), Client.objects.all()
    if codes is not None:
        matters, clients = matters.filter(code__in=codes), clients.filter(code__in=codes)
    owners: dict[str, tuple[int, int | None]] = {
        code: (client_id, matter_id)
        for code, client_id, matter_id in matters.values_list("code", "client_id", "pk")
    }
    owners.update((code, (pk, None)) for code, pk in clients.values_list("code", "pk"))
    return owners


# --- Unassigned calls and suggestions ----------------------------------------------------


def call_legs_get(*, call: Call) -> list[Call]:
    """The records a call was made of, first to last (calls.importing.legs): the call itself
    and its later records; none when the PBX wrote it in one record."""
    if not call.leg_group:
        return []
    legs = list(
        Call.records.filter(leg_group=call.leg_group)
        .select_related("import_run")
        .order_by("start", "pk")
    )
    return legs if len(legs) > 1 else []


def calls_unassigned() -> QuerySet[Call]:
    """The queue: outgoing external calls with no client (no code dialled, or a code no
    client has), and those billed to a closed matter (``matter_closed_q``: to check), that
    nobody has assigned by hand."""
    waiting = Q(client__isnull=True)
    # Most firms have no closed matter at first: then the queue reads no matter at all.
    if Matter.objects.filter(Q(is_active=False) | Q(closed_on__isnull=False)).exists():
        waiting |= matter_closed_q()
    return Call.objects.filter(waiting, direction=CallDirection.OUTBOUND, client_set_by_hand=False)


def matter_closed_q() -> Q:
    """Calls billed to a matter that was closed when they were made: a matter made inactive,
    or one closed (``closed_on``) before the call's day in the firm's time zone. The code
    still bills the matter; the queue shows these calls to be checked ("pratica chiusa")."""
    return Q(matter__is_active=False) | Q(
        matter__closed_on__lt=TruncDate("start", tzinfo=firm_time_zone())
    )


@dataclass(frozen=True)
class Suggestion:
    """The client (and matter) calls to a number most often went to: `calls` of the `total`
    calls to that number that have a client."""

    client: Client
    calls: int
    total: int
    matter: Matter | None = None

    @property
    def code(self) -> str:
        """The code that assigns to it in the queue: the matter's, else the client's."""
        return self.matter.code if self.matter is not None else self.client.code


def client_suggestions(*, numbers: Iterable[str]) -> dict[str, Suggestion]:
    """For each dialled number, the client and matter its calls were most often billed to (by
    code or by hand), ties going to the one billed most recently: calls of a client with no
    matter count for the client alone, so the matter most often billed for the number comes
    first, then the client. A matter closed or inactive now is not suggested (its client is).
    One query for all the numbers (served by the partial index call_number_client_idx);
    numbers never billed are absent."""
    numbers = sorted({number for number in numbers if number})
    if not numbers:
        return {}
    rows = (
        Call.objects.filter(dialled_number__in=numbers, client__isnull=False)
        .values("dialled_number", "client", "matter")
        .annotate(calls=Count("pk"), last=Max("start"))
        .order_by()
    )
    best: dict[str, tuple[int, datetime, int, int | None]] = {}
    totals: dict[str, int] = {}
    for row in rows:
        number = row["dialled_number"]
        totals[number] = totals.get(number, 0) + row["calls"]
        candidate = (row["calls"], row["last"], row["client"], row["matter"])
        if number not in best or candidate[:2] > best[number][:2]:
            best[number] = candidate
    clients = Client.objects.in_bulk({client_id for _c, _l, client_id, _m in best.values()})
    today = today_local()
    matters = Matter.objects.filter(is_active=True).exclude(closed_on__lt=today)
    matters = matters.in_bulk({matter for _c, _l, _client, matter in best.values() if matter})
    return {
        number: Suggestion(
            client=clients[client_id], calls=calls, total=totals[number], matter=matters.get(mid)
        )
        for number, (calls, _last, client_id, mid) in best.items()
        if client_id in clients
    }


def matters_open_get(*, client_ids: Iterable[int]) -> list[Matter]:
    """The open matters (active, not closed before today) of ``client_ids``, by client and
    code: what the queue offers to choose from for the clients it suggests."""
    today = today_local()
    return list(
        Matter.objects.filter(client_id__in=set(client_ids), is_active=True)
        .exclude(closed_on__lt=today)
        .select_related("client")
        .order_by("client__name", "code")[:200]
    )


@dataclass(frozen=True)
class SuggestedAssignments:
    """Calls grouped by the client and matter suggested for each (``client_suggestions``):
    the ids per (client, matter or None), and how many of the calls have no suggestion."""

    calls_by_client: list[tuple[tuple[Client, Matter | None], list[int]]]
    unsuggested: int


def calls_by_suggested_client(*, calls: Iterable[tuple[int, str]]) -> SuggestedAssignments:
    """``calls`` ((id, dialled number) pairs) grouped by the client and matter suggested for
    each."""
    calls = list(calls)
    suggestions = client_suggestions(numbers=[number for _pk, number in calls])
    by_owner: dict[tuple[int, int | None], list[int]] = {}
    owners: dict[tuple[int, int | None], tuple[Client, Matter | None]] = {}
    for pk, number in calls:
        suggestion = suggestions.get(number)
        if suggestion is not None:
            key = (suggestion.client.pk, suggestion.matter.pk if suggestion.matter else None)
            by_owner.setdefault(key, []).append(pk)
            owners[key] = (suggestion.client, suggestion.matter)
    return SuggestedAssignments(
        calls_by_client=[(owners[key], ids) for key, ids in by_owner.items()],
        unsuggested=len(calls) - sum(len(ids) for ids in by_owner.values()),
    )


# --- Call log totals ---------------------------------------------------------------------


def call_totals(queryset, *, hours: Q | None = None) -> dict:
    """Totals of the whole filtered set (not the page): of the calls in ``queryset`` (or in a
    list of disjoint querysets, ``CallLogFilter.total_parts()``, one aggregate query each),
    or, given ``hours`` (``CallLogFilter.hour_totals_q()``: the same filter as a condition on
    hourly totals), of the ``CallHourTotal`` rows it selects, which add up to the same
    numbers (a test compares the two) from ~1/12 of the rows."""
    if hours is None:
        values = {"calls": 0, "answered": 0, "talk_seconds": 0}
        for part in queryset if isinstance(queryset, list | tuple) else [queryset]:
            # Counting '*' and the status (never NULL), not the id: the billing-code index
            # holds status and talk time, so a code pattern's totals need only the index.
            sums = part.aggregate(
                calls=Count("*"),
                answered=Count("status", filter=Q(status=CallStatus.ANSWERED)),
                talk_seconds=Coalesce(Sum("talk_seconds"), 0),
            )
            for name, value in sums.items():
                values[name] += value
    else:
        sums = CallHourTotal.objects.filter(hours).aggregate(
            all_calls=Coalesce(Sum("calls"), 0),
            answered=Coalesce(Sum("calls", filter=Q(status=CallStatus.ANSWERED)), 0),
            talk=Coalesce(Sum("talk_seconds"), 0),
        )
        values = {
            "calls": sums["all_calls"],
            "answered": sums["answered"],
            "talk_seconds": sums["talk"],
        }
    values["talk_time"] = format_duration(values["talk_seconds"])
    return values


def call_log_totals(*, filterset) -> dict:
    """The totals of a call log filter (``calls.filters.CallLogFilter``) over every filtered
    call: its halves (``total_parts``) or its hourly totals (``hour_totals_q``) when valid;
    nothing (zeros) when the filter is invalid, as the page shows no calls then."""
    if not filterset.is_valid():
        return call_totals(filterset.queryset.none())
    return call_totals(filterset.total_parts(), hours=filterset.hour_totals_q())


# --- Closed periods ----------------------------------------------------------------------


def closed_months() -> list[date]:
    """Every closed month (its first day), oldest first."""
    return list(ClosedPeriod.objects.order_by("month").values_list("month", flat=True))


def in_months_q(months: Iterable[date]) -> Q | None:
    """Calls that start in one of `months` (firm time zone), consecutive months as one
    range; None when there are no months (an empty Q would match every call)."""
    query = None
    for first, after in month_spans(months):
        span = Q(start__gte=local_midnight(first), start__lt=local_midnight(after))
        query = span if query is None else query | span
    return query


def month_range_q(month: date) -> Q:
    """Calls that start in `month` (firm time zone)."""
    return Q(start__gte=local_midnight(month), start__lt=local_midnight(next_month(month)))


def saved_call_log_filter_get(*, user) -> str | None:
    """The query string of the call log filter ``user`` last looked at, if any."""
    return SavedCallLogFilter.objects.filter(user=user).values_list("query", flat=True).first()
