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
