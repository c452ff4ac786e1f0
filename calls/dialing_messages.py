"""Translated messages for calls.dialing errors (the pure module speaks English only)."""

from django.utils.translation import gettext as _

from calls.dialing import DialError


class _Params(dict):
    def __missing__(self, key):
        return "?"


def dial_error_message(error: DialError) -> str:
    """The error in the user's language, naming the offending value; English text as fallback."""
    messages = {
        "empty": _("Enter a phone number."),
        "bad_character": _("“%(character)s” cannot be dialled: use digits, with + in front."),
        "marker_without_code": _("There is no client code after the marker %(marker)s."),
        "code_not_digits": _("The client code after %(marker)s must be digits only."),
        "marker_twice": _("The marker %(marker)s appears more than once."),
        "unknown_prefix": _("No trunk uses the prefix that %(value)s begins with."),
        "prefix_only": _("There is no number after the trunk prefix %(prefix)s."),
        "not_internal": _("%(value)s is not an internal extension."),
        "bad_marker": _("The billing marker %(marker)s is not valid."),
        "bad_prefix": _("The trunk prefix %(prefix)s is not valid."),
        "code_on_internal_call": _("Internal calls carry no client code."),
        "internal_shadowed_by_prefix": _(
            "Extension %(value)s begins with a trunk prefix and would dial out instead."
        ),
        "trunk_without_prefix": _("The trunk %(trunk)s has no prefix to dial."),
    }
    template = messages.get(error.code)
    if template is None:
        return str(error)
    return template % _Params(error.params)
