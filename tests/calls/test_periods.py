"""calls.periods: months in the firm's time zone, runs of months; no database."""

from datetime import UTC, date, datetime

from calls.periods import month_of, month_spans, next_month, previous_month, recent_months
from tests.conftest import ROME


def test_a_call_belongs_to_the_month_of_its_start_in_the_firms_time_zone():
    # 22:30 UTC on 31 May is 00:30 on 1 June in Rome (summer time).
    assert month_of(datetime(2026, 5, 31, 22, 30, tzinfo=UTC), ROME) == date(2026, 6, 1)
    assert month_of(datetime(2026, 5, 31, 21, 59, tzinfo=UTC), ROME) == date(2026, 5, 1)


def test_months_wrap_around_the_year():
    assert next_month(date(2026, 12, 1)) == date(2027, 1, 1)
    assert previous_month(date(2026, 1, 1)) == date(2025, 12, 1)


def test_consecutive_months_become_one_span():
    months = [date(2026, 2, 1), date(2026, 1, 1), date(2026, 4, 1), date(2026, 1, 1)]
    assert month_spans(months) == [
        (date(2026, 1, 1), date(2026, 3, 1)),
        (date(2026, 4, 1), date(2026, 5, 1)),
    ]
    assert month_spans([]) == []


def test_recent_months_are_newest_first():
    assert recent_months(date(2026, 2, 17), 3) == [
        date(2026, 2, 1),
        date(2026, 1, 1),
        date(2025, 12, 1),
    ]
