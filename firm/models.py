"""The firm's own models: its settings (one row)."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from firm.lib.marker import MAX_MARKER_LENGTH, marker_problem

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
        if marker_problem(self.billing_marker) is not None:
            raise ValidationError(
                {
                    "billing_marker": _(
                        "The marker must be 1 to 4 characters of digits, * and #, with at "
                        "least one * or #, e.g. ** or ##."
                    )
                }
            )

    @property
    def extension_lengths(self) -> frozenset[int]:
        return frozenset(int(part) for part in self.internal_extension_lengths.split(",") if part)

    @classmethod
    def load(cls) -> "FirmSettings":
        settings, _created = cls.objects.get_or_create(pk=1)
        return settings
