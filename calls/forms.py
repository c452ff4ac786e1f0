from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from calls.services import MAX_ASSIGNED_CALLS
from clients.models import CLIENT_CODE_MAX_LENGTH, Client
from firm.lib.dates import MAX_YEAR, MIN_YEAR

MAX_UPLOAD_FILES = 20


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        if len(files) > MAX_UPLOAD_FILES:
            raise forms.ValidationError(
                _("Upload at most %(count)s files at a time.") % {"count": MAX_UPLOAD_FILES}
            )
        return [super(MultipleFileField, self).clean(file, initial) for file in files]


def megabytes(size: int) -> int:
    return size // (1024 * 1024)


class CdrUploadForm(forms.Form):
    """Files to import. Each file may hold at most ``CDR_UPLOAD_MAX_FILE_BYTES`` and the
    files of one upload together ``CDR_UPLOAD_MAX_REQUEST_BYTES`` (settings): larger ones are
    refused with a message that points to ``import_cdr``, before anything is imported."""

    files = MultipleFileField(
        label=_("CDR files"),
        help_text=_(
            "3CX cdr.log or one-file-per-call records, Asterisk Master.csv, or a CSV with a "
            "header row. For very large files use the import_cdr command."
        ),
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        per_file, per_request = (
            settings.CDR_UPLOAD_MAX_FILE_BYTES,
            settings.CDR_UPLOAD_MAX_REQUEST_BYTES,
        )
        for upload in files:
            if upload.size > per_file:
                raise forms.ValidationError(
                    _(
                        "%(name)s is larger than %(max)s MB: import files this large with the "
                        "import_cdr command."
                    )
                    % {"name": upload.name, "max": megabytes(per_file)},
                    code="file_too_large",
                )
        if sum(upload.size for upload in files) > per_request:
            raise forms.ValidationError(
                _(
                    "These files together are larger than %(max)s MB: upload fewer at a time, "
                    "or use the import_cdr command."
                )
                % {"max": megabytes(per_request)},
                code="upload_too_large",
            )
        return files


# --- The unassigned calls queue, a call's page, the period lock ------------------------------


class CallIdsField(forms.Field):
    """The ids of the ticked calls (checkboxes named alike); anything but ids is refused."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            ids = [int(item) for item in values]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("The selection is not valid."), code="invalid") from None
        if any(pk < 1 or pk > 2**63 - 1 for pk in ids):
            raise forms.ValidationError(_("The selection is not valid."), code="invalid")
        if len(ids) > MAX_ASSIGNED_CALLS:
            raise forms.ValidationError(
                _("Assign at most %(max)s calls at a time.") % {"max": MAX_ASSIGNED_CALLS},
                code="too_many",
            )
        return sorted(set(ids))


def client_by_code(code: str) -> Client:
    """The client with `code`, or a form error that says no client has it."""
    client = Client.objects.filter(code=code).first()
    if client is None:
        raise forms.ValidationError(
            _("No client has code %(code)s.") % {"code": code}, code="unknown_client"
        )
    return client


class ClientCodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Client code"))
        kwargs.setdefault("max_length", CLIENT_CODE_MAX_LENGTH)
        super().__init__(**kwargs)


class QueueAssignForm(forms.Form):
    """What the queue page posts: the ticked calls and either a client code ("client"), or
    each call's suggested client ("suggested"); a row's own button posts its call as `one`."""

    ACTION_CLIENT, ACTION_SUGGESTED, ACTION_ONE = "client", "suggested", "one"

    calls = CallIdsField(required=False)
    one = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    action = forms.ChoiceField(
        required=False, choices=[(ACTION_CLIENT, ACTION_CLIENT), (ACTION_SUGGESTED, "")]
    )
    client_code = ClientCodeField(required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned.get("one"):
            cleaned["action"], cleaned["calls"] = self.ACTION_ONE, [cleaned["one"]]
        elif not cleaned.get("action"):
            raise forms.ValidationError(_("Choose what to do with the selected calls."))
        if not cleaned.get("calls"):
            raise forms.ValidationError(_("Select at least one call."))
        if cleaned["action"] == self.ACTION_CLIENT:
            code = (cleaned.get("client_code") or "").strip()
            if not code:
                raise forms.ValidationError(_("Enter the code of the client to assign."))
            cleaned["client"] = client_by_code(code)
        return cleaned


class CallAssignForm(forms.Form):
    """A call's page: give the call another client."""

    client_code = ClientCodeField()
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def clean_client_code(self):
        code = self.cleaned_data["client_code"].strip()
        self.cleaned_data["client"] = client_by_code(code)
        return code


class PeriodActionForm(forms.Form):
    """The periods page: close a month, or reopen it saying why."""

    CLOSE, REOPEN = "close", "reopen"

    action = forms.ChoiceField(choices=[(CLOSE, CLOSE), (REOPEN, REOPEN)])
    month = forms.DateField(input_formats=["%Y-%m"])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)

    def clean_month(self):
        month = self.cleaned_data["month"]
        if not MIN_YEAR <= month.year <= MAX_YEAR:
            raise forms.ValidationError(_("The month is not valid."))
        return month
