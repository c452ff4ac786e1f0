"""The firm's settings in admin: one row, opened straight from the list; and what every app's
admin shares."""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from firm.models import FirmSettings
from firm.services import firm_settings_save


class ReadOnlyMixin:
    """Records of what happened: shown, never added, edited or deleted. For a model's admin
    (ReadOnlyAdmin) or an inline."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class SingletonAdmin(admin.ModelAdmin):
    """A model of one row (``Model.load()`` makes it, pk 1): the list page opens the row
    itself; it is never added nor deleted."""

    def changelist_view(self, request, extra_context=None):
        self.model.load()
        opts = self.model._meta
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[1]))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FirmSettings)
class FirmSettingsAdmin(SingletonAdmin):
    """The firm's settings, one row."""

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
