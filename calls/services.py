"""Writes to calls. Views, commands and admin call these; nothing else writes calls."""

from collections.abc import Iterable

from django.db.models import OuterRef, Subquery

from calls.models import Call
from clients.models import Client


def calls_link_clients(*, codes: Iterable[str]) -> int:
    """Point every call carrying one of `codes` at the client with that code, or at none.

    Used when a client is added, renamed to another code or imported, so calls recorded
    before the client existed are attached, and calls of a code that no longer exists are
    shown as unknown again. Returns the number of calls updated.
    """
    codes = [code for code in set(codes) if code]
    if not codes:
        return 0
    client_with_code = Client.objects.filter(code=OuterRef("billing_code")).values("pk")[:1]
    return Call.objects.filter(billing_code__in=codes).update(client=Subquery(client_with_code))
