from django import forms
from django.utils.translation import gettext_lazy as _

from calls.models import Trunk

MAX_CLIENT_LIST_BYTES = 10 * 1024 * 1024


class ClientListUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Client list"),
        help_text=_(
            "CSV or XLSX with a header row: code, name, and optionally tax code, VAT number, "
            "notes, active (Italian names such as Codice, Ragione sociale, Partita IVA work too)."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CLIENT_LIST_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx", ".xlsm")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


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
