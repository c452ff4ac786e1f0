from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from calls.models import Trunk
from clients.models import Client, Matter
from firm.lib.money import parse_euro

MAX_CLIENT_LIST_BYTES = 10 * 1024 * 1024


class ClientListUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Client list"),
        help_text=_(
            "CSV or XLSX with a header row: code, name, and optionally tax code, VAT number, "
            "notes, active, hourly rate (Italian names such as Codice, Ragione sociale, "
            "Partita IVA, Tariffa oraria work too). Without a rate column, rates stay as they are."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CLIENT_LIST_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx", ".xlsm")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


class MatterListUploadForm(ClientListUploadForm):
    file = forms.FileField(
        label=_("Matter list"),
        help_text=_(
            "CSV or XLSX with a header row: Codice pratica, Codice cliente, Descrizione, and "
            "optionally Tariffa oraria, Attiva (or Matter code, Client code, Description, "
            "Hourly rate, Active). Without a rate column, rates stay as they are."
        ),
    )


class DialHelperForm(forms.Form):
    number = forms.CharField(
        label=_("Number to call"),
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": "345 456 5678", "inputmode": "tel"}),
    )
    trunk = forms.ModelChoiceField(
        label=_("Trunk"),
        queryset=Trunk.objects.filter(is_active=True).exclude(prefix=""),
        empty_label=None,
    )
    # The client's active matters (set by from_query): with one chosen, its code is dialled.
    matter = forms.ModelChoiceField(
        label=_("Matter"),
        queryset=Matter.objects.none(),
        required=False,
        empty_label=_("None: the client's code"),
    )

    @classmethod
    def from_query(cls, query, *, client: Client | None = None) -> "DialHelperForm":
        """The form of a client's card: unbound until a number is given, with the firm's
        default trunk preselected; a number alone (a contact's link) goes out through it (or
        the first trunk the list shows, when no trunk is the default). ``client``'s active
        matters are the matter's choices."""
        trunks = cls.base_fields["trunk"].queryset
        default = trunks.order_by("-is_default", "prefix", "name").values_list("pk", flat=True)
        default = default.first()
        if "number" not in query:
            form = cls(initial={"trunk": default, "matter": query.get("matter")})
        else:
            data = query.copy()
            if not data.get("trunk") and default is not None:
                data["trunk"] = str(default)
            form = cls(data)
        if client is not None:
            form.fields["matter"].queryset = client.matters.filter(is_active=True).order_by("code")
        return form

    def code(self, client: Client) -> str:
        """The code to dial (valid form only): the matter's chosen, else the client's."""
        matter = self.cleaned_data.get("matter")
        return matter.code if matter is not None else client.code


class EuroField(forms.DecimalField):
    """An amount in euro in a text box, typed the Italian way (150,00 · 1.250,50 · € 180) or
    with a point (150.00). Not a number box: Chromium's number box in an Italian browser
    read 150,00 as 15000."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 9)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(localize=True, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_euro(str(value))
        except ValueError:
            raise ValidationError(
                _("Write an amount in euro, e.g. 150 or 150,00 or 1.250,50."), code="invalid"
            ) from None


# A rate above this is taken for a typing slip until the administrator confirms it.
RATE_CONFIRM_ABOVE = 2000


class ClientAdminForm(forms.ModelForm):
    """The client in admin: the hourly rate typed the Italian way, and an unusually high one
    (a slip of a comma or a zero) saved only once confirmed."""

    hourly_rate = EuroField(
        label=_("Hourly rate (€)"),
        required=False,
        help_text=_(
            "Euro per hour of billable phone time, e.g. 150 or 150,00. Empty: statements show "
            "no amount."
        ),
    )
    confirm_rate = forms.BooleanField(
        label=_("Yes, this rate is right"),
        required=False,
        help_text=_("Needed only for a rate above € 2.000 an hour."),
    )

    class Meta:
        model = Client
        fields = [
            "code",
            "name",
            "tax_code",
            "vat_number",
            "street",
            "postal_code",
            "city",
            "province",
            "country",
            "sdi_code",
            "pec",
            "withholding_agent",
            "billing_email",
            "notes",
            "is_active",
            "hourly_rate",
        ]

    def clean(self):
        cleaned = super().clean()
        rate = cleaned.get("hourly_rate")
        changed = "hourly_rate" in self.changed_data
        if rate is not None and rate > RATE_CONFIRM_ABOVE and changed:
            if not cleaned.get("confirm_rate"):
                self.add_error(
                    "hourly_rate",
                    _(
                        "€ %(rate)s an hour is unusually high. Check it, then tick "
                        "“Yes, this rate is right” to save it."
                    )
                    % {"rate": formats.number_format(rate, 2, use_l10n=True, force_grouping=True)},
                )
        return cleaned


class MatterAdminForm(forms.ModelForm):
    """A matter in admin (its own page, or inline under its client): the rate typed the
    Italian way, like the client's."""

    hourly_rate = EuroField(
        label=_("Hourly rate (€)"),
        required=False,
        help_text=_("e.g. 180 or 180,00. Empty: the client's rate."),
    )

    class Meta:
        model = Matter
        fields = [
            "client",
            "code",
            "name",
            "hourly_rate",
            "partner",
            "is_active",
            "opened_on",
            "closed_on",
        ]
