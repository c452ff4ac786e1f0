import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from clients.selectors import client_search


class ClientFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=100,
    )
    is_active = django_filters.BooleanFilter(
        field_name="is_active",
        label=_("Active"),
        widget=forms.Select(choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))]),
    )

    class Meta:
        model = Client
        fields = ["q", "is_active"]

    def search(self, queryset, name, value):
        return client_search(query=value, clients=queryset)
