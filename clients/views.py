from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import DetailView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from calls import dialing
from calls.dialing_messages import dial_error_message
from calls.selectors import dial_plan_get
from clients.filters import ClientFilter
from clients.forms import DialHelperForm
from clients.models import Client
from clients.tables import ClientTable


class ClientSearchView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    """'Clienti': receptionists find a client by name, code, VAT number or contact."""

    permission_required = "clients.view_client"
    filterset_class = ClientFilter
    table_class = ClientTable
    template_name = "clients/client_search.html"
    paginate_by = 25

    def get_queryset(self):
        return Client.objects.all()


class ClientDetailView(PermissionRequiredMixin, DetailView):
    """A client's card with the dial helper: number + trunk → the exact string to dial."""

    permission_required = ["clients.view_client", "calls.view_trunk"]
    model = Client
    slug_field = slug_url_kwarg = "code"
    template_name = "clients/client_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = dial_plan_get()
        form = DialHelperForm(self.request.GET if "number" in self.request.GET else None)
        context.update(
            contacts=self.object.contacts.all(),
            form=form,
            marker=plan.marker,
            dial_string=self._dial_string(form, plan),
        )
        return context

    def _dial_string(self, form, plan):
        if not form.is_bound or not form.is_valid():
            return None
        trunk = form.cleaned_data["trunk"].as_rule()
        try:
            return dialing.compose_dial_string(
                form.cleaned_data["number"], trunk, self.object.code, plan
            )
        except dialing.DialError as error:
            form.add_error("number", dial_error_message(error))
            return None
