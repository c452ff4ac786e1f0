"""The firm's settings in admin: one row, opened straight from the list; and what every app's
admin shares."""

from django import forms
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from firm.models import FirmSettings, Job
from firm.services import firm_settings_save

# The fee items' settings: left empty (or missing from a form posted by a script), they
# keep their defaults rather than failing the whole form.
DEFAULTED_FIELDS = [
    "fiscal_regime",
    "general_expenses_rate",
    "cassa_rate",
    "vat_rate",
    "withholding_rate",
    "withholding_type",
]


class FirmSettingsForm(forms.ModelForm):
    class Meta:
        model = FirmSettings
        fields = DEFAULTED_FIELDS  # admin adds the fieldsets' fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in DEFAULTED_FIELDS:
            if name in self.fields:
                self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        for name in DEFAULTED_FIELDS:
            if name in self.fields and cleaned.get(name) in (None, ""):
                cleaned[name] = FirmSettings._meta.get_field(name).get_default()
        return cleaned


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

    form = FirmSettingsForm

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
            _("Fiscal identity and fee items"),
            {
                "fields": [
                    "street",
                    ("postal_code", "city", "province", "country"),
                    "profession",
                    "fiscal_regime",
                    ("general_expenses_rate", "cassa_rate", "vat_rate", "withholding_rate"),
                    "withholding_type",
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


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    """The long work the task worker ran or runs (firm/jobs.py, docs/tasks.md): read-only,
    for looking into a failure; deleted by ``delete_old_jobs`` after ``JOB_FILES_KEEP_DAYS``."""

    list_display = ["pk", "kind", "title", "status", "done", "total", "requested_by", "created_at"]
    list_filter = ["kind", "status"]
    date_hierarchy = "created_at"
