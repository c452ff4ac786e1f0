"""manage.py send_reminders: one Italian e-mail per partner and day with the day's calls that
have no client, against a real SMTP server on 127.0.0.1 (tests/conftest.py, smtp_server)."""

import io
from datetime import datetime

import pytest
from django.core.management import CommandError, call_command

from calls.models import ReminderPreference, ReminderSent
from calls.reminders import reminder_preference_set
from firm.roles import PARTNER
from tests.conftest import ROME
from tests.factories import make_call, make_client, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners(paolo):
    paolo.email = "paolo@studio.test"
    paolo.first_name, paolo.last_name = "Paolo", "Rossi"
    paolo.save()
    giulia = make_user("giulia", role=PARTNER)
    giulia.email = "giulia@studio.test"
    giulia.save()
    return paolo, giulia


@pytest.fixture
def uncoded_day():
    """12 May 2026: seven outgoing calls with no client, one with a client, one the day after."""
    client = make_client(code="123", name="Affaroni S.p.A.")
    for minute, talk in enumerate([30, 600, 45, 1200, 90, 300, 61]):
        make_call(
            start=datetime(2026, 5, 12, 9, minute, tzinfo=ROME),
            talk_seconds=talk,
            dialled_number=f"0612345{minute:02d}",
        )
    make_call(start=datetime(2026, 5, 12, 11, 0, tzinfo=ROME), client=client, talk_seconds=999)
    make_call(start=datetime(2026, 5, 13, 0, 30, tzinfo=ROME), talk_seconds=5000)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("send_reminders", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_each_partner_gets_one_italian_email_with_the_days_calls_and_a_link(
    smtp_server, partners, uncoded_day, rita
):
    rita.email = "rita@studio.test"
    rita.save()
    out, _err = run("--day", "2026-05-12")
    assert "reminders sent 2" in out
    assert sorted(address for m in smtp_server.messages for address in m.rcpt) == [
        "giulia@studio.test",
        "paolo@studio.test",
    ]
    message = smtp_server.to("paolo@studio.test")[0]
    assert (
        message["Subject"].strip() == "ClientCalls: 7 chiamate senza cliente martedì 12 maggio 2026"
    )
    assert message["From"] == "Studio Legale Rossi <clientcalls@studio.test>"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Buongiorno Paolo Rossi" in text
    assert "martedì 12 maggio 2026 sono state fatte 7 chiamate" in text
    # 2326 seconds of talk: 39 minutes, rounded up.
    assert "7 chiamate in uscita senza cliente (39 minuti di conversazione)" in text
    link = (
        "https://clientcalls.studio.test/calls/unassigned/"
        "?date_after=2026-05-12&date_before=2026-05-12"
    )
    assert link in text
    assert f'href="{link.replace("&", "&amp;")}"' in html
    # The five longest, longest first; not the shorter two, nor the other days' calls.
    longest = [line for line in text.splitlines() if line.startswith("- ")]
    assert [line.split()[3] for line in longest] == [
        "0:20:00",
        "0:10:00",
        "0:05:00",
        "0:01:30",
        "0:01:01",
    ]
    assert "061234500" not in text and "1:23:20" not in text and "0:16:39" not in text


def test_the_link_opens_the_queue_on_that_day(browser, uncoded_day):
    page = browser.get("/calls/unassigned/?date_after=2026-05-12&date_before=2026-05-12")
    assert page.status_code == 200
    assert page.context["waiting"] == 7


def test_a_second_run_for_the_same_day_sends_nothing(smtp_server, partners, uncoded_day):
    run("--day", "2026-05-12")
    out, _err = run("--day", "2026-05-12")
    assert len(smtp_server.messages) == 2
    assert "reminders sent 0, already sent 2" in out
    assert ReminderSent.objects.filter(day="2026-05-12").count() == 2


def test_a_day_without_unassigned_calls_sends_nothing(smtp_server, partners, uncoded_day):
    out, _err = run("--day", "2026-05-11")
    assert "nothing sent" in out
    assert smtp_server.messages == []
    assert not ReminderSent.objects.exists()


def test_a_partner_who_turned_it_off_gets_none(smtp_server, partners, uncoded_day):
    paolo, _giulia = partners
    reminder_preference_set(user=paolo, unassigned_calls=False)
    run("--day", "2026-05-12")
    assert [m.rcpt for m in smtp_server.messages] == [["giulia@studio.test"]]


def test_without_a_day_it_reminds_of_yesterday(smtp_server, partners, uncoded_day, frozen_now):
    out, _err = run()
    assert out.startswith("2026-05-12: 7 calls")
    assert len(smtp_server.messages) == 2


def test_a_refused_address_is_retried_on_the_next_run_and_the_others_are_not_resent(
    smtp_server, partners, uncoded_day
):
    smtp_server.refuse.add("giulia@studio.test")
    with pytest.raises(CommandError) as failure:
        run("--day", "2026-05-12")
    assert failure.value.returncode == 3
    assert list(ReminderSent.objects.values_list("user__username", flat=True)) == ["paolo"]
    smtp_server.refuse.clear()
    run("--day", "2026-05-12")
    assert sorted(address for m in smtp_server.messages for address in m.rcpt) == [
        "giulia@studio.test",
        "paolo@studio.test",
    ]


def test_a_server_that_is_down_marks_nothing_sent(smtp_server, partners, uncoded_day):
    smtp_server.stop()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("send_reminders", "--day", "2026-05-12", stdout=io.StringIO(), stderr=err)
    assert "not sent to paolo <paolo@studio.test>: SMTP server unreachable" in err.getvalue()
    assert not ReminderSent.objects.exists()


def test_a_bad_day_is_refused():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--day", "12/05/2026")


def test_the_preference_is_on_by_default(partners):
    paolo, _giulia = partners
    assert not ReminderPreference.objects.exists()
    from calls.reminders import reminder_recipients, reminder_wanted

    assert reminder_wanted(paolo)
    assert paolo in reminder_recipients()
