"""A form renderer that writes Django's plain widgets (inputs, selects, radio and checkbox
lists) in Python, with the same markup as Django's own widget templates, and any other
template through Django's renderer. A select is one template per option in Django, which
made the call log's filter form cost more than its table (a test compares the two)."""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

WIDGETS = "django/forms/widgets/"
INPUT_TEMPLATES = {
    f"{WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "color",
        "checkbox",
    )
}


def _text(value) -> str:
    """``{{ value|stringformat:'s' }}`` (escaped unless already safe)."""
    return conditional_escape(value if isinstance(value, SafeString) else str(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}'
        f"{_attrs(widget['attrs'])}>"
    )


def _label(label) -> str:
    """``{{ widget.label }}``: localised (a number label as the template shows it), escaped."""
    return conditional_escape(localize(label))


def _option(option: dict) -> str | None:
    """An option's template, with the line ends of Django's template files (each ends
    with one, and an include keeps it)."""
    name = option["template_name"]
    if name == f"{WIDGETS}select_option.html":
        return (
            f'<option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
            f"{_label(option['label'])}</option>\n"
        )
    if name in (f"{WIDGETS}radio_option.html", f"{WIDGETS}checkbox_option.html"):
        if not option.get("wrap_label"):
            return f"{_input(option)}\n\n\n"
        widget_id = option["attrs"].get("id")
        label_for = f' for="{_text(widget_id)}"' if widget_id else ""
        return f"<label{label_for}>{_input(option)}\n {_label(option['label'])}</label>\n\n"
    return None


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_label(group_name)}">')
        for option in options:
            html = _option(option)
            if html is None:
                return None
            parts.append(f"\n  {html}")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _multiple_input(widget: dict) -> str | None:
    widget_id = widget["attrs"].get("id")
    css = widget["attrs"].get("class")
    parts = [
        "<div",
        f' id="{_text(widget_id)}"' if widget_id else "",
        f' class="{_text(css)}"' if css else "",
        ">",
    ]
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_label(group)}</label>")
        for option in options:
            html = _option(option)
            if html is None:
                return None
            parts.append(f"<div>\n    {html}</div>")
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return "".join(parts)


def _label_tag(context: dict) -> str:
    """django/forms/label.html."""
    label = _label(context["label"])
    if not context["use_tag"]:
        return label
    tag = conditional_escape(context["tag"])
    return f"<{tag}{_attrs(context['attrs'] or {})}>{label}</{tag}>"


def _error_list(context: dict) -> str:
    """django/forms/errors/list/ul.html (default.html includes it)."""
    errors = context["errors"]
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    error_id = f' id="{conditional_escape(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{conditional_escape(error)}</li>" for error in errors)
    return f'<ul class="{conditional_escape(context["error_class"])}"{error_id}>{items}</ul>'


def _widget(write):
    def writer(context):
        widget = context.get("widget")
        return None if widget is None else write(widget)

    return writer


WRITERS = {
    f"{WIDGETS}select.html": _widget(_select),
    f"{WIDGETS}radio.html": _widget(_multiple_input),
    f"{WIDGETS}checkbox_select.html": _widget(_multiple_input),
    f"{WIDGETS}multiple_input.html": _widget(_multiple_input),
    **dict.fromkeys(INPUT_TEMPLATES, _widget(_input)),
    "django/forms/label.html": _label_tag,
    "django/forms/errors/list/default.html": _error_list,
    "django/forms/errors/list/ul.html": _error_list,
}


class PythonWidgetsRenderer(DjangoTemplates):
    """Django's renderer, with the templates of ``WRITERS`` (widgets, labels, error lists)
    written in Python."""

    def render(self, template_name, context, request=None):
        writer = WRITERS.get(template_name)
        if writer is not None:
            html = writer(context)
            if html is not None:
                return mark_safe(html.strip())  # noqa: S308 - every value is escaped above
        return super().render(template_name, context, request=request)


python_widgets = PythonWidgetsRenderer()
