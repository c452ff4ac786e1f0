from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients import billable_time
from firm.limits import CODE_MAX_LENGTH
from firm.models import fiscal_identity_errors

# A client code is what staff dial after the billing marker, so it is digits only.
# Kept as text: '0123' and '123' are different dial strings.
CLIENT_CODE_MAX_LENGTH = CODE_MAX_LENGTH
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
    # The client's fiscal identity and address, for the avviso and the FatturaPA invoice.
    street = models.CharField(_("street and number"), max_length=60, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    city = models.CharField(_("city"), max_length=60, blank=True)
    province = models.CharField(_("province"), max_length=2, blank=True, help_text=_("e.g. MI"))
    country = models.CharField(
        _("country"), max_length=2, default="IT", blank=True, help_text=_("e.g. IT; empty: IT")
    )
    sdi_code = models.CharField(
        _("codice destinatario"),
        max_length=7,
        blank=True,
        help_text=_("7 characters; 0000000 with a PEC or for a private person."),
    )
    pec = models.EmailField(_("PEC"), blank=True)
    withholding_agent = models.BooleanField(
        _("withholding agent"),
        default=False,
        help_text=_("Sostituto d'imposta: the ritenuta d'acconto applies to its statements."),
    )
    notes = models.TextField(_("notes"), blank=True)
    billing_email = models.EmailField(
        _("billing e-mail"),
        blank=True,
        help_text=_("Where issued statements are sent. Empty: they are issued but not sent."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    hourly_rate = models.DecimalField(
        _("hourly rate (€)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Euro per hour of billable phone time. Empty: statements show no amount."),
    )
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
            models.CheckConstraint(
                condition=models.Q(hourly_rate__isnull=True) | models.Q(hourly_rate__gte=0),
                name="client_hourly_rate_not_negative",
            ),
        ]
        indexes = [
            # The client list and search results are ordered by name.
            models.Index(fields=["name"], name="client_name_idx"),
        ]

    def __str__(self):
        return f"{self.code} · {self.name}"

    def clean(self):
        self.province = (self.province or "").strip().upper()
        self.country = (self.country or "").strip().upper() or "IT"
        self.tax_code = (self.tax_code or "").strip().upper()
        self.sdi_code = (self.sdi_code or "").strip().upper()
        errors = fiscal_identity_errors(self, sdi_code=True)
        # A code names one client or one matter (also refused by the database's triggers,
        # migration clients/0006).
        if self.code and Matter.objects.filter(code=self.code).exists():
            errors["code"] = code_taken_by_matter_message(self.code)
        if errors:
            raise ValidationError(errors)

    @property
    def has_address(self) -> bool:
        """Whether the client's address is complete enough for an invoice."""
        return bool(self.street and self.postal_code and self.city)


def code_taken_by_matter_message(code: str) -> str:
    matter = Matter.objects.select_related("client").filter(code=code).first()
    return _("Code %(code)s is the code of matter “%(matter)s” of %(client)s") % {
        "code": code,
        "matter": matter.name if matter else "",
        "client": matter.client.name if matter else "",
    }


def code_taken_by_client_message(code: str) -> str:
    client = Client.objects.filter(code=code).first()
    return _("Code %(code)s is the code of client %(client)s") % {
        "code": code,
        "client": client.name if client else "",
    }


class Matter(models.Model):
    """A client's file (*pratica*), billed on its own: staff dial the matter's code instead of
    the client's, and its calls go to the client under this matter, at its rate if it has one.

    A code names exactly one client or one matter: the database keeps matter codes unique
    among matters, and its triggers (migration clients/0006) refuse a matter code that is a
    client's code and the reverse; ``clean()`` says so first, in words."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="matters", verbose_name=_("client")
    )
    code = models.CharField(
        _("code"),
        max_length=CLIENT_CODE_MAX_LENGTH,
        validators=[client_code_validator],
        help_text=_("Digits dialled after the billing marker, e.g. 12301 for client 123."),
    )
    name = models.CharField(_("description"), max_length=200)
    hourly_rate = models.DecimalField(
        _("hourly rate (€)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Empty: the client's rate."),
    )
    partner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="matters",
        verbose_name=_("partner"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        ordering = ["client__name", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="matter_code_unique"),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{1,10}$"), name="matter_code_digits"
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="matter_name_not_empty"),
            models.CheckConstraint(
                condition=models.Q(hourly_rate__isnull=True) | models.Q(hourly_rate__gte=0),
                name="matter_hourly_rate_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(opened_on__isnull=True)
                | models.Q(closed_on__gte=models.F("opened_on")),
                name="matter_closed_after_opened",
            ),
        ]
        indexes = [models.Index(fields=["client", "code"], name="matter_client_code_idx")]

    def __str__(self):
        return f"{self.code} · {self.name}"

    def clean(self):
        if self.code and Client.objects.filter(code=self.code).exists():
            raise ValidationError({"code": code_taken_by_client_message(self.code)})


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


def _contact_link_str(link) -> str:
    return str(link.contact)


# The contact ↔ client link (Django's own table) is named by its contact, e.g. on a client's
# admin page, instead of "Contact_clients object (143)".
Contact.clients.through.__str__ = _contact_link_str


class BillingRounding(models.TextChoices):
    PER_CALL = billable_time.PER_CALL, _("Each call")
    TOTAL = billable_time.TOTAL, _("The total")


INCREMENT_CHOICES = [
    (0, _("None (exact seconds)")),
    (1, _("1 minute")),
    (6, _("6 minutes")),
    (10, _("10 minutes")),
    (15, _("15 minutes")),
]


class BillingPolicy(models.Model):
    """How the firm bills phone time (one row, edited in admin); the arithmetic is
    ``clients.billable_time``, which gets this row through ``as_policy()``."""

    Rounding = BillingRounding

    increment_minutes = models.PositiveSmallIntegerField(
        _("billing increment"),
        choices=INCREMENT_CHOICES,
        default=6,
        help_text=_("Billable time is rounded up to whole increments: a started unit is billed."),
    )
    rounding = models.CharField(
        _("round"),
        max_length=10,
        choices=Rounding.choices,
        default=Rounding.PER_CALL,
        help_text=_("Round each call up to the increment, or only the period's total."),
    )
    minimum_seconds = models.PositiveIntegerField(
        _("minimum per call (s)"),
        default=0,
        help_text=_("A billed call counts at least this many seconds."),
    )
    ignore_below_seconds = models.PositiveIntegerField(
        _("do not bill calls shorter than (s)"),
        default=0,
        help_text=_("Calls with less talk time than this are listed but not billed."),
    )
    law_firm_id = models.CharField(
        _("law firm id (LEDES)"),
        max_length=40,
        blank=True,
        help_text=_(
            "The firm's identifier in LEDES files, usually its VAT number. Empty: the firm name."
        ),
    )

    class Meta:
        verbose_name = _("billing policy")
        verbose_name_plural = _("billing policy")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="billingpolicy_single_row"),
            models.CheckConstraint(
                condition=models.Q(increment_minutes__in=billable_time.INCREMENT_MINUTES),
                name="billingpolicy_increment_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(rounding__in=BillingRounding.values),
                name="billingpolicy_rounding_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(minimum_seconds__gte=0),
                name="billingpolicy_minimum_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(ignore_below_seconds__gte=0),
                name="billingpolicy_ignore_below_not_negative",
            ),
        ]

    def __str__(self):
        return str(_("Billing policy"))

    def as_policy(self) -> billable_time.BillingRules:
        """The pure policy that ``clients.billable_time`` computes with."""
        return billable_time.BillingRules(
            increment_minutes=self.increment_minutes,
            rounding=self.rounding,
            minimum_seconds=self.minimum_seconds,
            ignore_below_seconds=self.ignore_below_seconds,
        )

    @classmethod
    def load(cls) -> "BillingPolicy":
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy


class IssuedStatement(models.Model):
    """A client's statement for a month as it was issued and sent: frozen, never recomputed.

    ``lines`` and the totals are the calls as billed at issue time (rate and policy included),
    ``pdf`` the exact bytes e-mailed. The PDF is kept in the database rather than under
    MEDIA_ROOT: a statement is small (tens of KB), the row and its bytes are written in one
    transaction, and the nightly database backup then holds every statement sent (MEDIA_ROOT is
    not in it). A correction is a new statement that ``supersedes`` the old one; both are kept.
    Written only by ``clients.billing.issuing``."""

    number = models.CharField(_("number"), max_length=20, editable=False)
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    sequence = models.PositiveIntegerField(_("sequence"))
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="issued_statements", verbose_name=_("client")
    )
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("to"))
    # [{"start": ISO datetime, "caller", "number", "status", "talk_seconds",
    #   "billable_seconds", "billed", "amount": "12.50" | null}, ...]
    lines = models.JSONField(_("calls as billed"), default=list)
    calls = models.PositiveIntegerField(_("calls"))
    talk_seconds = models.PositiveIntegerField(_("talk time (s)"))
    billable_seconds = models.PositiveIntegerField(_("billable time (s)"))
    amount = models.DecimalField(
        _("amount (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    hourly_rate = models.DecimalField(
        _("hourly rate (€)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    policy = models.JSONField(_("billing policy"), default=dict)
    policy_text = models.CharField(_("billing rules"), max_length=300)
    # The avviso di parcella's items as issued (clients.billing.fees.breakdown_as_dict: the
    # lines, the rules and the client's withholding); {} when the firm had no profession.
    fees = models.JSONField(_("fee items"), default=dict, blank=True)
    # The avviso's own number, in a yearly sequence ("3/2026"); "" without a profession.
    notice_year = models.PositiveIntegerField(_("avviso year"), null=True, blank=True)
    notice_sequence = models.PositiveIntegerField(_("avviso sequence"), null=True, blank=True)
    notice_number = models.CharField(_("avviso number"), max_length=20, blank=True)
    # Recorded when the client pays: the invoice's number and date (the firm's own sequence).
    invoice_number = models.CharField(_("invoice number"), max_length=20, blank=True)
    invoice_date = models.DateField(_("invoice date"), null=True, blank=True)
    pdf = models.BinaryField(_("PDF"), editable=False)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("issued at"))
    sent_to = models.EmailField(_("sent to"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    send_attempts = models.PositiveIntegerField(_("sending attempts"), default=0)
    last_error = models.TextField(_("last sending error"), blank=True)
    # Set by the run sending it (clients.billing.issuing), so two runs at once never both send it.
    sending_since = models.DateTimeField(_("being sent since"), null=True, blank=True)

    class Meta:
        verbose_name = _("issued statement")
        verbose_name_plural = _("issued statements")
        ordering = ["-month", "sequence"]
        permissions = [("issue_statement", _("Can issue and send statements"))]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="issuedstatement_number_unique"),
            models.UniqueConstraint(
                fields=["month", "sequence"], name="issuedstatement_month_sequence_unique"
            ),
            models.UniqueConstraint(
                fields=["notice_year", "notice_sequence"],
                name="issuedstatement_notice_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="issuedstatement_month_first_day"
            ),
            models.CheckConstraint(
                condition=models.Q(sent_at__isnull=True) | ~models.Q(sent_to=""),
                name="issuedstatement_sent_has_address",
            ),
        ]
        indexes = [
            # A client's statements (its page, the issue run's "already issued?").
            models.Index(fields=["client", "month"], name="issuedstatement_client_idx"),
        ]

    def __str__(self):
        return self.number

    def bills_otherwise(self, *, calls: int, billable_seconds: int, amount) -> bool:
        """Whether today's figures of its month (calls, billable time, amount) differ from
        the issued ones: calls reassigned, a rate or the policy changed since."""
        return (calls, billable_seconds, amount) != (self.calls, self.billable_seconds, self.amount)
