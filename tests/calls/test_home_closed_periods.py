"""The home page's tile for closed periods: partners see how many months are closed and the
last one, and the tile leads to the periods page; receptionists do not see it."""

from datetime import date

import pytest
from django.urls import reverse

from calls.services import period_close
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def _tile(user) -> str:
    page = logged_in(user).get(reverse("home")).content.decode()
    start = page.find('id="tile-closed-periods"')
    return page[start : page.find("</li>", start)] if start >= 0 else ""


def test_a_partner_sees_how_many_months_are_closed_and_the_last(paolo):
    period_close(month=date(2026, 3, 1), user=paolo)
    period_close(month=date(2026, 4, 1), user=paolo)
    tile = _tile(paolo)
    assert reverse("calls:periods") in tile
    assert "Periodi chiusi" in tile
    assert "2 mesi chiusi, l'ultimo aprile 2026" in tile


def test_with_no_month_closed_the_tile_says_so(paolo):
    assert "Nessun mese chiuso" in _tile(paolo)


def test_a_receptionist_has_no_closed_periods_tile(rita):
    assert _tile(rita) == ""
