"""The admin's call page shows the call's assignment history, read-only."""

import pytest
from django.urls import reverse

from calls.services import calls_assign, period_close
from tests.conftest import logged_in
from tests.factories import make_call, make_client

pytestmark = pytest.mark.django_db


def test_the_call_page_lists_its_assignments_read_only(anna, paolo):
    affaroni = make_client("123", "Affaroni S.p.A.")
    call = make_call()
    calls_assign(calls=[call], client=affaroni, user=paolo, note="said on the phone")
    browser = logged_in(anna)
    page = browser.get(reverse("admin:calls_call_change", args=[call.pk])).content.decode()
    assert "said on the phone" in page
    assert "Affaroni S.p.A." in page
    assert 'name="assignments-0-note"' not in page  # not editable


def test_the_audit_lists_open_for_administrators(anna, paolo):
    from datetime import date

    period_close(month=date(2020, 1, 1), user=paolo)
    browser = logged_in(anna)
    for name in ("callassignment", "closedperiod", "periodevent"):
        assert browser.get(reverse(f"admin:calls_{name}_changelist")).status_code == 200
    assert browser.get(reverse("admin:calls_closedperiod_add")).status_code == 403
