"""The firm's own models: its settings (one row)."""

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from firm.lib.marker import MAX_MARKER_LENGTH, marker_problem

# The letterhead's logo: a small picture read from disk into every printed statement.
LOGO_EXTENSIONS = (".png", ".jpg", ".jpeg", ".svg")
LOGO_MAX_BYTES = 1024 * 1024

lengths_validator = RegexValidator(
    r"^\s*[1-9](\s*,\s*[1-9])*\s*$", _("List lengths as digits separated by commas, e.g. 3,4.")
)


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
