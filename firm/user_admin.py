"""The user admin for Administrators who are not superusers (registered by
``firm.apps.FirmAdminConfig.ready``, after django.contrib.auth registered Django's own).

A separate module from ``firm.admin``: importing django.contrib.auth.admin builds the admin
site, whose class lives in ``firm.sites``.
"""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _

from firm.roles import ROLES, role_label


class RoleFilter(admin.RelatedFieldListFilter):
    """The list filter on groups, the roles by their names in the user's language."""

    def field_choices(self, field, request, model_admin):
        return [
            (pk, role_label(name))
            for pk, name in super().field_choices(field, request, model_admin)
        ]


class FirmUserAdmin(UserAdmin):
    """Users, as Administrators (not superusers) may manage them: username, password, name,
    e-mail, active, and one of the three roles. No superuser flag, no staff flag, no
    per-user permissions, no other group; superusers are shown but cannot be changed or
    deleted (nor their passwords set). Superusers keep Django's full user admin."""

    list_filter = ("is_staff", "is_superuser", "is_active", ("groups", RoleFilter))

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
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups":
            field.label_from_instance = lambda group: role_label(group.name)
        return field

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


class FirmGroupAdmin(GroupAdmin):
    """Groups, the roles by their names in the user's language."""

    list_display = ["shown_name"]

    @admin.display(description=_("name"), ordering="name")
    def shown_name(self, group):
        return role_label(group.name)


def register_user_admin(site: admin.AdminSite) -> None:
    """Replace Django's user and group admins (registered by django.contrib.auth) with ours."""
    for model, model_admin in ((User, FirmUserAdmin), (Group, FirmGroupAdmin)):
        if site.is_registered(model):
            site.unregister(model)
        site.register(model, model_admin)
