"""The firm's settings in admin: one row, opened straight from the list."""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from firm.models import FirmSettings, Job
from firm.services import firm_settings_save


@admin.register(FirmSettings)
class FirmSettingsAdmin(admin.ModelAdmin):
    """One row: the list page opens the row itself."""

    fieldsets = [
        (None, {"fields": ["firm_name"]}),
        (
            _("Letterhead"),
            {
                "fields": [
                    "address",
                    "vat_number",
                    "tax_code",
                    "logo",
                    "statement_shows_cost",
                    "pack_skips_unbillable",
                ]
            },
        ),
        (
            _("Dialling"),
            {
                "fields": [
                    "billing_marker",
                    "former_markers",
                    "internal_extension_lengths",
                    "country_code",
                    "international_prefix",
                ]
            },
        ),
    ]

    readonly_fields = ["former_markers"]

    def save_model(self, request, obj, form, change):
        firm_settings_save(firm_settings=obj)

    def changelist_view(self, request, extra_context=None):
        FirmSettings.load()
        return redirect(reverse("admin:firm_firmsettings_change", args=[1]))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """The long work the task worker ran or runs (firm/jobs.py): read-only, for looking into
    a failure; deleted by ``delete_old_jobs`` after ``JOB_FILES_KEEP_DAYS``."""

    list_display = ["pk", "kind", "title", "status", "done", "total", "requested_by", "created_at"]
    list_filter = ["kind", "status"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Job._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
