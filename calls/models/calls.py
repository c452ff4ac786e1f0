"""Calls as the PBX recorded them, and the hourly totals the triggers keep beside them."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls import limits
from calls.models.dialplan import Trunk
from clients.models import Client, Matter

# The calls with a billing code: every code the importer stores is 1-10 ASCII digits
# (calls.matching), so this is billing_code <> ''. Written as a range with both ends: SQLite's
# planner, which keeps no statistics, then reads the billing-code index alone instead of
# walking a range of start times, and the partial indexes below are built on exactly this
# condition (a query repeats it to use them: calls.pattern_queries.ANY_CODE).
CODED_Q = models.Q(billing_code__gte="0", billing_code__lte="9" * limits.BILLING_CODE_MAX)
# The calls the firm sees (CallManager's condition, which every query through Call.objects
# carries): the condition of the call log's partial indexes, so that both databases use them.
CALL_Q = models.Q(leg_of__isnull=True)
CODED_CALL_Q = CODED_Q & CALL_Q


class CallDirection(models.TextChoices):
    OUTBOUND = "outbound", _("Outbound external")
    INTERNAL = "internal", _("Internal")
    INBOUND = "inbound", _("Inbound")


class CallStatus(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    FAILED = "failed", _("Failed")


class CallManager(models.Manager):
    """The calls as the firm sees them: a call the PBX wrote in several records (a transfer)
    is one call, its first record (``leg_of`` empty), whose talk time is the records' sum.
    Its later records (``leg_of`` set) are kept, each as read, but no list, total or
    statement counts them: ``Call.records`` reads them all."""

    def get_queryset(self):
        return super().get_queryset().filter(CALL_Q)


class Call(models.Model):
    """One call as the PBX recorded it, matched to its trunk and client.

    A call the PBX wrote in several records (Avaya IP Office's Call ID with its
    continuation records, Cisco CUCM's globalCallID: a transfer) is several rows with one
    ``leg_group``; the importer makes the first of them (by start, then PBX id) the call,
    holding the group's talk time and the code it was dialled with, and points the others at
    it with ``leg_of`` (calls.importing.legs)."""

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
    # One call in several records: the PBX's identifier of the whole call ('' when a record
    # is a whole call, as 3CX's and Asterisk's are), the call a later record belongs to, and
    # each record's own talk time (talk_seconds of the call is the sum of its records').
    leg_group = models.CharField(
        _("PBX call group"),
        max_length=limits.PBX_CALL_ID_MAX,
        blank=True,
        default="",
        db_default="",
        help_text=_("The records of one transferred call share it."),
    )
    leg_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="legs",
        verbose_name=_("part of call"),
        db_index=False,
    )
    leg_talk_seconds = models.PositiveIntegerField(
        _("talk time of this record (s)"), null=True, blank=True
    )

    # The calls the firm sees (a transfer's later records left out), and every record.
    objects = CallManager()
    records = models.Manager()  # noqa: DJ012 - a manager, which ruff takes for a field

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-start", "-pk"]
        # Related objects (a call's assignments, a leg's call) are read whatever they are.
        base_manager_name = "records"
        permissions = [("assign_call", _("Can assign calls to clients"))]
        constraints = [
            # The PBX's own identity of a call: re-importing a file never stores it twice.
            models.UniqueConstraint(fields=["pbx_call_id"], name="call_pbx_identity_unique"),
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
            # direction, destination, and leg_of, which every query through Call.objects
            # names): over long periods SQLite reads this index instead of every call;
            # PostgreSQL scans the table in parallel either way. It costs the imports 0-3%.
            # Not partial: the admin lists every record by start.
            #
            # Every index here holds start ascending, though the log reads it newest first
            # (backwards, as fast): the importer adds ever later calls, and a new entry at
            # the end of an index (or of one caller's calls) lets PostgreSQL split a full
            # page leaving it full, where at the start of a descending one each split leaves
            # two half-empty pages. Measured at 1,000,000 calls imported: call_start_idx
            # 114 MB descending; bench/README.md, "Toward 10,000,000 calls".
            models.Index(
                fields=[
                    *("start", "caller", "talk_seconds", "status", "direction", "destination"),
                    "leg_of",
                ],
                name="call_start_idx",
            ),
            # The partial indexes below hold the calls alone (CALL_Q: a transfer's later
            # records left out, as every query through Call.objects leaves them out); the
            # billing-code ones with leg_of as their last column: always empty there, but
            # SQLite reads an index as covering only when it holds every column the query
            # names, and the query always names leg_of. (PostgreSQL needs only the condition;
            # the empty column costs it nothing: the row's null bitmap fits in what its
            # alignment pads.)
            #
            # '%**123'-style filters within a period, and attaching calls to a client added
            # later. Covering: the totals of a code pattern read the index alone (key
            # columns, as SQLite has no INCLUDE). Partial (CODED_Q): the 80% of calls without
            # a code are left out, so it is a fifth of its former size and costs the import a
            # fifth; queries on it say CODED_Q too (SQLite uses a partial index only when the
            # query repeats its condition).
            models.Index(
                fields=[
                    *("billing_code", "start", "direction", "status", "talk_seconds", "client"),
                    "leg_of",
                ],
                condition=CODED_CALL_Q,
                name="call_code_start_idx",
            ),
            # Every call with a code within a period, newest first ('%**%', "with code"), and
            # their totals over long periods from the index alone (the billing code too, so
            # that SQLite reads it as a covering index).
            models.Index(
                fields=[
                    *("start", "direction", "status", "talk_seconds", "client", "billing_code"),
                    "leg_of",
                ],
                condition=CODED_CALL_Q,
                name="call_coded_start_idx",
            ),
            # "Unknown code": a code that no client has (a few percent of the coded calls).
            # Code and client in it too: covering on SQLite.
            models.Index(
                fields=[
                    *("start", "direction", "status", "talk_seconds", "billing_code", "client"),
                    "leg_of",
                ],
                condition=CODED_CALL_Q & models.Q(client__isnull=True),
                name="call_unknown_code_start_idx",
            ),
            # One extension's calls (caller=), newest first, and on PostgreSQL their totals
            # from the index (status and talk time INCLUDEd). Keyed by caller and start alone:
            # the importer adds each extension's calls after its last one, and PostgreSQL
            # then splits a full page leaving it full (with status and talk time as keys,
            # each split left two half-empty pages: 94 MB per million calls, not 47). SQLite,
            # which has no INCLUDE, reads the calls from the table (22,000 over two years at
            # 1,000,000 calls: within its target). No direction in it (nor in the next one):
            # each holds every call, and the size per million calls must stay within 10% of
            # before.
            models.Index(
                fields=["caller", "start"],
                include=["status", "talk_seconds"],
                condition=CALL_Q,
                name="call_caller_start_idx",
            ),
            # Sorting by talk time (the longest calls first: a top-50 read in index order) and
            # min_talk's totals over long periods (on PostgreSQL from the index); keyed as the
            # one above, for the same reason.
            models.Index(
                fields=["talk_seconds", "start"],
                include=["status"],
                condition=CALL_Q,
                name="call_talk_start_idx",
            ),
            # A client's statement: its calls in a period. Only the calls with a client (a
            # fifth of an import): "no client" is answered by the indexes above (unknown
            # code) or within a period by call_start_idx (the queue), and SQLite, which
            # keeps no statistics, took this index for "client IS NULL" and walked every
            # call without a client (two years of "unknown code" at 1 M: 650 ms).
            models.Index(
                fields=["client", "start"],
                condition=models.Q(client__isnull=False),
                name="call_client_start_idx",
            ),
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
            # The importer finds the records of a group already stored; partial, so the
            # calls in one record (every 3CX and Asterisk call) cost nothing here.
            models.Index(
                fields=["leg_group"],
                condition=~models.Q(leg_group=""),
                name="call_leg_group_idx",
            ),
            # A call's later records (its page); partial, as above.
            models.Index(
                fields=["leg_of"],
                condition=models.Q(leg_of__isnull=False),
                name="call_leg_of_idx",
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
