"""calls.filters.CallLogFilter: each filter and preset on hand-made calls whose answer is known.

"Now" is frozen at Wednesday 13 May 2026, 12:00 in Rome (10:00 UTC)."""

from datetime import datetime

import pytest
from django.utils import translation

from calls.filters import CallLogFilter
from calls.models import Call
from firm.lib.dates import period_days
from firm.models import FirmSettings
from tests.conftest import ROME
from tests.factories import make_call, make_client, make_trunk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def rome(*args) -> datetime:
    return datetime(*args, tzinfo=ROME)


def filtered(**params) -> set[str]:
    """The pbx_call_id of the calls the filter selects (it must be valid)."""
    filterset = CallLogFilter(params, queryset=Call.objects.all())
    assert filterset.is_valid(), filterset.form.errors
    return set(filterset.qs.values_list("pbx_call_id", flat=True))


def errors(**params) -> dict:
    filterset = CallLogFilter(params, queryset=Call.objects.all())
    assert not filterset.is_valid()
    return filterset.form.errors


def call(name: str, start: datetime | None = None, **fields) -> Call:
    return make_call(pbx_call_id=name, start=start or rome(2026, 5, 12, 10, 0), **fields)


# --- Periods and dates ----------------------------------------------------------------------


@pytest.fixture
def calendar_calls():
    for name, start in {
        "today_first": rome(2026, 5, 13, 0, 0),
        "today_last": rome(2026, 5, 13, 23, 59, 59),
        "yesterday_last": rome(2026, 5, 12, 23, 59, 59),
        "monday": rome(2026, 5, 11, 0, 0),
        "sunday_before": rome(2026, 5, 10, 23, 59),
        "last_monday": rome(2026, 5, 4, 0, 0),
        "sunday_two_weeks_ago": rome(2026, 5, 3, 12, 0),
        "first_of_month": rome(2026, 5, 1, 0, 0),
        "last_of_april": rome(2026, 4, 30, 23, 59),
        "first_of_april": rome(2026, 4, 1, 0, 0),
        "end_of_march": rome(2026, 3, 31, 23, 59),
        "new_year": rome(2026, 1, 1, 0, 0),
        "new_years_eve": rome(2025, 12, 31, 23, 59),
        "next_month": rome(2026, 6, 1, 0, 0),
    }.items():
        call(name, start)


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("today", {"today_first", "today_last"}),
        ("yesterday", {"yesterday_last"}),
        ("this_week", {"today_first", "today_last", "yesterday_last", "monday"}),
        ("last_week", {"sunday_before", "last_monday"}),
        (
            "this_month",
            {
                "today_first",
                "today_last",
                "yesterday_last",
                "monday",
                "sunday_before",
                "last_monday",
                "sunday_two_weeks_ago",
                "first_of_month",
            },
        ),
        ("last_month", {"last_of_april", "first_of_april"}),
    ],
)
def test_each_period_preset_selects_its_days_in_the_firms_time_zone(
    calendar_calls, period, expected
):
    assert filtered(period=period) == expected


def test_this_year_runs_from_the_first_of_january_to_the_end_of_december(calendar_calls):
    everything = set(Call.objects.values_list("pbx_call_id", flat=True))
    assert filtered(period="this_year") == everything - {"new_years_eve"}


def test_with_no_dates_and_no_period_the_log_shows_this_month(calendar_calls):
    assert filtered() == filtered(period="this_month")
    assert "last_of_april" not in filtered()


def test_weeks_start_on_monday_and_last_month_wraps_the_year():
    sunday = datetime(2026, 5, 17).date()
    assert period_days("this_week", sunday)[0].isoformat() == "2026-05-11"
    january = datetime(2026, 1, 15).date()
    assert [d.isoformat() for d in period_days("last_month", january)] == [
        "2025-12-01",
        "2025-12-31",
    ]


def test_dates_are_inclusive_days_in_the_firms_time_zone(calendar_calls):
    assert filtered(date_after="2026-05-11", date_before="2026-05-12") == {
        "monday",
        "yesterday_last",
    }
    # 00:30 in Rome is still the previous day in UTC: the local day counts.
    call("just_after_midnight", rome(2026, 5, 4, 0, 30))
    assert "just_after_midnight" in filtered(date_after="2026-05-04", date_before="2026-05-04")


def test_a_day_of_23_hours_at_the_start_of_summer_time_is_covered_whole():
    call("before", rome(2026, 3, 28, 23, 59))
    call("early", rome(2026, 3, 29, 0, 0))
    call("late", rome(2026, 3, 29, 23, 59))
    call("after", rome(2026, 3, 30, 0, 0))
    assert filtered(date_after="2026-03-29", date_before="2026-03-29") == {"early", "late"}


def test_either_end_of_the_dates_may_be_left_open(calendar_calls):
    assert filtered(date_after="2026-05-13") == {"today_first", "today_last", "next_month"}
    assert filtered(date_before="2025-12-31") == {"new_years_eve"}


def test_dates_win_over_the_period(calendar_calls):
    assert filtered(period="today", date_after="2026-04-30", date_before="2026-04-30") == {
        "last_of_april"
    }


@pytest.mark.parametrize(
    "params",
    [
        {"date_after": "2026-02-30"},
        {"date_before": "13/13/2026"},
        {"date_after": "2026-05-10", "date_before": "2026-05-01"},
        {"date_after": "0001-01-01"},
        {"date_before": "9999-12-31"},
        {"period": "tomorrow"},
    ],
)
def test_impossible_dates_and_periods_are_form_errors(params):
    assert errors(**params)


def test_the_database_is_asked_for_a_range_of_start_not_a_date_function():
    filterset = CallLogFilter(
        {"date_after": "2026-05-01", "date_before": "2026-05-31"}, queryset=Call.objects.all()
    )
    assert filterset.is_valid()
    sql = str(filterset.qs.query)
    assert "django_datetime_cast_date" not in sql and "AT TIME ZONE" not in sql
    assert '"start" >= ' in sql and '"start" < ' in sql


# --- Destination ----------------------------------------------------------------------------


@pytest.fixture
def destinations():
    client = make_client(code="123", name="Affaroni S.p.A.")
    call("client_123", destination="3454565678**123", billing_code="123", client=client)
    call("client_1234", destination="3454565678**1234", billing_code="1234")
    call("client_245", destination="0232123456**245", billing_code="245")
    call("milan_plain", destination="0232123456")
    call("malformed", destination="345**12a")
    call("internal", destination="115", direction=Call.Direction.INTERNAL)
    call("inbound", caller="3331234567", destination="101", direction=Call.Direction.INBOUND)


ALL = {
    "client_123",
    "client_1234",
    "client_245",
    "milan_plain",
    "malformed",
    "internal",
    "inbound",
}


@pytest.mark.parametrize(
    ("destination", "expected"),
    [
        ("all", ALL),
        ("", ALL),
        ("external", {"client_123", "client_1234", "client_245", "milan_plain", "malformed"}),
        ("internal", {"internal"}),
    ],
)
def test_destination_choices_all_external_internal(destinations, destination, expected):
    assert filtered(destination=destination) == expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        # The seed's three patterns (the malformed suffix 345**12a matches by scanning).
        ("%**%", {"client_123", "client_1234", "client_245", "malformed"}),
        ("%**123", {"client_123"}),
        ("%**1%", {"client_123", "client_1234", "malformed"}),
        ("0232%", {"client_245", "milan_plain"}),
        ("0232123456", {"milan_plain"}),
        ("%_%", set()),  # _ is a literal character, not a one-character wildcard
    ],
)
def test_numbers_match_the_pattern_against_the_recorded_destination(
    destinations, pattern, expected
):
    assert filtered(destination="numbers", number=pattern) == expected


def test_the_pattern_follows_the_firms_billing_marker(destinations):
    call("hash_coded", destination="3454565678##123", billing_code="123")
    settings = FirmSettings.load()
    settings.billing_marker = "##"
    settings.save()
    assert filtered(destination="numbers", number="%##123") == {"client_123", "hash_coded"}


@pytest.mark.parametrize(
    ("mode", "text", "expected"),
    [
        ("pattern", "%**123", {"client_123"}),
        ("begins", "0232", {"client_245", "milan_plain"}),
        ("contains", "**12", {"client_123", "client_1234", "malformed"}),
        ("ends", "123", {"client_123"}),
        ("exact", "0232123456", {"milan_plain"}),
        ("begins", "0232%", set()),  # outside "pattern", % is a literal percent sign
    ],
)
def test_number_modes(destinations, mode, text, expected):
    assert filtered(destination="numbers", number=text, number_mode=mode) == expected


def test_not_selects_every_other_call(destinations):
    assert filtered(destination="numbers", number="%**%", number_not="on") == {
        "milan_plain",
        "internal",
        "inbound",
    }
    assert filtered(
        destination="numbers", number="0232", number_mode="begins", number_not="on"
    ) == (ALL - {"client_245", "milan_plain"})


def test_a_number_narrows_the_other_destination_choices_too(destinations):
    assert filtered(destination="external", number="%**1%") == {
        "client_123",
        "client_1234",
        "malformed",
    }
    assert filtered(destination="internal", number="%**%") == set()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"destination": "numbers"}, "Enter a number or a pattern"),
        ({"destination": "numbers", "number": "   "}, "Enter a number or a pattern"),
        ({"number": "%" * 10_000}, "at most 100 characters long; this one has 10000"),
        ({"number": "12\t3"}, "control characters"),
        ({"number": "123", "number_mode": "regex"}, "valid choice"),
    ],
)
def test_unusable_patterns_are_form_errors_on_the_number(params, message):
    with translation.override("en"):
        found = errors(**params)
        text = " ".join(str(error) for errors in found.values() for error in errors)
    assert message in text


def test_pattern_errors_are_translated_into_italian():
    with translation.override("it"):
        message = str(errors(destination="numbers", number="1" * 500)["number"][0])
    assert "500" in message
    assert "caratteri" in message


# --- The other filters ----------------------------------------------------------------------


def test_caller_is_an_exact_extension():
    call("from_114", caller="114")
    call("from_1140", caller="1140")
    assert filtered(caller="114") == {"from_114"}


def test_trunk():
    gsm = make_trunk("9", "GSM")
    voip = make_trunk("8", "VoIP")
    call("gsm", trunk=gsm)
    call("voip", trunk=voip)
    call("none")
    assert filtered(trunk=str(gsm.pk)) == {"gsm"}
    assert errors(trunk="not-a-trunk")


def test_client_is_the_clients_code_exactly():
    affaroni = make_client(code="123", name="Affaroni S.p.A.")
    other = make_client(code="1234", name="Altri S.r.l.")
    call("affaroni", client=affaroni, billing_code="123")
    call("other", client=other, billing_code="1234")
    call("unknown", billing_code="12")
    assert filtered(client="123") == {"affaroni"}
    assert filtered(client="999") == set()


@pytest.mark.parametrize("status", ["answered", "no_answer", "busy", "failed"])
def test_status(status):
    for value in Call.Status.values:
        call(value, status=value, talk_seconds=0)
    assert filtered(status=status) == {status}


@pytest.mark.parametrize("direction", ["outbound", "internal", "inbound"])
def test_direction(direction):
    for value in Call.Direction.values:
        call(value, direction=value)
    assert filtered(direction=direction) == {direction}


def test_with_and_without_billing_code_and_unknown_code():
    client = make_client(code="123")
    call("known", billing_code="123", client=client)
    call("unknown", billing_code="777")
    call("uncoded")
    assert filtered(has_code="yes") == {"known", "unknown"}
    assert filtered(has_code="no") == {"uncoded"}
    assert filtered(unknown_code="on") == {"unknown"}
    assert filtered(unknown_code="") == {"known", "unknown", "uncoded"}


def test_minimum_talk_time_includes_the_boundary():
    call("short", talk_seconds=29)
    call("boundary", talk_seconds=30)
    call("long", talk_seconds=3600)
    assert filtered(min_talk="30") == {"boundary", "long"}
    assert errors(min_talk="-1")
    assert errors(min_talk="1e400")
    assert errors(min_talk="99999999999999999999999")
