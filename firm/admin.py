from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
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
