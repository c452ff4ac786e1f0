"""The periods page /calls/periods/: close a month, reopen it with a reason, the history, and
hostile posts. "Now" is 13 May 2026."""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from calls.models import ClosedPeriod, PeriodAction, PeriodEvent
from tests.conftest import logged_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

URL = reverse("calls:periods")
APRIL = date(2026, 4, 1)


def post(user, data):
    return logged_in(user).post(URL, data, headers={"accept-language": "en"})


def texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_it_lists_the_last_twelve_months_with_close_buttons_for_ended_ones(paolo):
    response = logged_in(paolo).get(URL, headers={"accept-language": "en"})
    months = [row["month"] for row in response.context["months"]]
    assert months[0] == date(2026, 5, 1) and months[-1] == date(2025, 6, 1)
    assert len(months) == 12
    page = response.content.decode()
    assert "Open (not ended yet)" in page  # May
    assert page.count('value="close"') == 11


def test_a_partner_closes_a_month_and_it_is_recorded(paolo):
    response = post(paolo, {"action": "close", "month": "2026-04"})
    assert response.status_code == 302
    assert texts(response) == ["April 2026 closed."]
    period = ClosedPeriod.objects.get()
    assert (period.month, period.closed_by) == (APRIL, paolo)
    page = logged_in(paolo).get(URL, headers={"accept-language": "en"}).content.decode()
    assert "Closed by paolo" in page
    assert 'value="reopen"' in page


def test_reopening_needs_a_reason_and_is_recorded_with_it(paolo, anna):
    post(paolo, {"action": "close", "month": "2026-04"})
    refused = post(anna, {"action": "reopen", "month": "2026-04", "reason": ""})
    assert texts(refused) == ["Say why the period is reopened."]
    assert ClosedPeriod.objects.exists()
    response = post(anna, {"action": "reopen", "month": "2026-04", "reason": "Wrong statement"})
    assert texts(response) == ["April 2026 reopened."]
    assert not ClosedPeriod.objects.exists()
    history = list(PeriodEvent.objects.order_by("pk").values_list("action", "user", "reason"))
    assert history == [
        (PeriodAction.CLOSED, paolo.pk, ""),
        (PeriodAction.REOPENED, anna.pk, "Wrong statement"),
    ]
    page = logged_in(paolo).get(URL, headers={"accept-language": "en"}).content.decode()
    assert "Wrong statement" in page


def test_an_old_closed_month_is_still_listed(paolo):
    post(paolo, {"action": "close", "month": "2024-01"})
    response = logged_in(paolo).get(URL)
    assert date(2024, 1, 1) in [row["month"] for row in response.context["months"]]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "close", "month": "2026-05"}, "has not ended yet"),
        ({"action": "close", "month": "2027-01"}, "has not ended yet"),
        ({"action": "close", "month": "2026-13"}, "Enter a valid date."),
        ({"action": "close", "month": "nonsense"}, "Enter a valid date."),
        ({"action": "close", "month": "0001-01"}, "The month is not valid."),
        ({"action": "close"}, "This field is required."),
        ({"action": "drop", "month": "2026-04"}, "Select a valid choice"),
        ({"action": "reopen", "month": "2026-03", "reason": "x"}, "March 2026 is not closed."),
    ],
)
def test_hostile_posts_get_a_clear_message(paolo, data, message):
    response = post(paolo, data)
    assert response.status_code == 302
    assert any(message in text for text in texts(response)), texts(response)
    assert not ClosedPeriod.objects.exists()


def test_closing_twice_says_it_is_already_closed(paolo):
    post(paolo, {"action": "close", "month": "2026-04"})
    response = post(paolo, {"action": "close", "month": "2026-04"})
    assert texts(response) == ["April 2026 is already closed."]


@pytest.mark.parametrize("persona", ["rita", "nora"])
def test_other_roles_cannot_close_or_reopen(request, persona):
    response = post(request.getfixturevalue(persona), {"action": "close", "month": "2026-04"})
    assert response.status_code == 403
    assert not ClosedPeriod.objects.exists()


def test_closing_a_month_asks_first_reopening_does_not(paolo):
    page = logged_in(paolo).get(URL, headers={"accept-language": "en"}).content.decode()
    assert page.count("data-confirm=") == 11
    assert 'data-confirm="Close April 2026? Its calls can then not be reassigned' in page
