"""calls_assign, the period lock and automatic linking: manual choices and closed months are
never overridden. "Today" is 13 May 2026 in Rome."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from calls.models import (
    Call,
    CallAssignment,
    ClosedPeriod,
    PeriodAction,
    PeriodEvent,
)
from calls.selectors import calls_unassigned, client_suggestions
from calls.services import (
    calls_assign,
    calls_link_clients,
    client_save_and_link,
    period_close,
    period_reopen,
)
from clients.models import Client
from firm.models import FirmSettings
from tests.calls.importing.helpers import run_import, threecx_line, write
from tests.conftest import NOW, ROME
from tests.factories import make_call, make_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

APRIL = date(2026, 4, 1)


def april_call(**fields):
    return make_call(start=datetime(2026, 4, 20, 9, 0, tzinfo=ROME), **fields)


# --- calls_assign ---------------------------------------------------------------------------


def test_assigning_records_who_when_and_the_old_and_new_client(paolo, affaroni):
    other = make_client("456", "Bianchi S.r.l.")
    uncoded, wrong = make_call(), make_call(billing_code="456", client=other)
    assert calls_assign(calls=[uncoded, wrong.pk], client=affaroni, user=paolo, note="tel.") == 2
    for call in (uncoded, wrong):
        call.refresh_from_db()
        assert (call.client, call.client_set_by_hand) == (affaroni, True)
    history = {a.call_id: a for a in CallAssignment.objects.all()}
    assert history[uncoded.pk].old_client is None
    assert history[wrong.pk].old_client == other
    assert {(a.new_client, a.user, a.at, a.note) for a in history.values()} == {
        (affaroni, paolo, NOW, "tel.")
    }


def test_every_assignment_is_kept(paolo, anna, affaroni):
    other = make_client("456", "Bianchi S.r.l.")
    call = make_call()
    calls_assign(calls=[call], client=affaroni, user=paolo)
    calls_assign(calls=[call], client=other, user=anna)
    steps = list(call.assignments.order_by("pk").values_list("old_client", "new_client", "user"))
    assert steps == [(None, affaroni.pk, paolo.pk), (affaroni.pk, other.pk, anna.pk)]


def test_assigned_calls_leave_the_queue(paolo, affaroni):
    waiting, assigned = make_call(), make_call()
    make_call(direction=Call.Direction.INTERNAL)
    make_call(direction=Call.Direction.INBOUND)
    make_call(billing_code="123", client=affaroni)
    calls_assign(calls=[assigned], client=affaroni, user=paolo)
    assert list(calls_unassigned()) == [waiting]


def test_the_number_of_queries_does_not_grow_with_the_calls(paolo, affaroni):
    def queries_to_assign(count):
        calls = [make_call() for _ in range(count)]
        with CaptureQueriesContext(connection) as queries:
            assert calls_assign(calls=calls, client=affaroni, user=paolo) == count
        return len(queries)

    FirmSettings.load()  # created once, on first use
    assert queries_to_assign(40) == queries_to_assign(1)
    assert CallAssignment.objects.count() == 41


def test_too_many_calls_at_once_are_refused(paolo, affaroni):
    with pytest.raises(ValidationError):
        calls_assign(calls=range(1, 502), client=affaroni, user=paolo)


# --- Automatic linking never overrides a choice made by hand --------------------------------


def test_adding_a_client_with_the_dialled_code_keeps_the_hand_chosen_client(paolo, affaroni):
    call = make_call(billing_code="777")
    calls_assign(calls=[call], client=affaroni, user=paolo)
    later = client_save_and_link(client=Client(code="777", name="Cliente arrivato dopo")).client
    call.refresh_from_db()
    assert call.client == affaroni
    assert make_call(billing_code="777").client is None  # a new call: importer's job
    assert calls_link_clients(codes=["777"]).attached == 1
    assert Call.objects.filter(client=later).count() == 1


def test_changing_a_clients_code_keeps_hand_chosen_calls(paolo, affaroni):
    linked = make_call(billing_code="123", client=affaroni)
    chosen = make_call(billing_code="123", client=affaroni)
    calls_assign(calls=[chosen], client=affaroni, user=paolo)
    affaroni.code = "124"
    client_save_and_link(client=affaroni, previous_code="123")
    linked.refresh_from_db()
    chosen.refresh_from_db()
    assert linked.client is None
    assert chosen.client == affaroni


def test_re_importing_a_file_keeps_the_hand_chosen_client(tmp_path, paolo, affaroni):
    path = write(
        tmp_path / "cdr.log",
        [threecx_line(1), threecx_line(2, dial="3454565678**999", bill_code="999")],
    )
    run_import(path)
    uncoded, unknown = Call.objects.order_by("source_line")
    bianchi = make_client("456", "Bianchi S.r.l.")
    calls_assign(calls=[uncoded], client=affaroni, user=paolo)
    calls_assign(calls=[unknown], client=bianchi, user=paolo)
    code, _out, err = run_import(path)
    assert code == 0, err
    assert Call.objects.count() == 2
    uncoded.refresh_from_db()
    unknown.refresh_from_db()
    assert (uncoded.client, uncoded.client_set_by_hand) == (affaroni, True)
    assert (unknown.client, unknown.client_set_by_hand) == (bianchi, True)


# --- The period lock ------------------------------------------------------------------------


def test_calls_in_a_closed_month_cannot_be_reassigned(paolo, affaroni):
    period_close(month=APRIL, user=paolo)
    call, may = april_call(), make_call()
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        calls_assign(calls=[may, call], client=affaroni, user=paolo)
    assert refused.value.code == "period_closed"
    assert refused.value.messages[0].startswith("Closed period: April 2026.")
    call.refresh_from_db()
    may.refresh_from_db()
    assert call.client is None and may.client is None  # nothing changed, not even May
    assert not CallAssignment.objects.exists()


def test_the_month_is_the_firms_month_not_utcs(paolo, affaroni):
    period_close(month=APRIL, user=paolo)
    # 00:30 on 1 May in Rome is still 30 April in UTC: a May call, open.
    call = make_call(start=datetime(2026, 4, 30, 22, 30, tzinfo=UTC))
    assert calls_assign(calls=[call], client=affaroni, user=paolo) == 1


def test_reopening_lets_calls_be_reassigned_and_is_recorded(paolo, anna, affaroni):
    period_close(month=APRIL, user=paolo)
    call = april_call()
    period_reopen(month=APRIL, user=anna, reason="Statement to Affaroni was wrong")
    assert calls_assign(calls=[call], client=affaroni, user=paolo) == 1
    events = list(PeriodEvent.objects.order_by("pk").values_list("month", "action", "user"))
    assert events == [
        (APRIL, PeriodAction.CLOSED, paolo.pk),
        (APRIL, PeriodAction.REOPENED, anna.pk),
    ]
    assert PeriodEvent.objects.order_by("pk").last().reason == "Statement to Affaroni was wrong"
    assert not ClosedPeriod.objects.exists()


def test_reopening_needs_a_reason(paolo):
    period_close(month=APRIL, user=paolo)
    with pytest.raises(ValidationError) as refused:
        period_reopen(month=APRIL, user=paolo, reason="   ")
    assert refused.value.code == "no_reason"
    assert ClosedPeriod.objects.filter(month=APRIL).exists()


def test_a_month_is_closed_once_and_reopened_only_when_closed(paolo):
    period_close(month=APRIL, user=paolo)
    with pytest.raises(ValidationError) as twice:
        period_close(month=APRIL, user=paolo)
    assert twice.value.code == "already_closed"
    with pytest.raises(ValidationError) as not_closed:
        period_reopen(month=date(2026, 3, 1), user=paolo, reason="why not")
    assert not_closed.value.code == "not_closed"
    assert PeriodEvent.objects.count() == 1


@pytest.mark.parametrize("month", [date(2026, 5, 1), date(2026, 6, 1), date(2026, 4, 2)])
def test_only_a_past_month_can_be_closed(paolo, month):
    with pytest.raises(ValidationError):
        period_close(month=month, user=paolo)
    assert not ClosedPeriod.objects.exists()


def test_the_database_refuses_a_month_that_is_not_a_first_day(paolo):
    with pytest.raises(IntegrityError), transaction.atomic():
        ClosedPeriod.objects.create(month=date(2026, 4, 2), closed_by=paolo, closed_at=NOW)


def test_the_database_refuses_a_reopening_without_reason(paolo):
    with pytest.raises(IntegrityError), transaction.atomic():
        PeriodEvent.objects.create(month=APRIL, action="reopened", user=paolo, at=NOW)


def test_linking_a_new_clients_code_leaves_closed_months_alone_until_reopened(paolo):
    period_close(month=APRIL, user=paolo)
    march = make_call(billing_code="777", start=datetime(2026, 3, 31, 9, 0, tzinfo=ROME))
    april = april_call(billing_code="777")
    may = make_call(billing_code="777")
    later = client_save_and_link(client=Client(code="777", name="Cliente arrivato dopo")).client
    for call in (march, april, may):
        call.refresh_from_db()
    assert (march.client, april.client, may.client) == (later, None, later)
    assert period_reopen(month=APRIL, user=paolo, reason="Late client") == 1
    april.refresh_from_db()
    assert april.client == later


def test_a_code_change_does_not_detach_calls_of_a_closed_month(paolo, affaroni):
    april = april_call(billing_code="123", client=affaroni)
    period_close(month=APRIL, user=paolo)
    affaroni.code = "124"
    client_save_and_link(client=affaroni, previous_code="123")
    april.refresh_from_db()
    assert april.client == affaroni


# --- Suggestions ----------------------------------------------------------------------------


def test_the_suggestion_is_the_client_most_often_billed_for_the_number(affaroni):
    bianchi = make_client("456", "Bianchi S.r.l.")
    for client in (affaroni, affaroni, bianchi):
        make_call(dialled_number="0212345", client=client)
    make_call(dialled_number="0298765", client=bianchi)
    make_call(dialled_number="0211111")  # never billed
    suggestions = client_suggestions(numbers=["0212345", "0298765", "0211111", ""])
    assert set(suggestions) == {"0212345", "0298765"}
    assert (suggestions["0212345"].client, suggestions["0212345"].calls) == (affaroni, 2)
    assert suggestions["0212345"].total == 3
    assert suggestions["0298765"].client == bianchi


def test_a_tie_goes_to_the_client_billed_most_recently(affaroni):
    bianchi = make_client("456", "Bianchi S.r.l.")
    make_call(dialled_number="0212345", client=bianchi, start=datetime(2026, 5, 2, tzinfo=UTC))
    make_call(dialled_number="0212345", client=affaroni, start=datetime(2026, 5, 1, tzinfo=UTC))
    assert client_suggestions(numbers=["0212345"])["0212345"].client == bianchi


def test_hand_assignments_count_for_suggestions(paolo, affaroni):
    calls_assign(calls=[make_call(dialled_number="0212345")], client=affaroni, user=paolo)
    assert client_suggestions(numbers=["0212345"])["0212345"].client == affaroni


def test_suggestions_take_two_queries_whatever_the_numbers(affaroni, django_assert_num_queries):
    numbers = [f"02{i:05d}" for i in range(30)]
    for number in numbers:
        make_call(dialled_number=number, client=affaroni)
    with django_assert_num_queries(2):
        assert len(client_suggestions(numbers=numbers)) == 30


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite lets one writer at a time: nothing to race"
)
def test_a_month_closed_while_an_assignment_waits_refuses_it(paolo, anna, affaroni):
    """PostgreSQL: an assignment that starts while a month is being closed waits for the
    closing and then sees the month closed (SQLite's writers take turns anyway)."""
    import threading

    from django.db import connections

    call = april_call()
    closing_started, finish_closing = threading.Event(), threading.Event()
    outcome = {}

    def assign():
        closing_started.wait(5)
        try:
            outcome["assigned"] = calls_assign(calls=[call], client=affaroni, user=anna)
        except ValidationError as error:
            outcome["refused"] = error.code
        finally:
            connections.close_all()

    worker = threading.Thread(target=assign)
    worker.start()
    with transaction.atomic():
        period_close(month=APRIL, user=paolo)
        closing_started.set()
        worker.join(0.5)  # the assignment is now waiting for the lock
        assert worker.is_alive()
        finish_closing.set()
    worker.join(5)
    assert outcome == {"refused": "period_closed"}
    call.refresh_from_db()
    assert call.client is None
