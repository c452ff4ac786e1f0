"""The queue by matter: assigning to a matter by its code, suggestions that learn by matter,
and calls of closed matters waiting to be checked. "Now" is Wednesday 13 May 2026."""

from datetime import date, datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from calls.models import CallAssignment
from calls.selectors import calls_by_suggested_client, client_suggestions
from calls.services import calls_assign, calls_assign_suggested
from tests.conftest import ROME
from tests.factories import make_call, make_client, make_matter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

URL = reverse("calls:unassigned")


@pytest.fixture
def rossi(affaroni):
    return make_matter(affaroni, "12301", "Causa Rossi c. Bianchi")


def may(day=4, **fields):
    return make_call(start=datetime(2026, 5, day, 9, 0, tzinfo=ROME), **fields)


def texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_typing_a_matter_code_assigns_the_calls_to_the_matter_and_its_client(
    browser, paolo, affaroni, rossi
):
    first, second = may(billing_code="999"), may()
    response = browser.post(
        URL,
        {"calls": [first.pk, second.pk], "client_code": "12301", "action": "client"},
        headers={"accept-language": "en"},
    )
    assert texts(response) == ["2 calls assigned to Affaroni S.p.A. · Causa Rossi c. Bianchi"]
    for call in (first, second):
        call.refresh_from_db()
        assert (call.client, call.matter, call.client_set_by_hand) == (affaroni, rossi, True)
    record = CallAssignment.objects.get(call=first)
    assert (record.old_client, record.old_matter, record.new_client, record.new_matter) == (
        None,
        None,
        affaroni,
        rossi,
    )


def test_reassigning_records_the_matter_it_came_from(paolo, affaroni, rossi):
    bianchi = make_client("456", "Bianchi S.r.l.")
    call = may(billing_code="12301", client=affaroni, matter=rossi)
    calls_assign(calls=[call], client=bianchi, user=paolo)
    call.refresh_from_db()
    assert (call.client, call.matter) == (bianchi, None)
    record = CallAssignment.objects.get()
    assert (record.old_client, record.old_matter, record.new_matter) == (affaroni, rossi, None)


def test_a_matter_of_another_client_is_refused(paolo, rossi):
    bianchi = make_client("456", "Bianchi S.r.l.")
    call = may()
    with pytest.raises(ValidationError):
        calls_assign(calls=[call], client=bianchi, matter=rossi, user=paolo)
    call.refresh_from_db()
    assert call.client is None


def test_suggestions_learn_by_matter_then_by_client(affaroni, rossi):
    for _ in range(3):
        may(dialled_number="0211111", client=affaroni, matter=rossi)
    may(dialled_number="0211111", client=affaroni)  # the client with no matter: once
    for _ in range(2):
        may(dialled_number="0222222", client=affaroni)
    closed = make_matter(affaroni, "12302", "Chiusa", is_active=False)
    for _ in range(2):
        may(dialled_number="0233333", client=affaroni, matter=closed)
    found = client_suggestions(numbers=["0211111", "0222222", "0233333"])
    assert (found["0211111"].matter, found["0211111"].code, found["0211111"].calls) == (
        rossi,
        "12301",
        3,
    )
    assert found["0211111"].total == 4
    assert (found["0222222"].client, found["0222222"].matter) == (affaroni, None)
    # A matter closed now is not suggested: its client is.
    assert (found["0233333"].client, found["0233333"].matter, found["0233333"].code) == (
        affaroni,
        None,
        "123",
    )


def test_assigning_each_to_its_suggestion_gives_the_matter(paolo, affaroni, rossi):
    for _ in range(2):
        may(dialled_number="0211111", client=affaroni, matter=rossi)
    waiting = may(dialled_number="0211111")
    plan = calls_by_suggested_client(calls=[(waiting.pk, "0211111")])
    assert calls_assign_suggested(plan=plan, user=paolo) == [(rossi, 1)]
    waiting.refresh_from_db()
    assert (waiting.client, waiting.matter) == (affaroni, rossi)


def test_the_queue_shows_calls_of_a_closed_matter_with_the_reason(browser, affaroni):
    closed = make_matter(affaroni, "12302", "Eredità Verdi", closed_on=date(2026, 5, 1))
    open_matter = make_matter(affaroni, "12303", "Aperta")
    after = may(day=4, billing_code="12302", client=affaroni, matter=closed)
    before = make_call(
        start=datetime(2026, 5, 1, 9, 0, tzinfo=ROME),
        billing_code="12302",
        client=affaroni,
        matter=closed,
    )
    billed = may(billing_code="12303", client=affaroni, matter=open_matter)
    response = browser.get(URL, {"period": "this_month"})
    shown = [row.record for row in response.context["table"].page.object_list]
    assert after in shown
    assert before not in shown  # made on the day it closed: still open then
    assert billed not in shown
    page = response.content.decode()
    assert "Eredità Verdi" in page and "pratica chiusa" in page


def test_the_code_box_offers_the_open_matters_of_the_suggested_clients(browser, affaroni, rossi):
    make_matter(affaroni, "12309", "Archiviata", is_active=False)
    other = make_matter(make_client("456", "Bianchi S.r.l."), "45601", "Non suggerita")
    may(dialled_number="0211111", client=affaroni)
    may(dialled_number="0211111")
    response = browser.get(URL)
    assert list(response.context["matter_choices"]) == [rossi]
    page = response.content.decode()
    assert 'list="matter-choices"' in page
    assert '<option value="12301">Affaroni S.p.A. · Causa Rossi c. Bianchi</option>' in page
    assert other.code not in page and "12309" not in page
