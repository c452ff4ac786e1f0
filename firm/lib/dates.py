"""Days and periods in the firm's time zone (``settings.TIME_ZONE``), shared by every app:
local midnights, the preset periods (today … this year), a range of days as a query.

Filters, forms, selectors and printing all read days this way, so a call at 00:30 local
time falls on the same day everywhere.
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Dates outside these years are refused: they cannot be turned into database times safely.
MIN_YEAR, MAX_YEAR = 1970, 2999

PERIOD_CHOICES = [
    ("today", _("Today")),
    ("yesterday", _("Yesterday")),
    ("this_week", _("This week")),
    ("last_week", _("Last week")),
    ("this_month", _("This month")),
    ("last_month", _("Last month")),
    ("this_year", _("This year")),
]


def firm_time_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def today_local() -> date:
    """Today in the firm's time zone."""
    return timezone.localdate(timezone=firm_time_zone())


def month_days(month: date) -> tuple[date, date]:
    """The first and last day of ``month`` (any day of it)."""
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def local_midnight(day: date) -> datetime:
    """The aware datetime at which ``day`` begins in the firm's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min), firm_time_zone())


def period_days(period: str, today: date) -> tuple[date, date]:
    """The first and last day (both inclusive) of a preset period around ``today``."""
    if period == "today":
        return today, today
    if period == "yesterday":
        day = today - timedelta(days=1)
        return day, day
    if period in ("this_week", "last_week"):
        monday = today - timedelta(days=today.weekday())
        if period == "last_week":
            monday -= timedelta(days=7)
        return monday, monday + timedelta(days=6)
    if period in ("this_month", "last_month"):
        year, month = today.year, today.month
        if period == "last_month":
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        return month_days(date(year, month, 1))
    if period == "this_year":
        return date(today.year, 1, 1), date(today.year, 12, 31)
    raise ValueError(f"Unknown period {period!r}")


@dataclass(frozen=True)
class DayRange:
    """The days the log covers (``first`` or ``last`` None: open on that side)."""

    first: date | None
    last: date | None
    period: str | None = None

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """[first local midnight, the local midnight after the last day), None when open."""
        return (
            local_midnight(self.first) if self.first is not None else None,
            local_midnight(self.last + timedelta(days=1)) if self.last is not None else None,
        )

    def q(self, field: str = "start") -> Q:
        """The range as a condition on ``field`` (``start`` of a call, ``hour`` of its
        totals)."""
        after, before = self.bounds()
        query = Q()
        if after is not None:
            query &= Q(**{f"{field}__gte": after})
        if before is not None:
            query &= Q(**{f"{field}__lt": before})
        return query

    def on_whole_hours(self) -> bool:
        """Whether both ends fall on a whole hour in UTC (every local midnight of a time zone
        with a whole-hour offset, e.g. Europe/Rome), so hourly totals cover the range exactly."""
        return all(
            bound is None or (bound.minute, bound.second, bound.microsecond) == (0, 0, 0)
            for bound in (
                None if bound is None else bound.astimezone(UTC) for bound in self.bounds()
            )
        )


def is_calendar_month(first_day: date, last_day: date) -> bool:
    """Whether the days from ``first_day`` to ``last_day`` are exactly one calendar month."""
    return (first_day, last_day) == month_days(first_day)
