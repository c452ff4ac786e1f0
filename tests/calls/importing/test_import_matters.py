"""The importer bills a matter's code to the matter and its client (clients.Matter)."""

from datetime import date

import pytest

from calls.models import Call
from calls.selectors import calls_unassigned, code_owners_get
from tests.calls.importing.helpers import run_import, threecx_line, write
from tests.factories import make_client, make_matter

pytestmark = pytest.mark.django_db


def _import(tmp_path, codes):
    lines = [
        threecx_line(n, dial=f"3454565678**{code}" if code else "3454565678", bill_code=code)
        for n, code in enumerate(codes, start=1)
    ]
    code, _out, err = run_import(write(tmp_path / "cdr.log", lines))
    assert code == 0, err
    return list(Call.objects.order_by("source_line"))


def test_a_matter_code_bills_the_matter_and_its_client_and_a_client_code_the_client(tmp_path):
    affaroni = make_client("123", "Affaroni S.p.A.")
    rossi = make_matter(affaroni, "12301", "Causa Rossi c. Bianchi")
    by_client, by_matter, unknown, uncoded = _import(tmp_path, ["123", "12301", "777", ""])
    assert (by_client.client, by_client.matter) == (affaroni, None)
    assert (by_matter.client, by_matter.matter, by_matter.billing_code) == (
        affaroni,
        rossi,
        "12301",
    )
    assert (unknown.client, unknown.matter) == (None, None)
    assert (uncoded.client, uncoded.matter) == (None, None)


def test_a_closed_matter_still_bills_its_calls_and_they_wait_in_the_queue(tmp_path):
    affaroni = make_client("123", "Affaroni S.p.A.")
    closed = make_matter(affaroni, "12301", "Causa chiusa", is_active=False)
    ended = make_matter(affaroni, "12302", "Chiusa ad aprile", closed_on=date(2026, 4, 30))
    later = make_matter(affaroni, "12303", "Chiude a fine maggio", closed_on=date(2026, 5, 31))
    to_closed, to_ended, to_open = _import(tmp_path, ["12301", "12302", "12303"])  # 4 May 2026
    assert (to_closed.client, to_closed.matter) == (affaroni, closed)
    assert (to_ended.client, to_ended.matter) == (affaroni, ended)
    assert (to_open.client, to_open.matter) == (affaroni, later)
    assert set(calls_unassigned()) == {to_closed, to_ended}


def test_the_codes_are_read_once_for_the_whole_file(django_assert_max_num_queries):
    affaroni = make_client("123", "Affaroni S.p.A.")
    make_matter(affaroni, "12301")
    with django_assert_max_num_queries(2):
        owners = code_owners_get()
    assert owners == {"123": (affaroni.pk, None), "12301": (affaroni.pk, affaroni.matters.get().pk)}
