from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class FirmConfig(AppConfig):
    """The kernel as an app: its system checks (firm/checks.py)."""

    name = "firm"
    label = "firm"
    verbose_name = "ClientCalls"

    def ready(self):
        from firm import checks  # noqa: F401  (registers the checks)


class FirmAdminConfig(AdminConfig):
    default_site = "firm.admin.FirmAdminSite"

    def ready(self):
        super().ready()  # autodiscovers every app's admin module, django.contrib.auth's too
        from django.contrib import admin

        from firm.user_admin import register_user_admin

        register_user_admin(admin.site)
