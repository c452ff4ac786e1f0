from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls import dialing, limits
from calls.cdr import THREECX_FIELDS, parse_layout
from calls.importing.messages import run_text
from clients.models import Client, Matter

prefix_validator = RegexValidator(r"^[0-9]{0,6}$", _("A prefix is up to 6 digits, e.g. 9."))


class TrunkKind(models.TextChoices):
    VOIP = "voip", _("VoIP provider")
    CELLULAR = "cellular", _("Cellular gateway")
    ISDN = "isdn", _("ISDN/PSTN")
    OTHER = "other", _("Other")


class Trunk(models.Model):
    """An outbound route of the PBX and how staff select it (the prefix)."""

    Kind = TrunkKind

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.VOIP)
    prefix = models.CharField(
        _("outbound prefix"),
        max_length=6,
        blank=True,
        validators=[prefix_validator],
        help_text=_("Digits dialled before the number to use this trunk, e.g. 9. Empty: none."),
    )
    strip_prefix = models.BooleanField(
        _("strip prefix"),
        default=True,
        help_text=_("The PBX removes the prefix before dialling and recording the number."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The dial helper preselects it (and a contact's link dials through it): the trunk the
    # firm wants its billed calls on, e.g. the cellular gateway, not the lowest prefix.
    is_default = models.BooleanField(
        _("default for the dial helper"),
        default=False,
        help_text=_("Preselected when staff look up the string to dial. One trunk at most."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("trunk")
        verbose_name_plural = _("trunks")
        ordering = ["prefix", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="trunk_name_unique"),
            models.UniqueConstraint(
                fields=["prefix"], condition=~models.Q(prefix=""), name="trunk_prefix_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(prefix__regex=r"^[0-9]{0,6}$"), name="trunk_prefix_digits"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=TrunkKind.values), name="trunk_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="trunk_one_default",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix})" if self.prefix else self.name

    def clean(self):
        if self.is_default:
            if not (self.prefix and self.is_active):
                raise ValidationError(
                    {
                        "is_default": _(
                            "Only an active trunk with a prefix can be the dial helper's default."
                        )
                    }
                )
            current = Trunk.objects.exclude(pk=self.pk).filter(is_default=True).first()
            if current is not None:
                raise ValidationError(
                    {
                        "is_default": _("“%(name)s” is the default now: untick it there first.")
                        % {"name": current.name}
                    }
                )
        # Prefixes must form a prefix-free set: with 9 and 90, a number starting with 0
        # could never be dialled through the trunk of 9 (see calls.dialing).
        if not self.prefix:
            return
        others = Trunk.objects.exclude(pk=self.pk).exclude(prefix="")
        for other in others.only("name", "prefix"):
            if dialing.prefix_conflicts([self.prefix, other.prefix]):
                raise ValidationError(
                    {
                        "prefix": _(
                            "Prefix %(prefix)s clashes with prefix %(other)s of trunk "
                            "“%(name)s”: one may not begin with the other."
                        )
                        % {"prefix": self.prefix, "other": other.prefix, "name": other.name}
                    }
                )

    def as_rule(self) -> dialing.TrunkRule:
        return dialing.TrunkRule(
            prefix=self.prefix, strip_prefix=self.strip_prefix, key=self.pk, name=self.name
        )


class TrunkIdentifier(models.Model):
    """How the PBX names a trunk in call records: 3CX's trunk DN (10001), an Asterisk channel."""

    trunk = models.ForeignKey(
        Trunk, on_delete=models.CASCADE, related_name="identifiers", verbose_name=_("trunk")
    )
    value = models.CharField(
        _("PBX identifier"),
        max_length=100,
        help_text=_("e.g. 10001 (3CX trunk DN) or PJSIP/gsm (Asterisk channel prefix)."),
    )

    class Meta:
        verbose_name = _("PBX identifier")
        verbose_name_plural = _("PBX identifiers")
        constraints = [
            models.UniqueConstraint(fields=["value"], name="trunkidentifier_value_unique"),
            models.CheckConstraint(
                condition=~models.Q(value=""), name="trunkidentifier_value_not_empty"
            ),
        ]

    def __str__(self):
        return self.value


class CallDirection(models.TextChoices):
    OUTBOUND = "outbound", _("Outbound external")
    INTERNAL = "internal", _("Internal")
    INBOUND = "inbound", _("Inbound")


class CallStatus(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    FAILED = "failed", _("Failed")


class Call(models.Model):
    """One call as the PBX recorded it, matched to its trunk and client."""

    Direction = CallDirection
    Status = CallStatus

    # Times are stored in UTC (USE_TZ) and shown in the firm's time zone.
    start = models.DateTimeField(_("start"))
    answered = models.DateTimeField(_("answered"), null=True, blank=True)
    end = models.DateTimeField(_("end"), null=True, blank=True)
    talk_seconds = models.PositiveIntegerField(_("talk time (s)"), default=0)
    ring_seconds = models.PositiveIntegerField(_("ringing time (s)"), default=0)
    caller = models.CharField(
        _("caller"),
        max_length=limits.CALLER_MAX,
        blank=True,
        help_text=_("Extension, or number for inbound."),
    )
    caller_name = models.CharField(_("caller name"), max_length=limits.CALLER_NAME_MAX, blank=True)
    destination = models.CharField(
        _("destination"),
        max_length=limits.DESTINATION_MAX,
        blank=True,
        help_text=_("As the PBX recorded it, code included: 3454565678**123."),
    )
    dialled_number = models.CharField(
        _("dialled number"),
        max_length=limits.DIALLED_MAX,
        blank=True,
        help_text=_("Without marker and code."),
    )
    billing_code = models.CharField(
        _("billing code"), max_length=limits.BILLING_CODE_MAX, blank=True
    )
    # Every index slows the import of millions of calls, so the foreign keys below carry
    # none of their own: (client, start) serves the client's lookups, and deleting a trunk
    # or an import run (rare, admin only) may scan.
    client = models.ForeignKey(
        Client,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("client"),
        db_index=False,
    )
    # The client's matter when the code dialled was a matter's (clients.Matter); the client
    # is then the matter's client. Indexed only where set (call_matter_start_idx).
    matter = models.ForeignKey(
        Matter,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("matter"),
        db_index=False,
    )
    trunk = models.ForeignKey(
        Trunk,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("trunk"),
        db_index=False,
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    cost = models.DecimalField(
        _("cost"),
        max_digits=limits.COST_MAX_DIGITS,
        decimal_places=limits.COST_DECIMAL_PLACES,
        null=True,
        blank=True,
    )
    pbx = models.CharField(
        _("PBX"), max_length=40, blank=True, help_text=_("Which PBX recorded the call.")
    )
    pbx_call_id = models.CharField(_("PBX call id"), max_length=limits.PBX_CALL_ID_MAX)
    pbx_trunk = models.CharField(
        _("PBX trunk identifier"),
        max_length=limits.PBX_TRUNK_MAX,
        blank=True,
        help_text=_("As written in the call record; matched to a trunk's PBX identifiers."),
    )
    # No database constraint: checking it costs the PostgreSQL import ~12% (a lookup per
    # call), and import runs are never deleted (a record of what was imported: read-only in
    # admin, rejected lines PROTECT them, and so do their calls here).
    import_run = models.ForeignKey(
        "ImportRun",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("import run"),
        db_index=False,
        db_constraint=False,
    )
    source_line = models.PositiveIntegerField(_("source line"), null=True, blank=True)
    # A partner chose the client (the unassigned calls queue): automatic linking by code
    # (calls_link_clients) leaves such a call alone. The importer does not write this column
    # (calls.importing.writers), so the database supplies the default.
    client_set_by_hand = models.BooleanField(
        _("client set by hand"), default=False, db_default=False
    )

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-start", "-pk"]
        permissions = [("assign_call", _("Can assign calls to clients"))]
        constraints = [
            # The PBX's own identity of a call: re-importing a file never stores it twice.
            models.UniqueConstraint(fields=["pbx", "pbx_call_id"], name="call_pbx_identity_unique"),
            models.CheckConstraint(
                condition=models.Q(direction__in=CallDirection.values), name="call_direction_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=CallStatus.values), name="call_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="call_end_after_start",
            ),
        ]
        indexes = [
            # The call log is ordered by start, newest first, and filtered by date range.
            # Covering what the log's other filters and sorts read (caller, talk time, status,
            # direction, destination): over long periods SQLite reads this index instead of
            # every call; PostgreSQL scans the table in parallel either way. It costs the
            # imports 0-3%.
            models.Index(
                fields=["-start", "caller", "talk_seconds", "status", "direction", "destination"],
                name="call_start_idx",
            ),
            # '%**123'-style filters within a period (the uncoded half of the shortcut is
            # billing_code = '' plus the date range), and attaching calls to a client added
            # later. Covering: the totals of a code pattern, "unknown code" and "with code"
            # read the index alone (the coded calls are one range of it, after the ''), on
            # both databases (key columns, as SQLite has no INCLUDE).
            models.Index(
                fields=["billing_code", "start", "direction", "status", "talk_seconds", "client"],
                name="call_billing_code_start_idx",
            ),
            # A client's statement: its calls in a period.
            models.Index(fields=["client", "start"], name="call_client_start_idx"),
            # A matter's calls (the call log's matter= filter); partial, so calls without a
            # matter cost the importer nothing here.
            models.Index(
                fields=["matter", "start"],
                condition=models.Q(matter__isnull=False),
                name="call_matter_start_idx",
            ),
            # The queue's suggestions: to which clients calls to these numbers went. Partial,
            # so calls with no client (most of an import) cost the importer nothing here.
            models.Index(
                fields=["dialled_number", "client"],
                condition=models.Q(client__isnull=False),
                name="call_number_client_idx",
            ),
        ]

    def __str__(self):
        # In the firm's time zone: the admin shows the local time only, never UTC beside it.
        return f"{timezone.localtime(self.start):%Y-%m-%d %H:%M} {self.caller} → {self.destination}"


class CallHourTotal(models.Model):
    """How many calls began in one hour (UTC) with one direction and status, and their talk
    time: the call log's totals over long periods add up these rows instead of every call.

    Kept by database triggers on the calls table (migration 0008: insert, delete, truncate,
    and an update of start, direction, status or talk time), so every writer keeps it exact,
    the importer, the admin and tests alike (an SQLite import adds up each batch in one
    statement instead of the row trigger: calls.importing.writers). Hours in UTC serve any period
    that begins and ends on a whole hour: every local midnight of a time zone with a
    whole-hour offset."""

    # Internal: never shown, so no translated names.
    hour = models.DateTimeField()
    direction = models.CharField(max_length=10, choices=CallDirection.choices)
    status = models.CharField(max_length=10, choices=CallStatus.choices)
    calls = models.BigIntegerField(default=0)
    talk_seconds = models.BigIntegerField(default=0)

    class Meta:
        # Written by the triggers only: no one is given rights to it.
        default_permissions = ()
        constraints = [
            # One row per hour, direction and status: the triggers add to it (ON CONFLICT).
            # Its index also serves the totals' range of hours.
            models.UniqueConstraint(
                fields=["hour", "direction", "status"], name="callhourtotal_unique"
            ),
        ]

    def __str__(self):
        return f"{self.hour:%Y-%m-%d %H:00} {self.direction} {self.status}: {self.calls}"


class CdrLayout(models.Model):
    """A 3CX field order, as chosen in the PBX's CDR settings (the PBX writes no header)."""

    name = models.CharField(_("name"), max_length=100)
    fields = models.TextField(
        _("fields in order"),
        help_text=_("3CX field names separated by commas, e.g. historyid, callid, duration, …"),
    )
    is_default = models.BooleanField(
        _("use for every 3CX import"),
        default=False,
        help_text=_("Otherwise the layout is detected from the file, or chosen with --layout."),
    )

    class Meta:
        verbose_name = _("3CX CDR layout")
        verbose_name_plural = _("3CX CDR layouts")
        constraints = [
            models.UniqueConstraint(fields=["name"], name="cdrlayout_name_unique"),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="cdrlayout_one_default",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        try:
            self.fields = ", ".join(parse_layout(self.fields))
        except ValueError as error:
            raise ValidationError(
                {
                    "fields": _("%(error)s. Known fields: %(known)s.")
                    % {"error": error, "known": ", ".join(THREECX_FIELDS)}
                }
            ) from None

    @property
    def field_tuple(self) -> tuple[str, ...]:
        return parse_layout(self.fields)


class ImportRun(models.Model):
    """One CDR file imported: what it was, who ran it, and where every line went."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")
        # The process stopped without saying so (killed, power loss, database gone): found
        # by calls.importing.services.import_runs_mark_interrupted. Importing the file again
        # completes it.
        INTERRUPTED = "interrupted", _("Interrupted")

    file_name = models.CharField(_("file"), max_length=255)
    file_size = models.BigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    format_name = models.CharField(_("format"), max_length=20)
    format_description = models.CharField(_("format description"), max_length=200)
    layout = models.TextField(_("layout"), blank=True)
    lines_read = models.PositiveIntegerField(_("lines read"), default=0)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RUNNING
    )
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("user"),
    )
    # "upload", "retry", or "command:<system account>" for import_cdr runs.
    via = models.CharField(_("via"), max_length=60, default="command")
    # Who is running it and when it last wrote a batch (or, for a live feed, last was alive):
    # a run whose process is gone, or that has not been heard of for a while, is interrupted.
    host = models.CharField(_("host"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("process id"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-started_at", "-pk"]
        constraints = [
            # Nothing lost: every line read is imported, a duplicate, or rejected.
            models.CheckConstraint(
                condition=models.Q(
                    lines_read=models.F("imported") + models.F("duplicates") + models.F("rejected")
                ),
                name="importrun_every_line_accounted_for",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["running", "finished", "failed", "interrupted"]),
                name="importrun_status_valid",
            ),
        ]

    def __str__(self):
        name = run_text(self.file_name)  # a retry's name, in the reader's language
        started = timezone.localtime(self.started_at) if self.started_at else None
        return f"{name} ({started:%Y-%m-%d %H:%M})" if started else name


class RejectedLine(models.Model):
    """A line that could not be imported, kept as it was with the reason, to retry later."""

    import_run = models.ForeignKey(
        ImportRun,
        on_delete=models.PROTECT,
        related_name="rejected_lines",
        verbose_name=_("import run"),
    )
    file_name = models.CharField(_("file"), max_length=255)
    line_number = models.PositiveIntegerField(_("line"))
    field = models.CharField(_("field"), max_length=40, blank=True)
    reason = models.TextField(_("reason"))
    # The line as read, cut after REJECTED_RAW_KEPT_CHARS characters (raw_length says how
    # long it was, raw_sha256 identifies it whole).
    raw = models.TextField(_("raw line"))
    raw_length = models.PositiveBigIntegerField(
        _("line length"), default=0, help_text=_("Characters in the whole line as read.")
    )
    raw_sha256 = models.CharField(_("SHA-256 of the line"), max_length=64, blank=True)
    # The same bad line met again (a file imported twice) is kept once.
    raw_sha1 = models.CharField(max_length=40)
    created_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    retried_at = models.DateTimeField(_("last retried"), null=True, blank=True)

    class Meta:
        verbose_name = _("rejected line")
        verbose_name_plural = _("rejected lines")
        ordering = ["-created_at", "file_name", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["raw_sha1"], name="rejectedline_raw_unique"),
        ]

    def __str__(self):
        return f"{self.file_name}:{self.line_number}"

    @property
    def is_cut(self) -> bool:
        """Whether only the line's beginning is kept (it cannot be retried)."""
        return len(self.raw) >= limits.REJECTED_RAW_KEPT_CHARS and self.raw_length > len(self.raw)


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
