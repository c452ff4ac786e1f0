"""The filter forms' widgets written in Python (firm.renderers) are exactly what Django's
widget templates write, character for character."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation

from calls.filters import CallLogFilter, UnassignedCallFilter
from firm.renderers import python_widgets
from tests.factories import make_trunk

pytestmark = pytest.mark.django_db

QUERIES = [
    {},
    {"period": "last_month", "destination": "numbers", "number": '%**1"<b>', "number_not": "on"},
    {
        "date_after": "2026-05-01",
        "date_before": "2026-04-01",
        "destination": "external",
        "number_mode": "contains",
        "caller": "<1>",
        "client": "123",
        "matter": "12301",
        "status": "answered",
        "direction": "outbound",
        "has_code": "no",
        "unknown_code": "on",
        "min_talk": "-3",
    },
    {"period": "nonsense", "destination": "other", "trunk": "999", "min_talk": "x"},
]


def written(form) -> list[str]:
    """Each field's widget, label and errors, and the form's own errors."""
    parts = [str(form.non_field_errors())]
    for name in form.fields:
        field = form[name]
        parts += [str(field), field.label_tag(), str(field.errors)]
    parts.append(form[next(iter(form.fields))].label_tag(attrs={"class": "x", "hidden": True}))
    return parts


def rendered(filterset, renderer) -> list[str]:
    form = filterset.form
    form.renderer = renderer
    form.full_clean()  # its errors written by this renderer
    return written(form)


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("language", ["it", "en"])
def test_the_call_log_filter_is_written_as_django_writes_it(query, language):
    trunk = make_trunk("9", "Gateway <cellulare> & co")
    make_trunk("8", "VoIP")
    query = {**query, "trunk": query.get("trunk", str(trunk.pk))}
    with translation.override(language):
        ours = rendered(CallLogFilter(query), python_widgets)
        theirs = rendered(CallLogFilter(query), DjangoTemplates())
    for a, b in zip(ours, theirs, strict=True):
        assert a == b, (a, b)
    assert any("<option" in html for html in ours)
    assert any('type="radio"' in html for html in ours)
    assert any("<label" in html for html in ours)
    if query.get("min_talk"):
        assert any("errorlist" in html for html in ours)


def test_the_unassigned_queue_filter_too():
    ours = rendered(UnassignedCallFilter({"period": "today"}), python_widgets)
    theirs = rendered(UnassignedCallFilter({"period": "today"}), DjangoTemplates())
    for a, b in zip(ours, theirs, strict=True):
        assert a == b, (a, b)


class Everything(forms.Form):
    default_renderer = python_widgets
    pick = forms.ChoiceField(
        choices=[("Group <1>", [("a", "A & a"), ("b", "B")]), ("c", "C")],
        widget=forms.Select(attrs={"class": "x", "disabled": True, "data-x": False}),
    )
    radios = forms.ChoiceField(
        choices=[("Group", [("a", "A")]), ("b", "B")], widget=forms.RadioSelect
    )
    boxes = forms.MultipleChoiceField(
        choices=[("a", "A"), ("b", "<B>"), (3, 1234567.5)], widget=forms.CheckboxSelectMultiple
    )
    many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")])
    text = forms.CharField(widget=forms.TextInput(attrs={"placeholder": '"quoted"'}))
    hidden = forms.IntegerField(widget=forms.HiddenInput)


def test_other_widgets_and_optgroups_are_written_alike():
    form = Everything({"pick": "b", "radios": "a", "boxes": ["b"], "many": ["a", "b"], "text": "<"})
    form.add_error(None, "Non <field> & error")
    ours = written(form)
    form.renderer = DjangoTemplates()
    form.full_clean()
    form.add_error(None, "Non <field> & error")
    theirs = written(form)
    for a, b in zip(ours, theirs, strict=True):
        assert a == b, (a, b)
