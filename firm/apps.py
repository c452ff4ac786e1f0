from django.contrib.admin.apps import AdminConfig


class FirmAdminConfig(AdminConfig):
    default_site = "firm.admin.FirmAdminSite"
