"""/calls/preferences/: a partner turns the daily reminder on or off."""

import pytest
from django.urls import reverse

from calls.models import ReminderPreference
from calls.reminders import reminder_wanted
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db

URL = reverse("calls:preferences")


def test_a_partner_sees_the_reminder_on_by_default_and_turns_it_off(browser, paolo):
    page = browser.get(URL).content.decode()
    assert "Promemoria giornaliero delle chiamate da assegnare" in page
    assert 'id="id_unassigned_calls" checked' in page
    assert "non ha un indirizzo e-mail" in page
    response = browser.post(URL, {}, follow=True)
    assert "Preferenze salvate." in response.content.decode()
    assert not reminder_wanted(paolo)
    browser.post(URL, {"unassigned_calls": "on"})
    assert ReminderPreference.objects.get(user=paolo).unassigned_calls


def test_the_menu_links_to_it(browser):
    assert f'href="{URL}"' in browser.get(reverse("calls:unassigned")).content.decode()


def test_receptionists_are_refused_and_anonymous_users_sent_to_log_in(rita, client):
    assert logged_in(rita).get(URL).status_code == 403
    assert client.get(URL).status_code == 302
