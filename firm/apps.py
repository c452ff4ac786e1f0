from django.contrib.admin.apps import AdminConfig


class FirmAdminConfig(AdminConfig):
    default_site = "firm.admin.FirmAdminSite"

    def ready(self):
        super().ready()  # autodiscovers every app's admin module, django.contrib.auth's too
        from django.contrib import admin

        from firm.user_admin import register_user_admin

        register_user_admin(admin.site)
