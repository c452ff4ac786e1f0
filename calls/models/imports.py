"""What was imported: 3CX layouts, import runs and the lines they rejected."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls import limits
from calls.cdr import THREECX_FIELDS, parse_layout
from calls.importing.messages import run_text


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
    # Why, in English (for logs and old readers), and as the code and parameters that pages
    # render in the reader's language (calls.cdr.reasons, calls.importing.messages).
    reason = models.TextField(_("reason"))
    reason_code = models.CharField(_("reason code"), max_length=40, blank=True)
    reason_params = models.JSONField(_("reason parameters"), default=dict, blank=True)
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


class WatchedFile(models.Model):
    """A file in the folder ``listen_cdr --watch`` reads (calls/importing/watch.py): how far
    it has been imported, so that the same file again stores nothing and a grown file is
    read from where it was left."""

    path = models.CharField(_("path"), max_length=1024)
    # The file is the same one while its inode holds and its first bytes are the ones read
    # before; else (replaced, rotated, cut) it is read again from its start.
    inode = models.BigIntegerField(_("inode"))
    head_sha1 = models.CharField(_("SHA-1 of the first bytes"), max_length=40, blank=True)
    offset = models.BigIntegerField(_("bytes imported"), default=0)
    lines = models.PositiveIntegerField(_("lines imported"), default=0)
    # Of the file's bytes up to ``offset``: the same content under another name (sent
    # again) stores nothing.
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    format_name = models.CharField(_("format"), max_length=20, blank=True)
    # Why the file is not imported (not a CDR file, a CUCM CMR file); '' when it is.
    note = models.TextField(_("note"), blank=True)
    import_run = models.ForeignKey(
        ImportRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last import run"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("watched file")
        verbose_name_plural = _("watched files")
        ordering = ["path"]
        indexes = [
            # watch.py: has a file with these very bytes been imported already?
            models.Index(fields=["sha256"], name="watchedfile_sha256"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["path"], name="watchedfile_path_unique"),
            models.CheckConstraint(
                condition=models.Q(offset__gte=0), name="watchedfile_offset_not_negative"
            ),
        ]

    def __str__(self):
        return self.path
