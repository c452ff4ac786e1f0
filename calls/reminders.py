"""The daily reminder of calls left without a client (``manage.py send_reminders``).

Each partner who wants it (``ReminderPreference``, on by default) and has an e-mail address
gets one Italian e-mail for a day with that day's outgoing calls in the unassigned queue
(``calls_unassigned``): how many, their talk time, the five longest, and a link to the queue
filtered to that day. Nothing is sent for a day without such calls. A ``ReminderSent`` row is
written for (user, day) only once the SMTP server accepted the e-mail, so a rerun sends only
what failed. One sub-domain with its read and its write, in its own module (the data layer).
"""

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from calls.models import Call, ReminderPreference, ReminderSent
from calls.selectors import calls_unassigned
from firm.lib.dates import DayRange, firm_time_zone
from firm.lib.formats import format_duration
from firm.lib.mail import Mailer, email_message, site_url
from firm.roles import PARTNER

LONGEST = 5


@dataclass(frozen=True)
class UnassignedDay:
    """A day's outgoing calls with no client: how many, their talk time, the longest."""

    day: date
    calls: int
    talk_seconds: int
    longest: tuple[Call, ...]
    link: str


def unassigned_day(day: date) -> UnassignedDay:
    """The queue's calls of ``day`` (in the firm's time zone), in two queries."""
    calls = calls_unassigned().filter(DayRange(day, day).q())
    totals = calls.aggregate(talk=Sum("talk_seconds"), calls=Count("pk"))
    longest = tuple(
        calls.only(
            "pk", "start", "caller", "caller_name", "dialled_number", "destination", "talk_seconds"
        ).order_by("-talk_seconds", "start")[:LONGEST]
    )
    query = urlencode({"date_after": day.isoformat(), "date_before": day.isoformat()})
    return UnassignedDay(
        day=day,
        calls=totals["calls"] or 0,
        talk_seconds=totals["talk"] or 0,
        longest=longest,
        link=site_url(f"{reverse('calls:unassigned')}?{query}"),
    )


def reminder_recipients() -> QuerySet:
    """Active partners with an e-mail address who have not turned the reminder off."""
    User = get_user_model()
    turned_off = ReminderPreference.objects.filter(user=OuterRef("pk"), unassigned_calls=False)
    return (
        User.objects.filter(is_active=True, groups__name=PARTNER)
        .exclude(email="")
        .exclude(Exists(turned_off))
        .distinct()
        .order_by("username")
    )


@dataclass
class ReminderReport:
    day: date
    calls: int
    sent: list = field(default_factory=list)  # users
    already: list = field(default_factory=list)  # users sent one for the day before
    failed: list = field(default_factory=list)  # (user, reason)


def reminders_send(*, day: date) -> ReminderReport:
    """Send the day's reminder to each recipient that has not had it; see the module."""
    summary = unassigned_day(day)
    report = ReminderReport(day=day, calls=summary.calls)
    if not summary.calls:
        return report
    done = set(ReminderSent.objects.filter(day=day).values_list("user_id", flat=True))
    zone = firm_time_zone()
    context = {
        "day": day,
        "calls": summary.calls,
        "talk_time": format_duration(summary.talk_seconds),
        "minutes": (summary.talk_seconds + 59) // 60,
        "longest": [
            {
                "start": call.start.astimezone(zone),
                "caller": call.caller_name or call.caller,
                "number": call.dialled_number or call.destination,
                "talk_time": format_duration(call.talk_seconds),
            }
            for call in summary.longest
        ],
        "link": summary.link,
    }
    with Mailer() as mailer:
        for user in reminder_recipients():
            if user.pk in done:
                report.already.append(user)
                continue
            message = email_message(
                "unassigned_reminder", {**context, "user": user}, to=[user.email]
            )
            error = mailer.send(message)
            if error is not None:
                report.failed.append((user, error))
                continue
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(
                        user=user,
                        day=day,
                        calls=summary.calls,
                        sent_to=user.email,
                        sent_at=timezone.now(),
                    )
            except IntegrityError:  # a run beside this one sent it too
                report.already.append(user)
                continue
            report.sent.append(user)
    return report


def reminder_wanted(user) -> bool:
    """Whether ``user`` gets the reminder: their choice, else on (partners' default)."""
    preference = ReminderPreference.objects.filter(user=user).first()
    return True if preference is None else preference.unassigned_calls


def reminder_preference_set(*, user, unassigned_calls: bool) -> ReminderPreference:
    preference, _created = ReminderPreference.objects.update_or_create(
        user=user, defaults={"unassigned_calls": unassigned_calls}
    )
    return preference
