from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from firm.roles import is_administrator


class FirmAdminSite(admin.AdminSite):
    """The admin site opens to the Administrator role (group), not to a separate staff flag."""

    site_header = _("ClientCalls administration")
    site_title = _("ClientCalls")
    index_title = _("Administration")

    def has_permission(self, request):
        return is_administrator(request.user)
