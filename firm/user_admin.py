"""The user admin for Administrators who are not superusers (registered by
``firm.apps.FirmAdminConfig.ready``, after django.contrib.auth registered Django's own).

A separate module from ``firm.admin``: importing django.contrib.auth.admin builds the admin
site, whose class lives in ``firm.sites``.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _

from firm.roles import ROLES


class FirmUserAdmin(UserAdmin):
    """Users, as Administrators (not superusers) may manage them: username, password, name,
    e-mail, active, and one of the three roles. No superuser flag, no staff flag, no
    per-user permissions, no other group; superusers are shown but cannot be changed or
    deleted (nor their passwords set). Superusers keep Django's full user admin."""

    role_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Role"), {"fields": ("is_active", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.role_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ("last_login", "date_joined")

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=ROLES).order_by("name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


def register_user_admin(site: admin.AdminSite) -> None:
    """Replace Django's user admin (registered by django.contrib.auth) with ours."""
    if site.is_registered(User):
        site.unregister(User)
    site.register(User, FirmUserAdmin)
