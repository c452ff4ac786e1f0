"""The billing policy is one row that administrators edit in admin, like the firm settings;
the client's hourly rate is edited on the client."""

import pytest
from django.urls import reverse

from clients.models import BillingPolicy
from tests.conftest import logged_in
from tests.factories import make_client

pytestmark = pytest.mark.django_db

CHANGE_URL = reverse("admin:clients_billingpolicy_change", args=[1])


def _save(user, **fields):
    BillingPolicy.load()
    data = {
        "increment_minutes": "6",
        "rounding": "per_call",
        "minimum_seconds": "0",
        "ignore_below_seconds": "0",
        "law_firm_id": "",
    }
    data.update(fields)
    return logged_in(user).post(CHANGE_URL, data)


def test_the_policy_list_opens_the_single_row(anna):
    response = logged_in(anna).get(reverse("admin:clients_billingpolicy_changelist"))
    assert response.status_code == 302
    assert response["Location"] == CHANGE_URL


def test_an_administrator_changes_the_policy(anna):
    response = _save(
        anna,
        increment_minutes="15",
        rounding="total",
        minimum_seconds="60",
        ignore_below_seconds="10",
        law_firm_id="IT01234567890",
    )
    assert response.status_code == 302
    policy = BillingPolicy.load()
    assert policy.as_policy().increment_seconds == 900
    assert (policy.rounding, policy.minimum_seconds, policy.ignore_below_seconds) == (
        "total",
        60,
        10,
    )
    assert policy.law_firm_id == "IT01234567890"


@pytest.mark.parametrize(
    ("field", "value"),
    [("increment_minutes", "7"), ("rounding", "weekly"), ("minimum_seconds", "-5")],
)
def test_values_outside_the_rules_are_refused_with_a_message(anna, field, value):
    response = _save(anna, **{field: value})
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors


def test_partners_cannot_edit_the_policy(paolo):
    assert _save(paolo, increment_minutes="1").status_code == 302  # to the admin login
    assert BillingPolicy.load().increment_minutes == 6


def test_the_policy_cannot_be_added_twice_or_deleted(anna):
    browser = logged_in(anna)
    BillingPolicy.load()
    assert browser.get(reverse("admin:clients_billingpolicy_add")).status_code == 403
    assert browser.get(reverse("admin:clients_billingpolicy_delete", args=[1])).status_code == 403


def test_a_negative_hourly_rate_is_refused_in_the_client_form(anna):
    client = make_client(code="123", name="Affaroni S.p.A.")
    url = reverse("admin:clients_client_change", args=[client.pk])
    response = logged_in(anna).post(
        url,
        {
            "code": "123",
            "name": "Affaroni S.p.A.",
            "hourly_rate": "-10",
            "is_active": "on",
            "Contact_clients-TOTAL_FORMS": "0",
            "Contact_clients-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "hourly_rate" in response.context["adminform"].form.errors
