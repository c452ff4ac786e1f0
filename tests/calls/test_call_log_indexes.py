"""The call log's indexes for large tables (migration calls/0030): each filter that reads many
calls is answered from its own index on both databases (the plan names it), and gives the
same calls and totals as the rule it stands for, worked out here in Python. "Now" is frozen
at Wednesday 13 May 2026, 12:00 in Rome; the calls span two years up to it."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from calls.filters import CallLogFilter
from calls.models import Call
from calls.selectors import call_log_totals
from tests.factories import make_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

TWO_YEARS = {"date_after": "2024-05-14", "date_before": "2026-05-13"}
CALLS = 6000
KNOWN = [str(code) for code in range(100, 130)]  # codes 130-139 belong to no client


@pytest.fixture
def many_calls():
    """6,000 calls over the two years: a fifth with a code (a sixth of those unknown), 30
    extensions, talk times up to 15 minutes; then statistics, as autovacuum or ANALYZE
    leave them, so the planners choose as on a real table."""
    clients = {code: make_client(code, f"Cliente {code}") for code in KNOWN}
    rng = random.Random(24)
    first = datetime(2024, 5, 14, 6, 0, tzinfo=UTC)
    calls = []
    for n in range(CALLS):
        code = str(rng.randrange(100, 140)) if rng.random() < 0.2 else ""
        talk = rng.choice([0, rng.randrange(1, 900)])
        calls.append(
            Call(
                start=first + timedelta(minutes=175 * n),
                talk_seconds=talk,
                caller=str(rng.randrange(101, 131)),
                destination=f"02{n:08d}" + (f"**{code}" if code else ""),
                dialled_number=f"02{n:08d}",
                billing_code=code,
                client=clients.get(code),
                direction=rng.choice([Call.Direction.OUTBOUND] * 3 + [Call.Direction.INTERNAL]),
                status=Call.Status.ANSWERED if talk else Call.Status.NO_ANSWER,
                pbx_call_id=f"many-{n}",
            )
        )
    Call.objects.bulk_create(calls)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "ANALYZE calls_call")
    return list(Call.objects.all())


def rule(call: Call, params: dict) -> bool:
    """What each filter means, in Python."""
    if params.get("has_code") == "yes":
        return call.billing_code != ""
    if params.get("unknown_code"):
        return call.billing_code != "" and call.client_id is None
    if "caller" in params:
        return call.caller == params["caller"]
    if "min_talk" in params:
        return call.talk_seconds >= int(params["min_talk"])
    if params.get("number") == "%**12%":
        return call.billing_code.startswith("12")
    return True


FILTERS = [
    ({"has_code": "yes"}, "call_coded_start_idx"),
    ({"unknown_code": "on"}, "call_unknown_code_start_idx"),
    ({"caller": "114"}, "call_caller_start_idx"),
    ({"destination": "numbers", "number": "%**12%"}, "call_code_start_idx"),
]


def filterset(params: dict) -> CallLogFilter:
    found = CallLogFilter({**TWO_YEARS, **params}, queryset=Call.objects.all())
    assert found.is_valid(), found.form.errors
    return found


def no_table_scan():
    """On 6,000 rows (and no VACUUM inside a test's transaction, so no index-only scans)
    PostgreSQL may rightly read the whole small table; with table scans off the plan says
    the index can serve the query (its condition matches), as it does on 1 M calls."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")


@pytest.mark.parametrize(("params", "index"), FILTERS[:3])
def test_each_filter_reads_its_own_index(many_calls, params, index):
    no_table_scan()
    page = filterset(params).qs.order_by("-start", "-pk").values("pk")[:51]
    assert index in page.explain(), page.explain()


@pytest.mark.parametrize(("params", "index"), FILTERS)
def test_the_totals_of_a_filter_read_its_index(many_calls, params, index):
    # The totals add up status and talk time, which the index holds: on PostgreSQL an
    # index-only scan, on SQLite a covering index (the billing-code ones: the caller index
    # INCLUDEs them, which SQLite cannot, so there it reads the calls from the table). A code
    # pattern's totals add up its coded half from the code index (CallLogFilter.total_parts).
    no_table_scan()
    part = filterset(params).total_parts()[0]
    plan = part.values("status", "talk_seconds").explain()
    if index == "call_code_start_idx" and connection.vendor == "sqlite":
        index = "call_code"  # or call_coded_start_idx: both cover the coded calls alone
    assert index in plan, plan
    if connection.vendor == "sqlite" and index != "call_caller_start_idx":
        assert "COVERING INDEX" in plan, plan


def test_on_postgresql_the_totals_read_the_indexes_alone(many_calls):
    """The caller and talk-time indexes INCLUDE status and talk time, so PostgreSQL adds up
    the totals from an index alone (with the visibility map, as VACUUM or autovacuum after a
    large import leave it). min_talk's totals may as well come from call_start_idx, which
    holds talk time, status and leg_of too (at 1,000,000 calls two years of them take
    13 ms: bench/README.md)."""
    if connection.vendor != "postgresql":
        pytest.skip("INCLUDE columns: PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    for params, indexes in (
        ({"caller": "114"}, ["call_caller_start_idx"]),
        ({"min_talk": "600"}, ["call_talk_start_idx", "call_start_idx"]),
    ):
        part = filterset(params).total_parts()[0]
        plan = part.order_by().values("status", "talk_seconds").explain()
        assert any(f"Index Only Scan using {index} " in plan for index in indexes), plan


def test_the_longest_calls_come_from_the_talk_time_index(many_calls):
    page = filterset({}).qs.order_by("-talk_seconds", "-start", "-pk").values("pk")[:51]
    if connection.vendor == "postgresql":
        # A top-51 read in the index's order. SQLite's planner, which guesses that a range
        # of dates keeps few calls, sorts the range instead (within its target at 1 M).
        assert "call_talk_start_idx" in page.explain(), page.explain()
    longest = sorted(many_calls, key=lambda c: (c.talk_seconds, c.start, c.pk), reverse=True)
    assert [row["pk"] for row in page] == [call.pk for call in longest[:51]]


@pytest.mark.parametrize("params", [params for params, _index in FILTERS] + [{"min_talk": "600"}])
def test_the_indexed_filters_give_the_same_calls_and_totals(many_calls, params):
    wanted = [call for call in many_calls if rule(call, params)]
    found = filterset(params)
    assert set(found.qs.values_list("pk", flat=True)) == {call.pk for call in wanted}
    totals = call_log_totals(filterset=found)
    assert totals["calls"] == len(wanted) > 0
    assert totals["talk_seconds"] == sum(call.talk_seconds for call in wanted)
    assert totals["answered"] == sum(call.status == Call.Status.ANSWERED for call in wanted)
