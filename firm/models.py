"""The firm's own models: its settings (one row) and the jobs the task worker runs."""

from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from firm.lib.fiscal import postal_code_ok, province_ok, sdi_code_ok, tax_code_ok, vat_number_ok
from firm.lib.marker import MAX_MARKER_LENGTH, marker_problem

# The letterhead's logo: a small picture read from disk into every printed statement.
LOGO_EXTENSIONS = (".png", ".jpg", ".jpeg", ".svg")
LOGO_MAX_BYTES = 1024 * 1024

lengths_validator = RegexValidator(
    r"^\s*[1-9](\s*,\s*[1-9])*\s*$", _("List lengths as digits separated by commas, e.g. 3,4.")
)


class Profession(models.TextChoices):
    LAWYER = "lawyer", _("lawyer")
    ACCOUNTANT = "accountant", _("accountant")


class FiscalRegime(models.TextChoices):
    ORDINARY = "RF01", _("RF01 ordinario")
    FORFETTARIO = "RF19", _("RF19 forfettario (L. 190/2014)")


class WithholdingType(models.TextChoices):
    PERSON = "RT01", _("RT01 professional or associated practice")
    COMPANY = "RT02", _("RT02 company (STP)")


def fiscal_identity_errors(obj, *, sdi_code: bool = False) -> dict:
    """Field → message for what is wrong in ``obj``'s fiscal identity (``vat_number``,
    ``tax_code``, ``postal_code``, ``province``, ``country``, and ``sdi_code``): checked as
    Italian ones when the country is IT; empty fields are not checked."""
    errors = {}
    if (obj.country or "").upper() != "IT":
        return errors
    if obj.vat_number and not vat_number_ok(obj.vat_number):
        errors["vat_number"] = _("Not a partita IVA: 11 digits, the last a check digit.")
    if obj.tax_code and not tax_code_ok(obj.tax_code):
        errors["tax_code"] = _(
            "Not a codice fiscale: 16 letters and digits (e.g. RSSMRA80A01H501U) or 11 digits."
        )
    if obj.postal_code and not postal_code_ok(obj.postal_code):
        errors["postal_code"] = _("A CAP is 5 digits, e.g. 20121.")
    if obj.province and not province_ok(obj.province):
        errors["province"] = _("Not an Italian province: two letters, e.g. MI.")
    if sdi_code and obj.sdi_code and not sdi_code_ok(obj.sdi_code):
        errors["sdi_code"] = _("A codice destinatario is 7 capital letters or digits.")
    return errors


class FirmSettings(models.Model):
    """The firm's own settings: one row, edited in admin."""

    firm_name = models.CharField(
        _("firm name"), max_length=200, default="Studio", help_text=_("Printed on reports.")
    )
    billing_marker = models.CharField(
        _("billing marker"),
        max_length=MAX_MARKER_LENGTH,
        default="**",
        help_text=_(
            "Dialled between the number and the client code. Use ## or *0 for phones that "
            "cannot dial *."
        ),
    )
    former_markers = models.CharField(
        _("former billing markers"),
        max_length=200,
        blank=True,
        editable=False,
        help_text=_(
            "Markers the firm used before, newest first, kept when the marker changes: an "
            "imported number that already carries a code after one of them gets no second code."
        ),
    )
    internal_extension_lengths = models.CharField(
        _("internal extension lengths"),
        max_length=20,
        default="3",
        validators=[lengths_validator],
        help_text=_("How many digits an internal extension has, e.g. 3 or 3,4."),
    )
    country_code = models.CharField(
        _("country code"),
        max_length=4,
        default="39",
        validators=[RegexValidator(r"^[0-9]{1,4}$")],
        help_text=_("Numbers typed as +39… are dialled as national numbers."),
    )
    international_prefix = models.CharField(
        _("international prefix"),
        max_length=4,
        default="00",
        validators=[RegexValidator(r"^[0-9]{1,4}$")],
        help_text=_("Replaces + in foreign numbers, e.g. +44… is dialled 0044…"),
    )
    address = models.TextField(
        _("address"),
        blank=True,
        help_text=_("Printed under the firm name on client statements, one line per line."),
    )
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    tax_code = models.CharField(_("tax code"), max_length=16, blank=True)
    # The firm's fiscal identity, as the FatturaPA's CedentePrestatore needs it.
    street = models.CharField(_("street and number"), max_length=60, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    city = models.CharField(_("city"), max_length=60, blank=True)
    province = models.CharField(_("province"), max_length=2, blank=True, help_text=_("e.g. MI"))
    country = models.CharField(
        _("country"), max_length=2, default="IT", blank=True, help_text=_("e.g. IT; empty: IT")
    )
    profession = models.CharField(
        _("profession"),
        max_length=20,
        choices=Profession.choices,
        blank=True,
        help_text=_(
            "Lawyers: spese generali and Cassa Forense on statements; accountants: CNPADC. "
            "Empty: statements show the phone time only."
        ),
    )
    fiscal_regime = models.CharField(
        _("fiscal regime"),
        max_length=4,
        choices=FiscalRegime.choices,
        default=FiscalRegime.ORDINARY,
    )
    general_expenses_rate = models.DecimalField(
        _("spese generali (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("15.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Lawyers: DM 55/2014 art. 2 as amended by DM 147/2022."),
    )
    cassa_rate = models.DecimalField(
        _("cassa (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("4.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Contributo integrativo: Cassa Forense or CNPADC."),
    )
    vat_rate = models.DecimalField(
        _("VAT (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("22.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    withholding_rate = models.DecimalField(
        _("ritenuta d'acconto (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    withholding_type = models.CharField(
        _("ritenuta type"),
        max_length=4,
        choices=WithholdingType.choices,
        default=WithholdingType.PERSON,
        help_text=_("RT01 for a professional or an associated practice, RT02 for a company (STP)."),
    )
    logo = models.FileField(
        _("logo"),
        upload_to="firm/",
        blank=True,
        help_text=_("PNG, JPEG or SVG, at most 1 MB; printed at the top of client statements."),
    )
    statement_shows_cost = models.BooleanField(
        _("show the carrier cost on client statements"),
        default=False,
        help_text=_(
            "The firm's own telephone cost; internal reports such as the call log always show it."
        ),
    )
    pack_skips_unbillable = models.BooleanField(
        _("leave clients with nothing billable out of the month pack"),
        default=True,
        help_text=_("Clients whose calls in the month bill no time (e.g. only unanswered calls)."),
    )

    class Meta:
        # The table keeps the name it had when the model lived in calls.
        db_table = "calls_firmsettings"
        verbose_name = _("firm settings")
        verbose_name_plural = _("firm settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="firmsettings_single_row"),
            models.CheckConstraint(
                condition=models.Q(profession__in=["", "lawyer", "accountant"]),
                name="firmsettings_profession_known",
            ),
            models.CheckConstraint(
                condition=models.Q(fiscal_regime__in=["RF01", "RF19"]),
                name="firmsettings_fiscal_regime_known",
            ),
        ]

    def __str__(self):
        return str(_("Firm settings"))

    def clean(self):
        errors = {}
        if marker_problem(self.billing_marker) is not None:
            errors["billing_marker"] = _(
                "The marker must be 1 to 4 characters of digits, * and #, with at "
                "least one * or #, e.g. ** or ##."
            )
        self.province = (self.province or "").strip().upper()
        self.country = (self.country or "").strip().upper() or "IT"
        self.tax_code = (self.tax_code or "").strip().upper()
        errors.update(fiscal_identity_errors(self))
        logo_error = logo_problem(self.logo)
        if logo_error:
            errors["logo"] = logo_error
        if errors:
            raise ValidationError(errors)

    @property
    def former_marker_list(self) -> tuple[str, ...]:
        """The former markers, newest first (stored separated by spaces: a marker has none)."""
        return tuple(self.former_markers.split())

    @property
    def extension_lengths(self) -> frozenset[int]:
        return frozenset(int(part) for part in self.internal_extension_lengths.split(",") if part)

    def fee_rules(self):
        """The fee items' rules (clients/billing/fees.py's ``FeeRules`` fields)."""
        return {
            "profession": self.profession,
            "regime": self.fiscal_regime,
            "general_expenses_rate": self.general_expenses_rate,
            "cassa_rate": self.cassa_rate,
            "vat_rate": self.vat_rate,
            "withholding_rate": self.withholding_rate,
        }

    @classmethod
    def load(cls) -> "FirmSettings":
        settings, _created = cls.objects.get_or_create(pk=1)
        return settings


def logo_problem(logo) -> str | None:
    """Why an uploaded logo cannot be used (wrong kind of file, too big), or None."""
    if not logo:
        return None
    if PurePath(logo.name).suffix.lower() not in LOGO_EXTENSIONS:
        return str(_("The logo must be a PNG, JPEG or SVG file."))
    try:
        size = logo.size
    except OSError:  # the stored file is gone: nothing to check
        return None
    if size > LOGO_MAX_BYTES:
        return str(_("The logo may be at most 1 MB."))
    return None


class Job(models.Model):
    """Long work that a user (or the nightly job) asked for, run by the task worker
    (firm/jobs.py): what, for whom, how far it has gone, and its file or why it failed."""

    class Kind(models.TextChoices):
        MONTH_PACK = "month_pack", _("month-end pack")
        CALL_LOG_PDF = "call_log_pdf", _("call log PDF")
        ISSUE_STATEMENTS = "issue_statements", _("issue and send statements")
        REMINDERS = "reminders", _("daily reminder")
        NIGHTLY_PACK = "nightly_pack", _("nightly month-end pack")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    # The job's arguments (JSON) and, for joining, one text made of kind and arguments.
    params = models.JSONField(_("parameters"), default=dict)
    key = models.CharField(_("key"), max_length=500)
    # What the page calls it, in the language of who asked: "Maggio 2026, ZIP".
    title = models.CharField(_("title"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Users who asked for the same job while it ran and joined it: they may download it too.
    joined_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("joined by"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    # Relative to MEDIA_ROOT; empty for a job without a file (issuing, the reminder).
    file = models.CharField(_("file"), max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    # What the job did, in lines for the page ({"level": "success|warning|error", "text": …}).
    report = models.JSONField(_("report"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    task_result_id = models.CharField(_("task result id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "done", "failed"]),
                name="job_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "month_pack",
                        "call_log_pdf",
                        "issue_statements",
                        "reminders",
                        "nightly_pack",
                    ]
                ),
                name="job_kind_valid",
            ),
            # Asking again for a job that is queued or running joins it (firm.jobs.job_start).
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(status__in=["queued", "running"]),
                name="job_one_active_per_key",
            ),
        ]
        indexes = [
            # delete_old_jobs and the stale-worker check: jobs by status and age.
            models.Index(fields=["status", "finished_at"], name="job_status_finished"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"
