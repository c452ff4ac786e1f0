"""A call's page /calls/<id>/: its fields, its assignment history, and reassigning it."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from calls.models import CallAssignment, ImportRun
from calls.services import calls_assign, period_close
from tests.conftest import logged_in
from tests.factories import make_call, make_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def make_import_run(file_name: str) -> ImportRun:
    return ImportRun.objects.create(
        file_name=file_name, file_size=0, sha256="", format_name="3cx", format_description=""
    )


def english(browser, url, **kwargs):
    return browser.get(url, headers={"accept-language": "en"}, **kwargs)


def test_it_shows_the_call_and_who_assigned_it_from_which_client_to_which(paolo, anna, affaroni):
    bianchi = make_client("456", "Bianchi S.r.l.")
    call = make_call(billing_code="999", dialled_number="0212345")
    calls_assign(calls=[call], client=bianchi, user=anna, note="first guess")
    calls_assign(calls=[call], client=affaroni, user=paolo, note="checked with Rita")
    page = english(logged_in(paolo), reverse("calls:detail", args=[call.pk])).content.decode()
    assert "0212345" in page and "999" in page
    assert "chosen by hand" in page
    history = page[page.index('id="history"') :]
    assert history.index("checked with Rita") < history.index("first guess")  # newest first
    assert "anna" in history and "paolo" in history
    assert "Bianchi S.r.l." in history and "Affaroni S.p.A." in history


def test_times_are_hours_minutes_seconds_and_the_file_has_no_path(paolo):
    run = make_import_run(file_name="/var/spool/pbx/2026-05/cdr.log")
    call = make_call(talk_seconds=3725, ring_seconds=7, import_run=run, source_line=12)
    page = english(logged_in(paolo), reverse("calls:detail", args=[call.pk])).content.decode()
    assert '<dd id="call-talk">1:02:05</dd>' in page
    assert '<dd id="call-ring">0:00:07</dd>' in page
    assert "3725" not in page
    assert "cdr.log, line 12" in page
    assert "/var/spool" not in page


def test_a_windows_path_shows_only_the_file_name(paolo):
    run = make_import_run(file_name="C:\\3CX\\Data\\cdr.log")
    call = make_call(import_run=run)
    page = english(logged_in(paolo), reverse("calls:detail", args=[call.pk])).content.decode()
    assert '<dd id="call-import">cdr.log</dd>' in page
    assert "3CX" not in page


def test_a_call_never_assigned_by_hand_says_so(paolo):
    call = make_call()
    page = english(logged_in(paolo), reverse("calls:detail", args=[call.pk])).content.decode()
    assert "never chosen by hand" in page


def test_a_partner_reassigns_the_call_here(paolo, affaroni):
    call = make_call()
    url = reverse("calls:detail", args=[call.pk])
    response = logged_in(paolo).post(url, {"client_code": "123", "note": "n"})
    assert response.status_code == 302
    assert response["Location"] == url + "?next=%2Fcalls%2Funassigned%2F"  # the default way back
    call.refresh_from_db()
    assert (call.client, call.client_set_by_hand) == (affaroni, True)
    assert CallAssignment.objects.get().note == "n"


def test_an_unknown_code_is_refused_on_the_page(paolo, affaroni):
    call = make_call()
    url = reverse("calls:detail", args=[call.pk])
    response = logged_in(paolo).post(url, {"client_code": "999"}, headers={"accept-language": "en"})
    assert response.status_code == 400
    assert "No client or matter has code 999." in response.content.decode()
    assert not CallAssignment.objects.exists()


def test_a_call_in_a_closed_month_is_not_reassigned(paolo, affaroni):
    period_close(month=date(2026, 4, 1), user=paolo)
    call = make_call(start=datetime(2026, 4, 10, 9, 0, tzinfo=UTC))
    url = reverse("calls:detail", args=[call.pk])
    browser = logged_in(paolo)
    assert "is closed: reopen the period" in english(browser, url).content.decode()
    response = browser.post(url, {"client_code": "123"}, headers={"accept-language": "en"})
    assert response.status_code == 400
    assert "Closed period: April 2026." in response.content.decode()
    call.refresh_from_db()
    assert call.client is None


@pytest.mark.parametrize("persona", ["rita", "nora"])
def test_other_roles_cannot_reassign(request, persona, affaroni):
    call = make_call()
    browser = logged_in(request.getfixturevalue(persona))
    response = browser.post(reverse("calls:detail", args=[call.pk]), {"client_code": "123"})
    assert response.status_code == 403
    assert not CallAssignment.objects.exists()


@pytest.mark.parametrize("pk", [999999, 2**63 + 5])
def test_a_call_that_does_not_exist_is_404(paolo, pk):
    assert logged_in(paolo).get(f"/calls/{pk}/").status_code == 404


# --- A closed matter, the way back, a closed month in the queue (issue 21) --------------------


def test_a_closed_matter_is_assigned_only_once_confirmed(paolo, affaroni):
    from tests.factories import make_matter

    make_matter(affaroni, "12301", "Causa Rossi", is_active=False)
    call = make_call()
    url = reverse("calls:detail", args=[call.pk])
    browser = logged_in(paolo)
    asked = browser.post(url, {"client_code": "12301"}, headers={"accept-language": "en"})
    assert asked.status_code == 200
    assert "Matter Causa Rossi (12301) is closed. Assign the call to it all the same?" in (
        asked.content.decode()
    )
    call.refresh_from_db()
    assert call.matter is None and not CallAssignment.objects.exists()

    done = browser.post(url, {"client_code": "12301", "confirm": "12301"})
    assert done.status_code == 302
    call.refresh_from_db()
    assert call.matter.code == "12301"


def test_a_confirmation_for_another_matter_does_not_count(paolo, affaroni):
    from tests.factories import make_matter

    make_matter(affaroni, "12301", "Causa Rossi", is_active=False)
    call = make_call()
    url = reverse("calls:detail", args=[call.pk])
    response = logged_in(paolo).post(url, {"client_code": "12301", "confirm": "12399"})
    assert response.status_code == 200
    call.refresh_from_db()
    assert call.matter is None


def test_the_back_link_leads_where_the_user_came_from(paolo):
    call = make_call()
    url = reverse("calls:detail", args=[call.pk])
    browser = logged_in(paolo)
    page = english(browser, url, query_params={"next": "/calls/?number=345%25"}).content.decode()
    assert 'href="/calls/?number=345%25" id="back-link">&larr; Call log<' in page
    page = english(browser, url).content.decode()
    assert 'href="/calls/unassigned/" id="back-link">&larr; Unassigned calls<' in page
    page = english(browser, url, query_params={"next": "/clients/123/"}).content.decode()
    assert 'href="/clients/123/" id="back-link">&larr; Back<' in page


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_a_back_link_to_another_site_is_ignored(paolo, elsewhere):
    call = make_call()
    url = reverse("calls:detail", args=[call.pk])
    page = english(logged_in(paolo), url, query_params={"next": elsewhere}).content.decode()
    links = page[page.index('<p class="backlinks">') :]
    links = links[: links.index("</p>")]
    assert links.endswith('<a href="/calls/unassigned/" id="back-link">&larr; Unassigned calls</a>')
    assert '<input type="hidden" name="next" value="/calls/unassigned/">' in page


def test_the_call_log_and_the_queue_link_to_the_call_with_their_own_address(paolo):
    call = make_call(start=datetime(2026, 5, 4, 9, 0, tzinfo=UTC), destination="0212345")
    browser = logged_in(paolo)
    log = browser.get(reverse("calls:log"), {"period": "this_month"}).content.decode()
    assert f"/calls/{call.pk}/?next=%2Fcalls%2F%3Fperiod%3Dthis_month" in log
    queue = browser.get(reverse("calls:unassigned")).content.decode()
    assert f"/calls/{call.pk}/?next=%2Fcalls%2Funassigned%2F" in queue


def test_in_a_closed_month_the_queues_assign_buttons_are_disabled_and_say_why(paolo):
    period_close(month=date(2026, 4, 1), user=paolo)
    make_call(start=datetime(2026, 4, 10, 9, 0, tzinfo=UTC))
    browser = logged_in(paolo)
    closed = english(browser, reverse("calls:unassigned"), query_params={"period": "last_month"})
    page = closed.content.decode()
    assert '<button type="submit" name="action" value="client" disabled>' in page
    assert "This month is closed: its calls cannot be assigned." in page
    open_month = english(browser, reverse("calls:unassigned")).content.decode()
    assert '<button type="submit" name="action" value="client">' in open_month
    assert "This month is closed" not in open_month
