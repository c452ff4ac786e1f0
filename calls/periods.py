"""Months as billing periods: the month a call belongs to, and runs of consecutive months.

A call belongs to the month of its start in the firm's time zone (a call at 00:30 on 1 June
in Rome is a June call, although it started on 31 May in UTC). Pure: no Django.
"""

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo


def month_start(day: date) -> date:
    """The first day of the month of `day`."""
    return day.replace(day=1)


def next_month(month: date) -> date:
    """The first day of the month after `month`."""
    if month.month == 12:
        return date(month.year + 1, 1, 1)
    return date(month.year, month.month + 1, 1)


def previous_month(month: date) -> date:
    """The first day of the month before `month`."""
    if month.month == 1:
        return date(month.year - 1, 12, 1)
    return date(month.year, month.month - 1, 1)


def month_of(moment: datetime, zone: ZoneInfo) -> date:
    """The month (its first day) in which the aware `moment` falls, in `zone`."""
    return month_start(moment.astimezone(zone).date())


def month_spans(months: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive months merged into [first month, month after the last) spans, in order:
    January, February and April become [(Jan, Mar), (Apr, May)]."""
    spans: list[tuple[date, date]] = []
    for month in sorted({month_start(m) for m in months}):
        if spans and spans[-1][1] == month:
            spans[-1] = (spans[-1][0], next_month(month))
        else:
            spans.append((month, next_month(month)))
    return spans


def recent_months(today: date, count: int) -> list[date]:
    """The month of `today` and the `count` - 1 before it, newest first."""
    months = [month_start(today)]
    while len(months) < count:
        months.append(previous_month(months[-1]))
    return months
