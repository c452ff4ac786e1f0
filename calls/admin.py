from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from calls.models import Call, FirmSettings, Trunk, TrunkIdentifier


@admin.register(FirmSettings)
class FirmSettingsAdmin(admin.ModelAdmin):
    """One row: the list page opens the row itself."""

    fieldsets = [
        (None, {"fields": ["firm_name"]}),
        (
            _("Dialling"),
            {
                "fields": [
                    "billing_marker",
                    "internal_extension_lengths",
                    "country_code",
                    "international_prefix",
                ]
            },
        ),
    ]

    def changelist_view(self, request, extra_context=None):
        FirmSettings.load()
        return redirect(reverse("admin:calls_firmsettings_change", args=[1]))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TrunkIdentifierInline(admin.TabularInline):
    model = TrunkIdentifier
    extra = 1


@admin.register(Trunk)
class TrunkAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "prefix", "strip_prefix", "identifier_list", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "prefix", "identifiers__value"]
    inlines = [TrunkIdentifierInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("identifiers")

    @admin.display(description=_("PBX identifiers"))
    def identifier_list(self, trunk):
        return ", ".join(identifier.value for identifier in trunk.identifiers.all())


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    """Calls come from the PBX: the admin reads them, only the importer writes them."""

    list_display = [
        "start",
        "caller",
        "destination",
        "billing_code",
        "client",
        "trunk",
        "direction",
        "status",
        "talk_seconds",
    ]
    list_filter = ["direction", "status", "trunk"]
    search_fields = ["destination", "billing_code", "caller", "client__name", "pbx_call_id"]
    date_hierarchy = "start"
    list_select_related = ["client", "trunk"]
    show_full_result_count = False  # counting millions of calls on every page is slow

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
