"""The unassigned calls queue /calls/unassigned/: which calls wait, suggestions, assigning one
or many, hostile input, closed months, and no query per row. "Now" is Wednesday 13 May 2026."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.models import Call, CallAssignment
from calls.services import period_close
from tests.conftest import ROME, logged_in
from tests.factories import make_call, make_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

URL = reverse("calls:unassigned")


@pytest.fixture
def bianchi():
    return make_client("456", "Bianchi S.r.l.")


def english(browser, url):
    return browser.get(url, headers={"accept-language": "en"})


def post(browser, data, url=URL):
    return browser.post(url, data, headers={"accept-language": "en"})


def rows(response):
    return [row.record for row in response.context["table"].page.object_list]


def texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def may(day=4, hour=9, **fields):
    return make_call(start=datetime(2026, 5, day, hour, 0, tzinfo=ROME), **fields)


# --- What waits -----------------------------------------------------------------------------


def test_it_lists_outgoing_calls_with_no_client_of_this_month(browser, affaroni):
    uncoded = may(dialled_number="0212345")
    unknown = may(billing_code="999", dialled_number="0298765")
    may(billing_code="123", client=affaroni)
    may(direction=Call.Direction.INTERNAL, dialled_number="201")
    may(direction=Call.Direction.INBOUND)
    make_call(start=datetime(2026, 4, 30, 9, 0, tzinfo=ROME))  # last month
    response = english(browser, URL)
    assert response.status_code == 200
    assert {call.pk for call in rows(response)} == {uncoded.pk, unknown.pk}
    assert response.context["waiting"] == 2
    page = response.content.decode()
    assert "unknown code 999" in page
    assert "2 calls waiting from" in page
    assert reverse("calls:detail", args=[uncoded.pk]) in page


def test_the_period_can_be_chosen(browser):
    april = make_call(start=datetime(2026, 4, 30, 9, 0, tzinfo=ROME))
    may()
    response = browser.get(URL + "?period=last_month")
    assert [call.pk for call in rows(response)] == [april.pk]
    response = browser.get(URL + "?date_after=2026-04-30&date_before=2026-04-30")
    assert [call.pk for call in rows(response)] == [april.pk]


def test_an_invalid_period_lists_nothing_and_says_so(browser):
    may()
    response = english(browser, URL + "?date_after=2026-02-30")
    assert response.status_code == 200
    assert rows(response) == []
    assert "Correct the filter" in response.content.decode()


def test_each_row_shows_the_client_the_number_was_most_often_billed_to(browser, affaroni, bianchi):
    for client in (affaroni, affaroni, bianchi):
        make_call(dialled_number="0212345", client=client, start=datetime(2026, 3, 1, tzinfo=UTC))
    waiting = may(dialled_number="0212345")
    alone = may(dialled_number="0299999")
    response = english(browser, URL)
    suggestions = response.context["table"].suggestions
    assert suggestions["0212345"].client == affaroni
    assert "0299999" not in suggestions
    page = response.content.decode()
    assert "2 of 3 calls" in page
    assert f"name='one' value='{waiting.pk}'" in page
    assert f"name='one' value='{alone.pk}'" not in page


def test_the_queries_do_not_grow_with_the_rows(browser, affaroni):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(URL).status_code == 200
        return len(queries)

    may(dialled_number="0200000")
    make_call(dialled_number="0200000", client=affaroni, start=datetime(2026, 3, 1, tzinfo=UTC))
    few = count_queries()
    for i in range(1, 40):
        number = f"02{i:05d}"
        may(dialled_number=number)
        make_call(dialled_number=number, client=affaroni, start=datetime(2026, 3, 1, tzinfo=UTC))
    assert count_queries() == few


# --- Assigning ------------------------------------------------------------------------------


def test_selected_calls_are_assigned_to_a_client_by_code(browser, paolo, affaroni):
    first, second, left = may(), may(), may()
    response = post(
        browser,
        {"calls": [first.pk, second.pk], "client_code": "123", "note": "ok", "action": "client"},
        URL + "?period=this_month",
    )
    assert response.status_code == 302
    assert response["Location"] == URL + "?period=this_month"
    assert texts(response) == ["2 calls assigned to Affaroni S.p.A."]
    assert set(Call.objects.filter(client=affaroni).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert set(CallAssignment.objects.values_list("call", "user", "note")) == {
        (first.pk, paolo.pk, "ok"),
        (second.pk, paolo.pk, "ok"),
    }
    page = english(browser, URL)
    assert [call.pk for call in rows(page)] == [left.pk]


def test_a_row_is_assigned_to_its_suggestion_with_one_click(browser, affaroni):
    make_call(dialled_number="0212345", client=affaroni, start=datetime(2026, 3, 1, tzinfo=UTC))
    call = may(dialled_number="0212345")
    other = may(dialled_number="0212345")
    response = post(browser, {"one": call.pk, "calls": [other.pk], "client_code": ""})
    assert texts(response) == ["1 call assigned to Affaroni S.p.A."]
    call.refresh_from_db()
    other.refresh_from_db()
    assert (call.client, call.client_set_by_hand) == (affaroni, True)
    assert other.client is None  # the row button takes its own call only


def test_selected_calls_go_to_their_own_suggestions(browser, affaroni, bianchi):
    old = datetime(2026, 3, 1, tzinfo=UTC)
    make_call(dialled_number="0211111", client=affaroni, start=old)
    make_call(dialled_number="0222222", client=bianchi, start=old)
    to_affaroni, to_bianchi, nothing = (
        may(dialled_number="0211111"),
        may(dialled_number="0222222"),
        may(dialled_number="0233333"),
    )
    response = post(
        browser, {"calls": [to_affaroni.pk, to_bianchi.pk, nothing.pk], "action": "suggested"}
    )
    assert sorted(texts(response)) == [
        "1 call assigned to Affaroni S.p.A.",
        "1 call assigned to Bianchi S.r.l.",
        "1 selected call has no suggested client: assign it by code.",
    ]
    for call in (to_affaroni, to_bianchi, nothing):
        call.refresh_from_db()
    assert (to_affaroni.client, to_bianchi.client, nothing.client) == (affaroni, bianchi, None)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"calls": ["1"], "client_code": "999", "action": "client"},
            "No client or matter has code 999.",
        ),
        ({"calls": ["1"], "client_code": "", "action": "client"}, "Enter the code of the client"),
        ({"client_code": "123", "action": "client"}, "Select at least one call."),
        ({"calls": ["abc"], "client_code": "123", "action": "client"}, "not valid"),
        ({"calls": ["-4"], "client_code": "123", "action": "client"}, "not valid"),
        ({"calls": ["1"], "client_code": "123"}, "Choose what to do"),
        ({"calls": ["1"], "client_code": "123", "action": "delete"}, "Select a valid choice"),
        ({"one": "x"}, "Enter a whole number"),
        ({"calls": ["1"], "client_code": "1" * 50, "action": "client"}, "at most 10 characters"),
        ({"calls": [str(n) for n in range(1, 600)], "action": "suggested"}, "at most 500"),
    ],
)
def test_hostile_or_incomplete_posts_get_a_clear_message_and_change_nothing(
    browser, affaroni, data, message
):
    may()
    response = post(browser, data)
    assert response.status_code == 302
    assert any(message in text for text in texts(response)), texts(response)
    assert not CallAssignment.objects.exists()
    assert not Call.objects.filter(client__isnull=False).exists()


def test_calls_not_in_the_queue_are_left_alone_with_a_warning(browser, affaroni, bianchi):
    waiting = may()
    billed = may(billing_code="456", client=bianchi)
    internal = may(direction=Call.Direction.INTERNAL)
    response = post(
        browser,
        {
            "calls": [waiting.pk, billed.pk, internal.pk, 10**9],
            "client_code": "123",
            "action": "client",
        },
    )
    assert texts(response) == [
        "3 selected calls are no longer waiting (assigned meanwhile, or not unassigned calls) "
        "and were left as they were.",
        "1 call assigned to Affaroni S.p.A.",
    ]
    billed.refresh_from_db()
    assert billed.client == bianchi
    assert CallAssignment.objects.get().call == waiting


def test_calls_of_a_closed_month_are_refused_naming_the_month(browser, paolo, affaroni):
    period_close(month=date(2026, 4, 1), user=paolo)
    april = make_call(start=datetime(2026, 4, 20, 9, 0, tzinfo=ROME))
    may_call = may()
    response = post(
        browser,
        {"calls": [april.pk, may_call.pk], "client_code": "123", "action": "client"},
        URL + "?period=last_month",
    )
    assert texts(response) == [
        "Closed period: April 2026. Its calls cannot be reassigned until the period is reopened."
    ]
    assert not CallAssignment.objects.exists()


def test_suggested_assignments_are_all_or_nothing_when_a_month_is_closed(
    browser, paolo, affaroni, bianchi
):
    old = datetime(2026, 2, 1, tzinfo=UTC)
    make_call(dialled_number="0211111", client=affaroni, start=old)
    make_call(dialled_number="0222222", client=bianchi, start=old)
    period_close(month=date(2026, 4, 1), user=paolo)
    open_call = may(dialled_number="0211111")
    closed_call = make_call(dialled_number="0222222", start=datetime(2026, 4, 9, tzinfo=ROME))
    response = post(browser, {"calls": [open_call.pk, closed_call.pk], "action": "suggested"})
    assert any("Closed period: April 2026" in text for text in texts(response))
    assert not CallAssignment.objects.exists()


def test_a_post_of_more_fields_than_django_accepts_is_a_bad_request_not_an_error(browser):
    response = browser.post(URL, {"calls": [str(n) for n in range(1, 1100)]})
    assert response.status_code == 400
    assert not CallAssignment.objects.exists()


def test_the_post_needs_the_csrf_token(paolo, affaroni):
    from django.test import Client as BrowserClient

    browser = BrowserClient(enforce_csrf_checks=True)
    browser.force_login(paolo)
    call = may()
    response = browser.post(URL, {"calls": [call.pk], "client_code": "123", "action": "client"})
    assert response.status_code == 403
    assert not CallAssignment.objects.exists()


@pytest.mark.parametrize("persona", ["rita", "nora"])
def test_only_partners_and_administrators_may_assign(request, persona, affaroni):
    call = may()
    browser = logged_in(request.getfixturevalue(persona))
    response = browser.post(URL, {"calls": [call.pk], "client_code": "123", "action": "client"})
    assert response.status_code == 403
    assert not CallAssignment.objects.exists()


def test_administrators_assign_too(anna, affaroni):
    call = may()
    response = post(logged_in(anna), {"calls": [call.pk], "client_code": "123", "action": "client"})
    assert texts(response) == ["1 call assigned to Affaroni S.p.A."]


def test_anonymous_posts_go_to_the_login_page(client, affaroni):
    response = client.post(URL, {"calls": [may().pk], "client_code": "123", "action": "client"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_page_is_italian_by_default(browser):
    may()
    page = browser.get(URL).content.decode()
    assert "Chiamate da assegnare" in page


def test_pages_of_the_queue_are_50_calls(browser):
    start = datetime(2026, 5, 2, 8, 0, tzinfo=ROME)
    for i in range(55):
        make_call(start=start + timedelta(minutes=i))
    assert len(rows(browser.get(URL))) == 50
    assert len(rows(browser.get(URL + "?page=2"))) == 5


# --- After a refusal, and closed months -----------------------------------------------------


def test_a_refused_assignment_keeps_the_ticks_the_code_and_the_note(browser, affaroni):
    first, second, left = may(), may(), may()
    response = post(
        browser,
        {
            "calls": [first.pk, second.pk],
            "client_code": "999",
            "note": "per Rossi",
            "action": "client",
        },
        URL + "?period=this_month",
    )
    assert response.status_code == 302
    assert response["Location"] == URL + "?period=this_month"
    page = english(browser, response["Location"]).content.decode()
    assert "No client or matter has code 999." in page
    assert f"value='{first.pk}' checked" in page
    assert f"value='{second.pk}' checked" in page
    assert f"value='{left.pk}'>" in page  # not ticked
    assert 'name="client_code" value="999"' in page
    assert 'name="note" value="per Rossi"' in page
    # Once: the next visit starts empty.
    again = english(browser, URL + "?period=this_month").content.decode()
    assert "checked" not in again
    assert 'name="client_code" value="999"' not in again


def test_a_refusal_in_a_closed_month_keeps_the_selection_too(browser, paolo, affaroni):
    period_close(month=date(2026, 4, 1), user=paolo)
    april = make_call(start=datetime(2026, 4, 20, 9, 0, tzinfo=ROME))
    page = english(
        browser,
        post(
            browser,
            {"calls": [april.pk], "client_code": "123", "action": "client"},
            URL + "?period=this_month",
        )["Location"],
    ).content.decode()
    assert 'name="client_code" value="123"' in page


def test_a_successful_assignment_keeps_nothing(browser, affaroni):
    first = may()
    may()
    response = post(browser, {"calls": [first.pk], "client_code": "123", "action": "client"})
    page = english(browser, response["Location"]).content.decode()
    assert "checked" not in page
    assert 'name="client_code" value="123"' not in page


def test_calls_of_a_closed_month_can_be_neither_ticked_nor_assigned(browser, paolo, affaroni):
    old = datetime(2026, 2, 1, tzinfo=UTC)
    make_call(dialled_number="0211111", client=affaroni, start=old)
    make_call(dialled_number="0211111", client=affaroni, start=old)
    period_close(month=date(2026, 4, 1), user=paolo)
    closed = make_call(dialled_number="0211111", start=datetime(2026, 4, 20, 9, 0, tzinfo=ROME))
    unsuggested = make_call(dialled_number="0299999", start=datetime(2026, 4, 21, tzinfo=ROME))
    page = english(browser, URL + "?date_after=2026-04-01&date_before=2026-05-31")
    assert {call.pk for call in rows(page)} >= {closed.pk, unsuggested.pk}
    html = page.content.decode()
    assert f"value='{closed.pk}' disabled" in html
    assert f"value='{unsuggested.pk}' disabled" in html
    assert f"name='one' value='{closed.pk}'" not in html
    assert html.count("closed month") >= 2
    open_call = may(dialled_number="0211111")
    html = english(browser, URL).content.decode()
    assert f"name='one' value='{open_call.pk}'" in html
    assert "closed month" not in html
