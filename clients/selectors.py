"""Reads of the client index, and client statements (a client's billed calls in a period)."""

from collections.abc import Iterable

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from clients.models import Client, Matter


def client_search(*, query: str, clients: QuerySet[Client] | None = None) -> QuerySet[Client]:
    """Clients whose name, code, VAT number, tax code, contact or one of whose matters (its
    description or code) match every word of `query`.

    A client whose code, or one of whose matters' code, is exactly the query comes first, then
    the rest by name.
    """
    clients = Client.objects.all() if clients is None else clients
    words = query.split()
    if not words:
        return clients.order_by("name", "code")
    for word in words:
        clients = clients.filter(
            Q(name__icontains=word)
            | Q(code__startswith=word)
            | Q(vat_number__icontains=word)
            | Q(tax_code__iexact=word)
            | Q(pk__in=Client.objects.filter(contacts__name__icontains=word).values("pk"))
            | Q(pk__in=_matters_matching(word).values("client_id"))
        )
    exact = query.strip()
    return clients.annotate(
        exact_code=Case(
            When(code=exact, then=Value(0)),
            When(pk__in=Matter.objects.filter(code=exact).values("client_id"), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("exact_code", "name", "code")


def _matter_has_word(word: str) -> Q:
    """A matter found by a search word: in its description, or the start of its code."""
    return Q(name__icontains=word) | Q(code__startswith=word)


def _matters_matching(word: str) -> QuerySet[Matter]:
    return Matter.objects.filter(_matter_has_word(word))


def matters_found(*, query: str, client_ids: Iterable[int]) -> dict[int, list[Matter]]:
    """The matters that ``client_search`` found ``query`` in, per client of ``client_ids`` (a
    page of results): a matter matches when every word is in its description or starts its
    code. One query."""
    words = query.split()
    if not words:
        return {}
    matters = Matter.objects.filter(client_id__in=list(client_ids)).order_by("code")
    for word in words:
        matters = matters.filter(_matter_has_word(word))
    found: dict[int, list[Matter]] = {}
    for matter in matters[:200]:
        found.setdefault(matter.client_id, []).append(matter)
    return found
