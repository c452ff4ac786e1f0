"""Clients chosen by hand for calls, and the month-end period lock with its history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from calls.models.calls import Call
from clients.models import Client, Matter


class CallAssignment(models.Model):
    """A client (and maybe one of its matters) chosen by hand for a call (append-only): who,
    when, from which client and matter to which. Written only by calls.services.calls_assign."""

    call = models.ForeignKey(
        Call,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("call"),
        db_index=False,  # (call, at) below
    )
    # PROTECT: the record of who billed what outlives neither the client nor the user; a
    # client or user with assignments is made inactive instead of being deleted.
    old_client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous client"),
    )
    new_client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new client"),
        help_text=_("Empty: the call was left without a client."),
    )
    # The matter within the client, when there was one (SET_NULL: a deleted matter leaves
    # the client's part of the record).
    old_matter = models.ForeignKey(
        Matter,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous matter"),
    )
    new_matter = models.ForeignKey(
        Matter,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new matter"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    at = models.DateTimeField(_("when"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("call assignment")
        verbose_name_plural = _("call assignments")
        ordering = ["-at", "-pk"]
        indexes = [
            # A call's history, on its page and in admin.
            models.Index(fields=["call", "at"], name="callassignment_call_at_idx"),
        ]

    def __str__(self):
        return f"{self.call_id}: {self.old_client_id} → {self.new_client_id}"


class ClosedPeriod(models.Model):
    """A month closed by a partner once its statements were sent: its calls keep their
    clients until the month is reopened. See PeriodEvent for the history."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"))

    class Meta:
        verbose_name = _("closed period")
        verbose_name_plural = _("closed periods")
        ordering = ["-month"]
        permissions = [("close_period", _("Can close and reopen periods"))]
        constraints = [
            models.UniqueConstraint(fields=["month"], name="closedperiod_month_unique"),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="closedperiod_month_first_day"
            ),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m}"


class PeriodAction(models.TextChoices):
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


class PeriodEvent(models.Model):
    """A month closed or reopened (append-only); a reopening always says why."""

    Action = PeriodAction

    month = models.DateField(_("month"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    at = models.DateTimeField(_("when"))
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("period event")
        verbose_name_plural = _("period events")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=PeriodAction.values), name="periodevent_action_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(action=PeriodAction.REOPENED) | ~models.Q(reason=""),
                name="periodevent_reopening_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.action}"
