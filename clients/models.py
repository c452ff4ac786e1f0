from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# A client code is what staff dial after the billing marker, so it is digits only.
# Kept as text: '0123' and '123' are different dial strings.
CLIENT_CODE_MAX_LENGTH = 10
client_code_validator = RegexValidator(
    r"^[0-9]{1,10}$", _("A client code is 1 to 10 digits, e.g. 123.")
)


class Client(models.Model):
    code = models.CharField(
        _("code"),
        max_length=CLIENT_CODE_MAX_LENGTH,
        validators=[client_code_validator],
        help_text=_("Digits dialled after the billing marker, e.g. 123 in 93454565678**123."),
    )
    name = models.CharField(_("name"), max_length=200)
    tax_code = models.CharField(_("tax code"), max_length=16, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="client_code_unique"),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{1,10}$"), name="client_code_digits"
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="client_name_not_empty"),
        ]
        indexes = [
            # The client list and search results are ordered by name.
            models.Index(fields=["name"], name="client_name_idx"),
        ]

    def __str__(self):
        return f"{self.code} · {self.name}"


class Contact(models.Model):
    """A person or office that staff phone; one contact may be called for several clients."""

    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    clients = models.ManyToManyField(Client, related_name="contacts", verbose_name=_("clients"))

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name"]
        indexes = [
            # Contacts are listed by name in the admin and on the client page.
            models.Index(fields=["name"], name="contact_name_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.phone})" if self.phone else self.name
