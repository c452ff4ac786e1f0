"""One call, several records (calls.importing.legs): an Avaya transfer (300 s + 180 s under one
Call ID) and Cisco's globalCallID legs are kept record by record but shown and billed as one
call of 480 s — in the call log and its totals (plain and hourly), the dashboard and the
client's statement — whatever order and file the records come in; the call's page lists them."""

import shutil
from datetime import date

import pytest
from django.db.models import Sum
from django.http import QueryDict
from django.urls import reverse

from calls.dashboard import dashboard_get
from calls.filters import CallLogFilter
from calls.importing import services
from calls.importing.legs import legs_join
from calls.models import Call, CallHourTotal
from calls.selectors import call_totals
from clients.billing.selectors import statement_get
from tests.calls.cdr.helpers import FIXTURES
from tests.calls.importing.helpers import run_import, threecx_line, write
from tests.conftest import logged_in
from tests.factories import make_client, make_trunk

pytestmark = pytest.mark.django_db


def avaya(call_id, talk, party, *, account="123", start="2024/12/02 10:00:00", more=0):
    """One Avaya IP Office SMDR record of an outgoing call under ``call_id``."""
    return (
        f"{start},{talk},5,201,O,93454565678,93454565678,{account},0,{call_id},{more},"
        f"{party},T9001,Line 1.1,0,0,,,,,,,,,,,,,\n"
    )


FIRST = avaya(1000020001, "00:05:00", "E201,Mario Rossi", more=1)
SECOND = avaya(1000020001, "00:03:00", "E202,Anna Bianchi")
OTHER = avaya(1000020002, "00:01:00", "E203,Luca Verdi", start="2024/12/02 11:00:00")
DECEMBER = "?date_after=2024-12-01&date_before=2024-12-31"


@pytest.fixture
def affaroni_123():
    make_trunk("9", "Telecom", identifiers=["T9001"])
    return make_client("123", "Affaroni S.p.A.")


def imported(tmp_path, name, lines):
    code, out, err = run_import(write(tmp_path / name, lines))
    assert code == 0, err
    return out


def hour_totals():
    return CallHourTotal.objects.aggregate(calls=Sum("calls"), talk=Sum("talk_seconds"))


def assert_one_call_of_480_seconds(client):
    call = Call.objects.get(talk_seconds=480)
    assert Call.objects.count() == 2  # the transfer and the other call
    assert Call.records.count() == 3  # every record kept
    assert (call.client, call.billing_code, call.status) == (client, "123", "answered")
    legs = list(Call.records.filter(leg_of=call))
    assert sorted([call.leg_talk_seconds] + [leg.leg_talk_seconds for leg in legs]) == [180, 300]
    assert [leg.talk_seconds for leg in legs] in ([180], [300])  # each record's own
    # the call log's totals, plain and from the hourly totals
    filterset = CallLogFilter(QueryDict(DECEMBER[1:]), queryset=Call.objects.all())
    assert filterset.is_valid()
    plain = call_totals(filterset.qs)
    assert (plain["calls"], plain["talk_seconds"]) == (2, 540)
    assert call_totals(filterset.qs, hours=filterset.hour_totals_q()) == plain
    assert hour_totals() == {"calls": 2, "talk": 540}
    # the dashboard and the client's statement
    dashboard = dashboard_get(today=date(2024, 12, 20))
    assert (dashboard.this_month.calls, dashboard.this_month.talk_seconds) == (2, 540)
    assert [(f.client, f.calls) for f in dashboard.top_clients] == [(client, 2)]
    statement = statement_get(
        client=client, first_day=date(2024, 12, 1), last_day=date(2024, 12, 31)
    )
    assert (statement.total.calls, statement.total.talk_seconds) == (2, 540)
    return call


def test_a_transfer_is_one_call_of_the_summed_time_billed_to_its_code(tmp_path, affaroni_123):
    out = imported(tmp_path, "smdr.csv", [FIRST, SECOND, OTHER])
    assert "3 imported" in out
    call = assert_one_call_of_480_seconds(affaroni_123)
    assert call.caller_name == "Mario Rossi"  # the first record is the call


def test_records_in_reverse_order_make_the_same_call(tmp_path, affaroni_123):
    imported(tmp_path, "smdr.csv", [OTHER, SECOND, FIRST])
    assert_one_call_of_480_seconds(affaroni_123)


def test_the_same_file_twice_stores_and_changes_nothing(tmp_path, affaroni_123):
    imported(tmp_path, "smdr.csv", [FIRST, SECOND, OTHER])
    before = list(Call.records.order_by("pk").values())
    out = imported(tmp_path, "smdr.csv", [FIRST, SECOND, OTHER])
    assert "0 imported, 3 duplicates" in out
    assert list(Call.records.order_by("pk").values()) == before
    assert_one_call_of_480_seconds(affaroni_123)


def test_a_record_in_a_second_file_joins_the_call_of_the_first(tmp_path, affaroni_123):
    imported(tmp_path, "monday.csv", [FIRST, OTHER])
    assert Call.objects.get(talk_seconds=300).legs.count() == 0
    assert hour_totals() == {"calls": 2, "talk": 360}
    imported(tmp_path, "tuesday.csv", [SECOND])
    assert_one_call_of_480_seconds(affaroni_123)


def test_a_first_record_arriving_later_becomes_the_call(tmp_path, affaroni_123):
    imported(tmp_path, "monday.csv", [SECOND, OTHER])
    imported(tmp_path, "tuesday.csv", [FIRST])
    call = assert_one_call_of_480_seconds(affaroni_123)
    assert call.caller_name == "Anna Bianchi"  # one start: the record stored first


def test_a_code_dialled_in_a_later_record_bills_the_call(tmp_path, affaroni_123):
    imported(tmp_path, "smdr.csv", [FIRST.replace(",123,", ",,"), SECOND, OTHER])
    call = assert_one_call_of_480_seconds(affaroni_123)
    assert call.caller_name == "Mario Rossi"


def test_a_client_chosen_by_hand_stays_when_a_record_joins(tmp_path, affaroni_123):
    other = make_client("456", "Beta S.r.l.")
    imported(tmp_path, "monday.csv", [FIRST.replace(",123,", ",,")])
    Call.objects.update(client=other, client_set_by_hand=True)
    imported(tmp_path, "tuesday.csv", [SECOND])
    call = Call.objects.get()
    assert (call.client, call.billing_code, call.talk_seconds) == (other, "123", 480)


def test_joining_again_changes_nothing(tmp_path, affaroni_123):
    imported(tmp_path, "smdr.csv", [FIRST, SECOND, OTHER])
    assert legs_join(groups=["avaya:1000020001"]) == 0
    assert legs_join(groups=[]) == 0


def test_ciscos_global_call_id_legs_are_one_call(tmp_path):
    affaroni = make_client("123", "Affaroni S.p.A.")
    name = "cdr_StandAloneCluster_01_202412021000_1"
    path = shutil.copy(FIXTURES / name, tmp_path / name)
    assert run_import(path)[0] == 0
    assert (Call.records.count(), Call.objects.count()) == (3, 2)
    call = Call.objects.get(client=affaroni)
    assert (call.talk_seconds, call.billing_code, call.caller) == (480, "123", "2001")
    assert hour_totals() == {"calls": 2, "talk": 480}
    statement = statement_get(
        client=affaroni, first_day=date(2024, 12, 1), last_day=date(2024, 12, 31)
    )
    assert (statement.total.calls, statement.total.talk_seconds) == (1, 480)
    assert run_import(path)[0] == 0
    assert hour_totals() == {"calls": 2, "talk": 480}


def test_3cx_calls_have_no_group_and_count_as_before(tmp_path):
    lines = [threecx_line(n, bill_code="123", dial="3454565678**123") for n in (1, 2)]
    imported(tmp_path, "cdr.log", lines)
    assert (
        list(Call.records.values_list("leg_group", "leg_of", "leg_talk_seconds"))
        == [("", None, None)] * 2
    )
    assert hour_totals() == {"calls": 2, "talk": 120}


def test_the_calls_page_lists_its_records(tmp_path, affaroni_123, paolo):
    imported(tmp_path, "smdr.csv", [FIRST, SECOND, OTHER])
    call = Call.objects.get(talk_seconds=480)
    browser = logged_in(paolo)
    page = browser.get(reverse("calls:detail", args=[call.pk])).content.decode()
    assert 'id="legs"' in page and 'id="call-talk">0:08:00<' in page
    assert "Mario Rossi" in page and "Anna Bianchi" in page
    assert "0:05:00" in page and "0:03:00" in page and "smdr.csv, " in page
    single = Call.objects.get(talk_seconds=60)
    assert (
        'id="legs"' not in browser.get(reverse("calls:detail", args=[single.pk])).content.decode()
    )
    leg = Call.records.get(leg_of=call)
    assert browser.get(reverse("calls:detail", args=[leg.pk])).status_code == 404
    log = browser.get(reverse("calls:log") + DECEMBER).content.decode()
    assert reverse("calls:detail", args=[call.pk]) in log
    assert reverse("calls:detail", args=[leg.pk]) not in log


def test_the_admin_lists_every_record(tmp_path, affaroni_123, anna):
    imported(tmp_path, "smdr.csv", [FIRST, SECOND])
    leg = Call.records.get(leg_of__isnull=False)
    browser = logged_in(anna)
    listing = browser.get(reverse("admin:calls_call_changelist") + "?q=avaya:1000020001")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert all(
        reverse("admin:calls_call_change", args=[pk]) in page for pk in (leg.pk, leg.leg_of_id)
    )
    assert browser.get(reverse("admin:calls_call_change", args=[leg.pk])).status_code == 200


def test_a_stored_record_and_a_new_one_in_one_batch_join(tmp_path, affaroni_123):
    imported(tmp_path, "monday.csv", [FIRST, OTHER])
    out = imported(tmp_path, "tuesday.csv", [FIRST, SECOND])  # the first again, and the next
    assert "1 imported, 1 duplicates" in out
    assert_one_call_of_480_seconds(affaroni_123)


@pytest.mark.parametrize("batch_size", [1, 2])
def test_records_of_one_call_in_different_batches_join(
    tmp_path, affaroni_123, monkeypatch, batch_size
):
    monkeypatch.setattr(services, "BATCH_SIZE", batch_size)
    imported(tmp_path, "smdr.csv", [OTHER, SECOND, FIRST])
    assert_one_call_of_480_seconds(affaroni_123)


def transfers(count, *, legs_of=lambda n: 1 + n % 3, start=0):
    """Avaya records of ``count`` calls, each in 1-3 records (one Call ID), every third coded
    123; ``start`` offsets the Call IDs. Returns {Call ID: [(talk, line), ...]}."""
    calls = {}
    for n in range(start, start + count):
        account = "123" if n % 3 == 0 else ""
        legs = legs_of(n)
        calls[n] = [
            (
                30 + 7 * leg + n % 11,
                avaya(
                    1000030000 + n,
                    f"00:00:{30 + 7 * leg + n % 11:02d}",
                    f"E2{leg:02d},Interno {leg}",
                    account=account if leg == legs - 1 else "",  # the code in the last record
                    start=f"2024/12/03 {8 + n // 60:02d}:{n % 60:02d}:00",
                    more=int(leg < legs - 1),
                ),
            )
            for leg in range(legs)
        ]
    return calls


def assert_joined(calls, client):
    """One call per Call ID: its first record, the sum of the records' talk time, billed to
    the code of its last record; the hour totals count the calls."""
    stored = {
        call.leg_group: call
        for call in Call.objects.filter(leg_group__startswith="avaya:10000").select_related(
            "client"
        )
    }
    assert len(stored) == len(calls) == Call.objects.count()
    for n, records in calls.items():
        call = stored[f"avaya:{1000030000 + n}"]
        assert call.talk_seconds == sum(talk for talk, _ in records), n
        assert call.client == (client if n % 3 == 0 else None), n
        assert Call.records.filter(leg_of=call).count() == len(records) - 1
    total = sum(talk for records in calls.values() for talk, _ in records)
    assert hour_totals() == {"calls": len(calls), "talk": total}


def test_many_calls_in_shuffled_files_and_batches_join(tmp_path, affaroni_123, monkeypatch):
    import random

    monkeypatch.setattr(services, "BATCH_SIZE", 7)
    calls = transfers(60)
    lines = [line for records in calls.values() for _, line in records]
    random.Random(4).shuffle(lines)
    third = len(lines) // 3
    for name, part in (("a.csv", lines[:third]), ("b.csv", lines[third:]), ("c.csv", lines)):
        imported(tmp_path, name, part)
    assert Call.records.count() == len(lines)
    assert_joined(calls, affaroni_123)
