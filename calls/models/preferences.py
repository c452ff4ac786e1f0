"""What a user chose to keep: the last call log filter, the reminder e-mail, and the reminders
sent."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedCallLogFilter(models.Model):
    """The call log filter a user last looked at, so that /calls/ reopens it in the next
    session too (calls.views.CallLogView). Only the query string of the filter is kept."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    query = models.TextField(_("filter"))
    updated_at = models.DateTimeField(_("last used"), auto_now=True)

    class Meta:
        verbose_name = _("saved call log filter")
        verbose_name_plural = _("saved call log filters")
        default_permissions = ()

    def __str__(self):
        return f"{self.user_id}: {self.query}"


class ReminderPreference(models.Model):
    """Whether a user wants the daily e-mail of the calls left without a client
    (``manage.py send_reminders``). Without a row a partner gets it: on by default. Edited by
    the user on the preferences page and by administrators in admin."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_preference",
        verbose_name=_("user"),
    )
    unassigned_calls = models.BooleanField(
        _("daily reminder of unassigned calls"),
        default=True,
        help_text=_(
            "An e-mail each morning with the previous day's outgoing calls that have no client."
        ),
    )

    class Meta:
        verbose_name = _("reminder preference")
        verbose_name_plural = _("reminder preferences")

    def __str__(self):
        return str(self.user)


class ReminderSent(models.Model):
    """A daily reminder sent to a user for a day: written only after the SMTP server accepted
    it, so a rerun for the same day sends nobody a second one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    day = models.DateField(_("day"))
    calls = models.PositiveIntegerField(_("calls"))
    sent_to = models.EmailField(_("sent to"))
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-day", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="remindersent_once_per_user_day"),
        ]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.user_id}"
