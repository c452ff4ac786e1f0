from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from calls.services import LinkedCalls
from clients.forms import ClientAdminForm, ClientListUploadForm
from clients.importing import ClientListError, read_client_list
from clients.models import BillingPolicy, Client, Contact, IssuedStatement
from clients.services import client_save, clients_import
from firm.lib.formats import format_euro


class ContactLinkForm(forms.ModelForm):
    class Meta:
        model = Contact.clients.through
        fields = ["contact"]
        labels = {"contact": _("contact")}  # Django's own link table names it in English


class ContactInline(admin.TabularInline):
    model = Contact.clients.through
    form = ContactLinkForm
    extra = 0
    verbose_name = _("contact")
    verbose_name_plural = _("contacts")
    autocomplete_fields = ["contact"]


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    form = ClientAdminForm
    list_display = ["code", "name", "vat_number", "tax_code", "rate", "is_active"]
    list_display_links = ["code", "name"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "vat_number", "tax_code"]
    inlines = [ContactInline]

    @admin.display(description=_("hourly rate"), ordering="hourly_rate")
    def rate(self, client):
        return format_euro(client.hourly_rate) if client.hourly_rate is not None else "—"

    def save_model(self, request, obj, form, change):
        previous_code = form.initial.get("code") if change else None
        linked = client_save(client=obj, previous_code=previous_code).linked
        if not change or previous_code != obj.code:
            # What happened to the calls of the code: "8 chiamate collegate; 5 in periodi
            # chiusi non collegate".
            left = linked.closed_not_attached or linked.closed_not_detached
            self.message_user(
                request, linked_calls_message(linked), messages.WARNING if left else messages.INFO
            )

    def get_urls(self):
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="clients_client_import",
            )
        ]
        return own + super().get_urls()

    def import_view(self, request):
        """Upload a CSV/XLSX client list; rejected rows are listed with line and field."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        result = filename = None
        form = ClientListUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            filename = upload.name
            try:
                rows = list(read_client_list(upload.read(), upload.name))
            except ClientListError as error:
                form.add_error("file", f"{upload.name}: {error}")
            else:
                result = clients_import(rows=rows)
                level = messages.WARNING if result.rejected else messages.SUCCESS
                self.message_user(
                    request,
                    _(
                        "%(file)s: %(created)s clients created, %(updated)s updated, "
                        "%(unchanged)s unchanged, %(rejected)s rows rejected."
                    )
                    % {
                        "file": upload.name,
                        "created": result.created,
                        "updated": result.updated,
                        "unchanged": result.unchanged,
                        "rejected": len(result.rejected),
                    },
                    level,
                )
                if result.created:
                    self.message_user(request, linked_calls_message(result.linked), messages.INFO)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import clients"),
            "form": form,
            "result": result,
            "filename": filename,
        }
        return TemplateResponse(request, "admin/clients/client/import.html", context)


def linked_calls_message(linked: LinkedCalls) -> str:
    """The calls a client's new code attached and detached, and those of closed months left
    as they were."""
    parts = [
        ngettext("%(count)s call attached", "%(count)s calls attached", linked.attached)
        % {"count": linked.attached}
    ]
    if linked.detached:
        parts.append(
            ngettext(
                "%(count)s call detached (no client has its code now)",
                "%(count)s calls detached (no client has their code now)",
                linked.detached,
            )
            % {"count": linked.detached}
        )
    if linked.closed_not_attached:
        parts.append(
            ngettext(
                "%(count)s in closed periods not attached",
                "%(count)s in closed periods not attached",
                linked.closed_not_attached,
            )
            % {"count": linked.closed_not_attached}
        )
    if linked.closed_not_detached:
        parts.append(
            ngettext(
                "%(count)s in closed periods not detached",
                "%(count)s in closed periods not detached",
                linked.closed_not_detached,
            )
            % {"count": linked.closed_not_detached}
        )
    return "; ".join(parts)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "notes"]
    search_fields = ["name", "phone"]
    filter_horizontal = ["clients"]


@admin.register(BillingPolicy)
class BillingPolicyAdmin(admin.ModelAdmin):
    """One row, like the firm settings: the list page opens the row itself."""

    fields = [
        "increment_minutes",
        "rounding",
        "minimum_seconds",
        "ignore_below_seconds",
        "law_firm_id",
    ]

    def changelist_view(self, request, extra_context=None):
        BillingPolicy.load()
        return redirect(reverse("admin:clients_billingpolicy_change", args=[1]))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IssuedStatement)
class IssuedStatementAdmin(admin.ModelAdmin):
    """Issued statements: shown, never edited or deleted (clients.issuing writes them); the
    exact PDF sent is downloaded from the statements page."""

    list_display = ["number", "client", "month", "amount", "sent_to", "sent_at", "last_error"]
    list_filter = ["month"]
    search_fields = ["number", "client__name", "client__code"]
    list_select_related = ["client"]
    exclude = ["pdf"]
    readonly_fields = [
        field.name for field in IssuedStatement._meta.fields if field.name not in ("pdf", "id")
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("pdf")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
