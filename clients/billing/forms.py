"""The period of a statement or summary."""

import re
from datetime import date
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from firm.lib.dates import (
    MAX_YEAR,
    MIN_YEAR,
    PERIOD_CHOICES,
    month_days,
    period_days,
    today_local,
)
from firm.widgets import DateInput

# The longest period a statement or the client summary covers: a year (leap years too).
MAX_PERIOD_DAYS = 366
DEFAULT_STATEMENT_PERIOD = "last_month"


class StatementPeriodForm(forms.Form):
    """The period of a statement, the client summary and the month pack: both days
    (``date_after``, ``date_before``, in the firm's time zone, both included), or a preset
    ``period``; with neither, last month (statements are drawn up after a month ends)."""

    period = forms.ChoiceField(
        label=_("Period"),
        choices=[("", _("Last month (default)")), *PERIOD_CHOICES],
        required=False,
    )
    date_after = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_before = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def __init__(self, data=None, *args, **kwargs):
        # Unbound (no query string) still has a period: last month.
        super().__init__(data if data is not None else {}, *args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("date_after"), cleaned.get("date_before")
        if self.errors:
            return cleaned
        for day in (first, last):
            if day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
                raise forms.ValidationError(
                    _("Enter a date between the years %(min)s and %(max)s.")
                    % {"min": MIN_YEAR, "max": MAX_YEAR}
                )
        if (first is None) != (last is None):
            raise forms.ValidationError(_("Enter both the first and the last day."))
        if first is not None:
            if first > last:
                raise forms.ValidationError(_("The first day comes after the last day."))
            if (last - first).days + 1 > MAX_PERIOD_DAYS:
                raise forms.ValidationError(
                    _("A period is at most %(days)s days long.") % {"days": MAX_PERIOD_DAYS}
                )
        return cleaned

    def days(self) -> tuple[date, date]:
        """The first and last day in effect. Only on a valid form."""
        first = self.cleaned_data.get("date_after")
        if first is not None:
            return first, self.cleaned_data["date_before"]
        period = self.cleaned_data.get("period") or DEFAULT_STATEMENT_PERIOD
        return period_days(period, today_local())

    def query(self) -> str:
        """The period as an explicit query string (dates, not a preset), for links."""
        first, last = self.days()
        return urlencode({"date_after": first.isoformat(), "date_before": last.isoformat()})


def parse_month(text: str) -> tuple[date, date]:
    """``2026-05`` → the first and last day of May 2026; ``ValueError`` with a clear message
    for anything else."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a month: write YYYY-MM, e.g. 2026-05.")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise ValueError(f"{text!r} is not a month: the month is 01 to 12.")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"{text!r}: the year must be between {MIN_YEAR} and {MAX_YEAR}.")
    return month_days(date(year, month, 1))


class InvoiceForm(forms.Form):
    """The invoice of a paid avviso: its number (the firm's own sequence) and date."""

    number = forms.CharField(label=_("Invoice number"), max_length=20)
    date = forms.DateField(label=_("Invoice date"), widget=DateInput())
