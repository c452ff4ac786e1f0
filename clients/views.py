from typing import NamedTuple
from urllib.parse import urlencode

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import DetailView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from calls import dialing
from calls.dialing_messages import dial_error_message
from calls.selectors import dial_plan_get
from clients.filters import ClientFilter
from clients.forms import DialHelperForm
from clients.models import Client, Matter
from clients.selectors import contacts_found, matters_found
from clients.tables import ClientTable
from firm.lib.pagination import FixedPaginator


class ClientPaginator(FixedPaginator):
    page_size = 25


class ClientSearchView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    """'Clienti': receptionists find a client by name, code, VAT number or contact."""

    permission_required = "clients.view_client"
    filterset_class = ClientFilter
    table_class = ClientTable
    template_name = "clients/client_search.html"
    paginate_by = 25
    # 25 clients a page, whatever ?per_page= says.
    table_pagination = {"paginator_class": ClientPaginator}

    def get_queryset(self):
        return Client.objects.all()

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        # The matters the search found, shown under their clients (one query for the page).
        query = self.request.GET.get("q", "")[:100]
        rows = table.page.object_list if hasattr(table, "page") else []
        table.matters_found = matters_found(query=query, client_ids=[row.record.pk for row in rows])
        # The contacts through which a client was found ("tramite Mario Affaroni").
        table.contacts_found = contacts_found(query=query, clients=[row.record for row in rows])
        return table


class ClientDetailView(PermissionRequiredMixin, DetailView):
    """A client's card with the dial helper: number + trunk → the exact string to dial."""

    permission_required = ["clients.view_client", "calls.view_trunk"]
    model = Client
    slug_field = slug_url_kwarg = "code"
    template_name = "clients/client_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = dial_plan_get()
        form = DialHelperForm.from_query(self.request.GET, client=self.object)
        dial = self._dial(form, plan)
        context.update(
            contacts=self.object.contacts.all(),
            form=form,
            marker=plan.marker,
            dial=dial,
            dial_code=form.code(self.object) if dial else self.object.code,
            matters=self._matters(form, plan, dial),
        )
        return context

    def _dial(self, form, plan) -> dialing.HelperDial | None:
        if not form.is_bound or not form.is_valid():
            return None
        trunk = form.cleaned_data["trunk"].as_rule()
        try:
            return dialing.compose_for_helper(
                form.cleaned_data["number"], trunk, form.code(self.object), plan
            )
        except dialing.DialError as error:
            form.add_error("number", dial_error_message(error))
            return None

    def _matters(self, form, plan, dial) -> list["MatterDial"]:
        """The client's active matters, each with what to dial: the whole string when the
        helper has an outside number, else its shape (prefix, the number, marker and code)."""
        matters = form.fields["matter"].queryset
        trunk = form.cleaned_data["trunk"] if dial else _chosen_trunk(form)
        prefix = trunk.prefix if trunk is not None else ""
        number = form.data.get("number", "")[:40] if form.is_bound else ""
        rows = []
        for matter in matters:
            dial_string = ""
            if dial and not dial.internal:
                dial_string = dialing.compose_for_helper(
                    form.cleaned_data["number"], trunk.as_rule(), matter.code, plan
                ).dial_string
            query = {"number": number, "trunk": trunk.pk if trunk else "", "matter": matter.pk}
            rows.append(
                MatterDial(
                    matter,
                    dial_string,
                    prefix,
                    f"{plan.marker}{matter.code}",
                    urlencode({key: value for key, value in query.items() if value}),
                )
            )
        return rows


class MatterDial(NamedTuple):
    """A matter on its client's card: the string to dial (with the helper's number), or the
    prefix and the marker + code that go around the number."""

    matter: Matter
    dial_string: str
    prefix: str
    suffix: str
    query: str  # the helper with this matter chosen (and the number typed, if any)


def _chosen_trunk(form):
    """The trunk the helper shows chosen (the default one before a number is typed)."""
    trunk_id = form.data.get("trunk") if form.is_bound else form.initial.get("trunk")
    try:
        return form.fields["trunk"].queryset.filter(pk=int(trunk_id)).first()
    except (TypeError, ValueError):
        return None


# --- Client statements -------------------------------------------------------------------
