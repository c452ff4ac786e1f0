"""Reads of the client index."""

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from clients.models import Client


def client_search(*, query: str, clients: QuerySet[Client] | None = None) -> QuerySet[Client]:
    """Clients whose name, code, VAT number, tax code or contact match every word of `query`.

    A client whose code is exactly the query comes first, then the rest by name.
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
        )
    return clients.annotate(
        exact_code=Case(
            When(code=query.strip(), then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("exact_code", "name", "code")
