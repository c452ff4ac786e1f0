from django import forms
from django.utils.translation import gettext_lazy as _

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


class CdrUploadForm(forms.Form):
    files = MultipleFileField(
        label=_("CDR files"),
        help_text=_(
            "3CX cdr.log or one-file-per-call records, Asterisk Master.csv, or a CSV with a "
            "header row. For very large files use the import_cdr command."
        ),
    )
