"""The admin site: it opens to the Administrator role (group), not to Django's staff flag.

A module of its own, not ``firm.admin``: Django builds the site from this class the first time
anything touches ``admin.site``, which may happen while an ``admin`` module is being imported.
"""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpResponsePermanentRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from firm.roles import is_administrator


class AdministratorAuthenticationForm(AdminAuthenticationForm):
    """The admin login accepts the Administrator role, not Django's staff flag."""

    def confirm_login_allowed(self, user):
        if not is_administrator(user):
            raise ValidationError(
                _("This account has no Administrator role. Log in on the main page instead."),
                code="invalid_login",
            )


class FirmAdminSite(admin.AdminSite):
    """The admin site opens to the Administrator role (group), not to a separate staff flag."""

    site_header = _("ClientCalls administration")
    site_title = _("ClientCalls")
    index_title = _("Administration")
    login_form = AdministratorAuthenticationForm

    def has_permission(self, request):
        return is_administrator(request.user)

    def get_urls(self):
        # The firm settings moved from the calls app to firm: old bookmarks still arrive.
        return [
            path("calls/firmsettings/", _moved_firm_settings),
            path("calls/firmsettings/<path:rest>", _moved_firm_settings),
            *super().get_urls(),
        ]


def _moved_firm_settings(request, rest=""):
    """/admin/calls/firmsettings/… → /admin/firm/firmsettings/… (the query string kept)."""
    url = reverse("admin:firm_firmsettings_changelist") + rest
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
