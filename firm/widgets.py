"""Form widgets every app's forms share."""

from django import forms


class DateInput(forms.DateInput):
    """A browser date picker; its value is always YYYY-MM-DD, whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
