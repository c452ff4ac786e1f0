"""Security hardening that no single app owns: page sizes, headers, login throttling."""

import pytest
from django.urls import reverse

from tests.conftest import logged_in
from tests.factories import make_call, make_client

pytestmark = pytest.mark.django_db


# --- Page size ---------------------------------------------------------------------------------


@pytest.mark.parametrize("per_page", ["200000", "5", "99999999999999999999", "-1", "abc"])
def test_the_call_log_shows_50_calls_a_page_whatever_per_page_says(paolo, per_page):
    for _n in range(60):
        make_call()  # in May 2026
    response = logged_in(paolo).get(
        reverse("calls:log"),
        {"date_after": "2026-05-01", "date_before": "2026-05-31", "per_page": per_page},
    )
    assert response.status_code == 200
    assert len(response.context["table"].page.object_list) == 50


def test_the_client_search_shows_25_clients_a_page_whatever_per_page_says(rita):
    for code in range(30):
        make_client(code=str(100 + code), name=f"Cliente {code}")
    response = logged_in(rita).get(reverse("clients:search"), {"per_page": "1000"})
    assert len(response.context["table"].page.object_list) == 25
