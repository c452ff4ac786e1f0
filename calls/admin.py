import tempfile
from pathlib import Path

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import Error
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from calls.forms import CdrUploadForm
from calls.importing.files import CdrFileError, inspect_cdr_file
from calls.importing.messages import format_label, reason_message, run_text, via_label
from calls.importing.services import cdr_import, import_runs_mark_interrupted, rejected_lines_retry
from calls.limits import REJECTED_RAW_KEPT_CHARS
from calls.models import (
    Call,
    CallAssignment,
    CdrLayout,
    ClosedPeriod,
    ImportRun,
    PeriodEvent,
    RejectedLine,
    ReminderPreference,
    ReminderSent,
    Trunk,
    TrunkIdentifier,
)
from calls.selectors import cdr_layout_default
from calls.services import calls_link_trunks
from firm.admin import ReadOnlyAdmin, ReadOnlyMixin
from firm.database import database_address, database_unreachable, first_line


class TrunkIdentifierInline(admin.TabularInline):
    model = TrunkIdentifier
    extra = 1


@admin.register(Trunk)
class TrunkAdmin(admin.ModelAdmin):
    list_display = [
        *("name", "kind", "prefix", "strip_prefix", "identifier_list", "is_active", "is_default")
    ]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "prefix", "identifiers__value"]
    inlines = [TrunkIdentifierInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("identifiers")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        linked = calls_link_trunks()
        if linked:
            self.message_user(
                request,
                ngettext(
                    "%(count)s earlier call now has this trunk.",
                    "%(count)s earlier calls now have this trunk.",
                    linked,
                )
                % {"count": linked},
            )

    @admin.display(description=_("PBX identifiers"))
    def identifier_list(self, trunk):
        return ", ".join(identifier.value for identifier in trunk.identifiers.all())


class CallAssignmentInline(ReadOnlyMixin, admin.TabularInline):
    """A call's assignments by hand (the queue, the call's page): shown, never edited."""

    model = CallAssignment
    fields = ["at", "user", "old_client", "new_client", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-at", "-pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "old_client", "new_client")


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    """Calls come from the PBX: the admin reads them, only the importer writes them (and
    the queue's assignments, recorded in the inline)."""

    inlines = [CallAssignmentInline]

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
        "client_set_by_hand",
    ]
    list_filter = ["direction", "status", "client_set_by_hand", "trunk"]
    search_fields = [
        "destination",
        "billing_code",
        "caller",
        "client__name",
        "pbx_call_id",
        "leg_group",
    ]
    raw_id_fields = ["client", "trunk", "import_run", "leg_of"]
    date_hierarchy = "start"
    list_select_related = ["client", "trunk"]
    show_full_result_count = False  # counting millions of calls on every page is slow

    def get_queryset(self, request):
        # Every record as the PBX wrote it, a transfer's later records (leg_of) included.
        return Call.records.select_related(*self.list_select_related)


@admin.register(CdrLayout)
class CdrLayoutAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "fields"]


class _LabelledValuesFilter(admin.SimpleListFilter):
    """A list filter on a coded text column whose values the reader sees as labels (the
    values stored, e.g. ``command:root`` or ``threecx``, as ``label`` names them)."""

    label = staticmethod(str)

    def lookups(self, request, model_admin):
        values = (
            model_admin.get_queryset(request)
            .order_by()
            .values_list(self.parameter_name, flat=True)
            .distinct()
        )
        return sorted(((value, self.label(value)) for value in values), key=lambda v: v[1])

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(**{self.parameter_name: self.value()})


class ViaFilter(_LabelledValuesFilter):
    title = _("via")
    parameter_name = "via"
    label = staticmethod(via_label)


class FormatFilter(_LabelledValuesFilter):
    title = _("format")
    parameter_name = "format_name"
    label = staticmethod(format_label)


class RunFormatFilter(FormatFilter):
    parameter_name = "import_run__format_name"


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "status",  # first: an interrupted run is what an administrator looks for
        "file_shown",
        "lines_read",
        "imported",
        "duplicates",
        "rejected",
        "format_shown",
        "user",
        "via_shown",
    ]
    list_filter = ["status", ViaFilter, FormatFilter]
    # The English texts a run stores are shown in the reader's language.
    fields = [
        *("file_shown", "file_size", "sha256", "format_label_shown", "format_shown", "layout"),
        *("lines_read", "imported", "duplicates", "rejected", "status", "error_shown"),
        *("started_at", "finished_at", "user", "via_shown", "host", "pid", "heartbeat_at"),
    ]
    readonly_fields = ["file_shown", "format_label_shown", "format_shown", "error_shown"]
    readonly_fields += ["via_shown"]

    @admin.display(description=_("file"), ordering="file_name")
    def file_shown(self, run):
        return run_text(run.file_name)

    @admin.display(description=_("format"), ordering="format_name")
    def format_label_shown(self, run):
        return format_label(run.format_name)

    @admin.display(description=_("format description"), ordering="format_description")
    def format_shown(self, run):
        return run_text(run.format_description)

    @admin.display(description=_("error"))
    def error_shown(self, run):
        return run_text(run.error)

    @admin.display(description=_("via"), ordering="via")
    def via_shown(self, run):
        return via_label(run.via)

    search_fields = ["file_name", "sha256"]
    date_hierarchy = "started_at"

    def get_urls(self):
        own = [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="calls_importrun_upload",
            )
        ]
        return own + super().get_urls()

    def upload_view(self, request):
        """Upload CDR files: each is imported as by import_cdr, with a summary per file."""
        if not request.user.has_perm("calls.add_call"):
            raise PermissionDenied
        form = CdrUploadForm(request.POST or None, request.FILES or None)
        results = []
        if request.method == "POST" and form.is_valid():
            layout = cdr_layout_default()
            for upload in form.cleaned_data["files"]:
                results.append(self._import_upload(request, upload, layout))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import CDR files"),
            "form": form,
            "results": results,
        }
        return TemplateResponse(request, "admin/calls/importrun/upload.html", context)

    def _import_upload(self, request, upload, layout):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "upload"
            with open(path, "wb") as stored:
                for chunk in upload.chunks():
                    stored.write(chunk)
            try:
                cdr_file = inspect_cdr_file(path, name=upload.name, threecx_layout=layout)
                summary = cdr_import(cdr_file=cdr_file, user=request.user, via="upload")
            except CdrFileError as error:
                self.message_user(request, str(error), messages.ERROR)
                return {"name": upload.name, "error": str(error)}
            except Error as error:
                message = _database_error_message(upload.name, error)
                self.message_user(request, message, messages.ERROR)
                return {"name": upload.name, "error": message}
        return {
            "name": upload.name,
            "summary": summary,
            "format": run_text(summary.format_description),
        }

    def changelist_view(self, request, extra_context=None):
        # Runs left 'running' by a process that died are shown as interrupted.
        import_runs_mark_interrupted()
        return super().changelist_view(request, extra_context)


def _database_error_message(file_name: str, error: Error) -> str:
    if database_unreachable(error):
        return _(
            "%(name)s: the database at %(address)s is not reachable (%(error)s); nothing more "
            "was written. Upload the same file again: calls already stored are skipped."
        ) % {"name": file_name, "address": database_address(), "error": first_line(error)}
    return _("%(name)s: the database refused the import (%(error)s).") % {
        "name": file_name,
        "error": first_line(error),
    }


@admin.register(RejectedLine)
class RejectedLineAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "line_number", "field", "why", "created_at", "retried_at"]
    list_filter = ["field", RunFormatFilter]
    search_fields = ["file_name", "reason", "raw"]
    actions = ["retry"]
    fields = [
        *("import_run", "file_name", "line_number", "field", "why", "raw", "length"),
        *("raw_sha256", "created_at", "retried_at"),
    ]
    readonly_fields = ["why", "length"]

    @admin.display(description=_("line length"))
    def length(self, line):
        """How long the line was, and whether ``raw`` holds only its beginning."""
        text = _("%(length)s characters") % {
            "length": number_format(line.raw_length, force_grouping=True)
        }
        if line.is_cut:
            text += " " + _("(only the first %(kept)s are kept)") % {
                "kept": number_format(REJECTED_RAW_KEPT_CHARS, force_grouping=True)
            }
        return text

    @admin.display(description=_("reason"), ordering="reason")
    def why(self, line):
        # In the admin's language from its code; a row without one shows its English sentence.
        return reason_message(line.reason_code, line.reason_params, line.reason)

    @admin.action(
        permissions=["retry"],
        description=_("Retry the selected lines with today's layouts and rules"),
    )
    def retry(self, request, queryset):
        summary = rejected_lines_retry(
            lines=queryset.select_related("import_run"), user=request.user
        )
        self.message_user(
            request,
            _(
                "%(read)s lines retried: %(imported)s imported, %(duplicates)s already stored, "
                "%(rejected)s still rejected."
            )
            % {
                "read": summary.lines_read,
                "imported": summary.imported,
                "duplicates": summary.duplicates,
                "rejected": summary.rejected,
            },
            messages.WARNING if summary.rejected else messages.SUCCESS,
        )

    def has_retry_permission(self, request):
        return request.user.has_perm("calls.add_call")


@admin.register(CallAssignment)
class CallAssignmentAdmin(ReadOnlyAdmin):
    list_display = [
        "at",
        "call",
        "user",
        "old_client",
        "old_matter",
        "new_client",
        "new_matter",
        "note",
    ]
    list_select_related = ["call", "user", "old_client", "new_client", "old_matter", "new_matter"]
    search_fields = [
        "note",
        "new_client__name",
        "new_client__code",
        "new_matter__code",
        "new_matter__name",
        "user__username",
    ]
    raw_id_fields = ["call"]
    date_hierarchy = "at"


@admin.register(ClosedPeriod)
class ClosedPeriodAdmin(ReadOnlyAdmin):
    """Closed on the Periods page (which records who and why); shown here."""

    list_display = ["month", "closed_by", "closed_at"]


@admin.register(PeriodEvent)
class PeriodEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "month", "action", "user", "reason"]
    list_filter = ["action"]


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    """Who gets the daily reminder of unassigned calls (partners without a row get it)."""

    list_display = ["user", "unassigned_calls"]
    list_filter = ["unassigned_calls"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdmin):
    list_display = ["day", "user", "sent_to", "calls", "sent_at"]
    list_filter = ["day"]
    search_fields = ["user__username", "sent_to"]
