from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class FirmConfig(AppConfig):
    """The shared kernel as an app: the firm's settings model, its migrations and roles, and
    its system checks (firm/checks.py)."""

    name = "firm"
    verbose_name = _("Firm")

    def ready(self):
        from firm import checks  # noqa: F401  (registers the checks)


class FirmAdminConfig(AdminConfig):
    default_site = "firm.sites.FirmAdminSite"

    def ready(self):
        super().ready()  # autodiscovers every app's admin module, django.contrib.auth's too
        from django.contrib import admin

        from firm.user_admin import register_user_admin

        register_user_admin(admin.site)


class AxesConfig(AxesAppConfig):
    """django-axes (login attempts and lockouts) with a name in the admin's language instead of
    its label ("Axes")."""

    verbose_name = _("Login security")
