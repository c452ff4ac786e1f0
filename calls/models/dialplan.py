"""The dial plan: trunks (outbound routes and the prefix that selects them) and the identifiers
the PBX writes for them."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from calls import dialing

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
