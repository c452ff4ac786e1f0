"""The forms of calls' pages: the call log filter's checks, CDR upload, assignment and the
period lock."""

import django_filters
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from calls.patterns import MAX_PATTERN_LENGTH, PatternError, pattern_for
from calls.services import MAX_ASSIGNED_CALLS
from clients.models import CLIENT_CODE_MAX_LENGTH, Client, Matter
from firm.lib.dates import MAX_YEAR, MIN_YEAR
from firm.renderers import python_widgets
from firm.widgets import DateInput

MAX_UPLOAD_FILES = 20


_PATTERN_MESSAGES = {
    "empty": _("Enter a number or a pattern, e.g. %(example)s."),
    "too_long": _("A pattern is at most %(max)s characters long; this one has %(length)s."),
    "control_character": _("A pattern may not contain control characters (tabs, line breaks)."),
    "unknown_mode": _("Choose how the number is matched."),
}


def number_hint(marker: str) -> str:
    """The call log's pattern hint, its examples written with the firm's ``marker``."""
    return _(
        "%(one)s: client 123; %(any)s: every call with a client code; %(prefix)s: numbers "
        "starting with 0232."
    ) % {"one": f"%{marker}123", "any": f"%{marker}%", "prefix": "0232%"}


def pattern_error_message(error: PatternError, text: str, marker: str = "**") -> str:
    """The pattern error in the user's language (``calls.patterns`` speaks English only); an
    example is written with the firm's ``marker``."""
    template = _PATTERN_MESSAGES.get(error.code)
    if template is None:
        return str(error)
    if error.code == "too_long":
        return template % {"max": MAX_PATTERN_LENGTH, "length": len(text.strip(" "))}
    if error.code == "empty":
        return template % {"example": f"%{marker}123"}
    return str(template)


class DayRangeWidget(django_filters.widgets.DateRangeWidget):
    def __init__(self, attrs=None):
        forms.MultiWidget.__init__(self, (DateInput, DateInput), attrs)


class PeriodForm(forms.Form):
    """Checks of the days of a period filter: years in range, first day before the last.
    Its widgets are written in Python, as Django's templates write them (firm.renderers)."""

    default_renderer = python_widgets

    year_out_of_range = False

    def clean(self):
        cleaned = super().clean()
        day_range = cleaned.get("date")
        if day_range:
            after, before = (
                value.date() if value is not None else None
                for value in (day_range.start, day_range.stop)
            )
            for name, day in (("date", after), ("date", before)):
                if day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
                    self.add_error(
                        name,
                        _("Enter a date between the years %(min)s and %(max)s.")
                        % {"min": MIN_YEAR, "max": MAX_YEAR},
                    )
                    self.year_out_of_range = True
                    return cleaned
            if after and before and after > before:
                self.add_error("date", _("The first day comes after the last day."))
        return cleaned


class CallLogForm(PeriodForm):
    """Cross-field checks of the call log filter; the pattern is parsed once, here."""

    number_pieces = None
    # The firm's marker, set by the filter (CallLogFilter.form) for its hint and messages.
    billing_marker = None

    def clean(self):
        cleaned = super().clean()
        if self.year_out_of_range:
            return cleaned
        number = cleaned.get("number") or ""
        destination = cleaned.get("destination")
        if number or destination == "numbers":
            mode = cleaned.get("number_mode") or "pattern"
            try:
                self.number_pieces = pattern_for(mode, number)
            except PatternError as error:
                self.add_error(
                    "number", pattern_error_message(error, number, str(self.billing_marker or "**"))
                )
        return cleaned


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


def owner_by_code(code: str) -> tuple[Client, Matter | None]:
    """The client with `code`, or the matter with `code` and its client; else a form error
    that says no client or matter has it."""
    client = Client.objects.filter(code=code).first()
    if client is not None:
        return client, None
    matter = Matter.objects.select_related("client").filter(code=code).first()
    if matter is not None:
        return matter.client, matter
    raise forms.ValidationError(
        _("No client or matter has code %(code)s.") % {"code": code}, code="unknown_client"
    )


class ClientCodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Client or matter code"))
        kwargs.setdefault("max_length", CLIENT_CODE_MAX_LENGTH)
        super().__init__(**kwargs)


class QueueAssignForm(forms.Form):
    """What the queue page posts: the ticked calls and either a client or matter code
    ("client"), or each call's suggested client and matter ("suggested"); a row's own button
    posts its call as `one`."""

    ACTION_CLIENT, ACTION_SUGGESTED, ACTION_ONE = "client", "suggested", "one"

    calls = CallIdsField(required=False)
    one = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    action = forms.ChoiceField(
        required=False, choices=[(ACTION_CLIENT, ACTION_CLIENT), (ACTION_SUGGESTED, "")]
    )
    client_code = ClientCodeField(
        required=False, widget=forms.TextInput(attrs={"list": "matter-choices"})
    )
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
            cleaned["client"], cleaned["matter"] = owner_by_code(code)
        return cleaned


class CallAssignForm(forms.Form):
    """A call's page: give the call another client, or one of a client's matters (its code)."""

    client_code = ClientCodeField()
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def clean_client_code(self):
        code = self.cleaned_data["client_code"].strip()
        self.cleaned_data["client"], self.cleaned_data["matter"] = owner_by_code(code)
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


class ReminderPreferenceForm(forms.Form):
    """The user's own e-mail preferences (calls.views.ReminderPreferenceView)."""

    unassigned_calls = forms.BooleanField(
        label=_("Daily reminder of unassigned calls"),
        required=False,
        help_text=_(
            "An e-mail each morning with the previous day's outgoing calls that have no client, "
            "when there are any."
        ),
    )
