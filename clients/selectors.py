"""Reads of the client index, and client statements (a client's billed calls in a period)."""

from collections.abc import Iterable

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Replace

from clients.models import Client, Contact, Matter

# What people write between a phone number's digits ("345 439.85-47", "(02) 123/45"):
# dropped from both sides before comparing, so 3454398547 finds "+39 345 439 8547".
PHONE_SEPARATORS = (" ", ".", "-", "/", "(", ")")
# A word with at least this many digits may be (part of) a phone number.
PHONE_MIN_DIGITS = 4


def client_search(*, query: str, clients: QuerySet[Client] | None = None) -> QuerySet[Client]:
    """Clients whose name, code, VAT number, tax code, contact or one of whose matters (its
    description or code) match every word of `query`.

    A client whose code, or one of whose matters' code, is exactly the query comes first, then
    the rest by name.
    """
    clients = Client.objects.all() if clients is None else clients
    words = search_words(query)
    if not words:
        return clients.order_by("name", "code")
    for word in words:
        clients = clients.filter(
            Q(name__icontains=word)
            | Q(code__startswith=word)
            | Q(vat_number__icontains=word)
            | Q(tax_code__iexact=word)
            | Q(pk__in=_contacts_matching(word).values("clients"))
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


def search_words(query: str) -> list[str]:
    """The words of a search; a query that is only a phone number written in groups
    ("345 439 8547") is one word without its separators."""
    digits = _phone_digits(query.strip())
    if digits.lstrip("+").isdigit() and len(digits.lstrip("+")) >= PHONE_MIN_DIGITS:
        return [digits]
    return query.split()


def _phone_digits(text: str) -> str:
    return "".join(ch for ch in text if ch not in PHONE_SEPARATORS)


def _contact_has_word(word: str) -> Q:
    """A contact found by a search word: in its name, or in its phone number written with or
    without spaces, dots, dashes, slashes and brackets."""
    found = Q(name__icontains=word)
    digits = _phone_digits(word)
    if sum(ch.isdigit() for ch in digits) >= PHONE_MIN_DIGITS:
        found |= Q(phone_digits__contains=digits)
    return found


def _contacts(queryset=None) -> QuerySet[Contact]:
    """Contacts with ``phone_digits``: the phone without separators (PHONE_SEPARATORS)."""
    phone = F("phone")
    for separator in PHONE_SEPARATORS:
        phone = Replace(phone, Value(separator), Value(""))
    return (Contact.objects.all() if queryset is None else queryset).annotate(phone_digits=phone)


def _contacts_matching(word: str) -> QuerySet[Contact]:
    return _contacts().filter(_contact_has_word(word))


def _client_has_word(client: Client, word: str) -> bool:
    """Whether ``client_search`` finds ``word`` in the client's own fields (as its query)."""
    lowered = word.lower()
    return (
        lowered in client.name.lower()
        or client.code.startswith(word)
        or lowered in (client.vat_number or "").lower()
        or lowered == (client.tax_code or "").lower()
    )


def contacts_found(*, query: str, clients: Iterable[Client]) -> dict[int, list[Contact]]:
    """The contacts through which ``client_search`` found ``query``, per client of ``clients``
    (a page of results) whose own name, code, VAT number and tax code do not hold every word:
    a contact of such a client is listed when it holds one of the words the client lacks (in
    its name or its phone). One query."""
    words = search_words(query)
    missing = {
        client.pk: [word for word in words if not _client_has_word(client, word)]
        for client in clients
    }
    missing = {pk: lacking for pk, lacking in missing.items() if lacking}
    if not missing:
        return {}
    wanted = set().union(*(set(lacking) for lacking in missing.values()))
    anywhere = Q()
    for word in wanted:
        anywhere |= _contact_has_word(word)
    contacts = (
        _contacts(Contact.objects.filter(clients__in=list(missing)))
        .filter(anywhere)
        .annotate(client_id=F("clients"))
        .order_by("name", "pk")
    )
    found: dict[int, list[Contact]] = {}
    for contact in contacts[:200]:
        lacking = missing.get(contact.client_id, [])
        if any(_contact_matches(contact, word) for word in lacking):
            found.setdefault(contact.client_id, []).append(contact)
    return found


def _contact_matches(contact: Contact, word: str) -> bool:
    """``_contact_has_word`` on a contact read from the database (``phone_digits`` read)."""
    if word.lower() in contact.name.lower():
        return True
    digits = _phone_digits(word)
    return sum(ch.isdigit() for ch in digits) >= PHONE_MIN_DIGITS and digits in (
        contact.phone_digits or ""
    )


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
