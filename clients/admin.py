from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from calls.services import (
    LinkedCalls,
    calls_link_clients,
    client_save_and_link,
    clients_import_and_link,
    matter_delete_and_unlink,
    matter_save_and_link,
    matters_import_and_link,
)
from clients.forms import (
    ClientAdminForm,
    ClientListUploadForm,
    MatterAdminForm,
    MatterListUploadForm,
)
from clients.importing import ClientListError, read_client_list, read_matter_list
from clients.models import BillingPolicy, Client, Contact, IssuedStatement, Matter
from firm.admin import ReadOnlyAdmin, SingletonAdmin
from firm.lib.formats import format_euro
from firm.models import FirmSettings


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


class MatterInline(admin.TabularInline):
    """The client's matters, edited on its page; the calls of new or recoded matters are
    attached when the client is saved (ClientAdmin.save_formset)."""

    model = Matter
    form = MatterAdminForm
    extra = 0
    # The partner and the opening date on the matter's own page (the change link): the row
    # stays narrow enough for the page.
    fields = ["code", "name", "hourly_rate", "is_active", "closed_on"]
    show_change_link = True


class CodeOwnerAdminMixin:
    """What the admins of clients and matters (the owners of dialled codes) share: the rate
    column, the message on what a code's change did to its calls, and an *Import from
    CSV/XLSX* page beside the model's admin list (URL name ``clients_<model>_import``,
    templates ``admin/clients/change_list_import.html`` and ``import.html``): the file is read
    by ``read_list`` and imported by ``import_rows`` (which links the calls of the codes);
    rejected rows are listed with line and field, and what happened to the calls of the codes
    is said."""

    change_list_template = "admin/clients/change_list_import.html"
    upload_form: type[forms.Form]
    import_label = ""  # the link above the list
    import_title = ""
    # With %(file)s, %(created)s, %(updated)s, %(unchanged)s and %(rejected)s.
    imported_message = ""

    def read_list(self, content: bytes, name: str):
        raise NotImplementedError

    def import_rows(self, rows):
        raise NotImplementedError

    def calls_relinked(self, result) -> bool:
        """Whether the import may have moved calls (new codes; for matters, changed ones)."""
        return bool(result.created)

    @admin.display(description=_("hourly rate"), ordering="hourly_rate")
    def rate(self, owner):
        return format_euro(owner.hourly_rate) if owner.hourly_rate is not None else "—"

    def report_linked(self, request, linked: LinkedCalls, text: str = "%(calls)s") -> None:
        """Say what a code's change did to its calls; a warning when calls of closed months
        were left as they were."""
        left = linked.closed_not_attached or linked.closed_not_detached
        self.message_user(
            request,
            text % {"calls": linked_calls_message(linked)},
            messages.WARNING if left else messages.INFO,
        )

    def get_urls(self):
        name = f"clients_{self.model._meta.model_name}_import"
        own = [path("import/", self.admin_site.admin_view(self.import_view), name=name)]
        return own + super().get_urls()

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        result = filename = None
        form = self.upload_form(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            filename = upload.name
            try:
                rows = list(self.read_list(upload.read(), upload.name))
            except ClientListError as error:
                form.add_error("file", f"{upload.name}: {error}")
            else:
                result, linked = self.import_rows(rows)
                self.message_user(
                    request,
                    self.imported_message
                    % {
                        "file": upload.name,
                        "created": result.created,
                        "updated": result.updated,
                        "unchanged": result.unchanged,
                        "rejected": len(result.rejected),
                    },
                    messages.WARNING if result.rejected else messages.SUCCESS,
                )
                if self.calls_relinked(result):
                    self.message_user(request, linked_calls_message(linked), messages.INFO)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": self.import_title,
            "form": form,
            "result": result,
            "filename": filename,
        }
        return TemplateResponse(request, "admin/clients/import.html", context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"import_label": self.import_label, **(extra_context or {})}
        return super().changelist_view(request, extra_context)


@admin.register(Client)
class ClientAdmin(CodeOwnerAdminMixin, admin.ModelAdmin):
    form = ClientAdminForm
    list_display = ["code", "name", "vat_number", "tax_code", "rate", "is_active"]
    list_display_links = ["code", "name"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "vat_number", "tax_code"]
    inlines = [MatterInline, ContactInline]
    upload_form = ClientListUploadForm
    import_label = _("Import clients from CSV/XLSX")
    import_title = _("Import clients")
    imported_message = _(
        # "File" first: the admin capitalises a message's first letter (not "Matters.csv").
        "File %(file)s: %(created)s clients created, %(updated)s updated, "
        "%(unchanged)s unchanged, %(rejected)s rows rejected."
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        """The code's hint with the firm's marker (``93454565678##123`` once it is ``##``)."""
        form = super().get_form(request, obj, change, **kwargs)
        if "code" in form.base_fields:
            form.base_fields["code"].help_text = _(
                "Digits dialled after the billing marker, e.g. 123 in %(example)s."
            ) % {"example": f"93454565678{FirmSettings.load().billing_marker}123"}
        return form

    def read_list(self, content, name):
        return read_client_list(content, name)

    def import_rows(self, rows):
        return clients_import_and_link(rows=rows)

    def save_model(self, request, obj, form, change):
        previous_code = form.initial.get("code") if change else None
        linked = client_save_and_link(client=obj, previous_code=previous_code).linked
        if not change or previous_code != obj.code:
            # What happened to the calls of the code: "8 chiamate collegate; 5 in periodi
            # chiusi non collegate".
            self.report_linked(request, linked)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Matter:
            return super().save_formset(request, form, formset, change)
        # The codes whose calls change owner: new matters, recoded ones (old and new code),
        # deleted ones.
        codes = []
        deleted = formset.deleted_forms
        for matter_form in formset.forms:
            if matter_form in deleted:
                codes += [matter_form.initial.get("code", ""), matter_form.instance.code]
            elif not matter_form.has_changed():
                continue
            elif matter_form.instance.pk is None:
                codes.append(matter_form.cleaned_data.get("code", ""))
            elif "code" in matter_form.changed_data:
                codes += [matter_form.initial.get("code", ""), matter_form.cleaned_data["code"]]
        super().save_formset(request, form, formset, change)
        codes = [code for code in codes if code]
        if codes:
            self.report_linked(request, calls_link_clients(codes=codes), _("Matters: %(calls)s"))


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


@admin.register(Matter)
class MatterAdmin(CodeOwnerAdminMixin, admin.ModelAdmin):
    form = MatterAdminForm
    list_display = ["code", "name", "client", "rate", "partner", "is_active", "closed_on"]
    list_display_links = ["code", "name"]
    list_filter = ["is_active", ("client", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name", "client__code", "client__name"]
    autocomplete_fields = ["client"]
    list_select_related = ["client", "partner"]
    upload_form = MatterListUploadForm
    import_label = _("Import matters from CSV/XLSX")
    import_title = _("Import matters")
    imported_message = _(
        # "File" first: the admin capitalises a message's first letter (not "Matters.csv").
        "File %(file)s: %(created)s matters created, %(updated)s updated, "
        "%(unchanged)s unchanged, %(rejected)s rows rejected."
    )

    def read_list(self, content, name):
        return read_matter_list(content, name)

    def import_rows(self, rows):
        return matters_import_and_link(rows=rows)

    def calls_relinked(self, result) -> bool:
        return bool(result.created or result.updated)

    def save_model(self, request, obj, form, change):
        previous_code = form.initial.get("code") if change else None
        linked = matter_save_and_link(matter=obj, previous_code=previous_code).linked
        if not change or previous_code != obj.code:
            self.report_linked(request, linked)

    def delete_model(self, request, obj):
        matter_delete_and_unlink(matter=obj)

    def delete_queryset(self, request, queryset):
        for matter in queryset:
            matter_delete_and_unlink(matter=matter)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "notes"]
    search_fields = ["name", "phone"]
    filter_horizontal = ["clients"]


@admin.register(BillingPolicy)
class BillingPolicyAdmin(SingletonAdmin):
    """One row, like the firm settings: the list page opens the row itself."""

    fields = [
        "increment_minutes",
        "rounding",
        "minimum_seconds",
        "ignore_below_seconds",
        "law_firm_id",
    ]


@admin.register(IssuedStatement)
class IssuedStatementAdmin(ReadOnlyAdmin):
    """Issued statements: shown, never edited or deleted (clients.billing.issuing writes them); the
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
