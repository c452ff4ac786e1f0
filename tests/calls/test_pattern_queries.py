"""calls.pattern_queries.destination_q: the Destination wildcard in the database.

Run on SQLite and on PostgreSQL (DATABASE_URL=postgres://…): both must give exactly the calls
calls.patterns.matches accepts, case-sensitively."""

import random

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calls.models import Call
from calls.pattern_queries import destination_branches, destination_q
from calls.patterns import PatternError, billing_code_lookup, matches, pattern_for
from tests.factories import make_call

MARKER = "**"

# Calls as the importer stores them (calls.matching): with a code, number + marker + code and
# the number never holds the marker; without a code, the text as recorded, malformed suffixes
# included.
CODED = [
    ("3454565678", "123"),
    ("3454565678", "456"),
    ("0232123456", "1"),
    ("0232123456", "19"),
    ("0232123456", "0123456789"),
    ("700", "114"),
    ("345*", "123"),  # a number ending in * (the code came from the bill-code column)
    ("", "7"),
    ("0612*#_\\", "12"),
    ("a_b", "1"),
]
UNCODED = [
    "0232123456",
    "0612345678",
    "114",
    "",
    "345**12a",
    "345**1**2",
    "345**",
    "**",
    "345**12345678901",  # more than 10 digits is no code
    "345*123",
    "1_3",
    "1%3",
    "12\\3",
    "#1#",
    "1?3",
    "[1]",
    "sip:ABC",
    "sip:abc",
    "a",
    "A",
    "è1",
]


def _random_calls(count: int, seed: int = 7) -> list[tuple[str, str]]:
    """More (destination, billing code) pairs in the importer's shapes, from a fixed seed."""
    rng = random.Random(seed)
    pairs = []
    for _ in range(count):
        text = "".join(rng.choice("0123*#_%\\a") for _ in range(rng.randint(0, 6)))
        if rng.random() < 0.5:
            code = "".join(rng.choice("0123") for _ in range(rng.randint(1, 3)))
            pairs.append((text.split(MARKER)[0] + MARKER + code, code))
        else:
            pairs.append((text, ""))
    return pairs


@pytest.fixture
def calls(db):
    pairs = [(number + MARKER + code, code) for number, code in CODED]
    pairs += [(destination, "") for destination in UNCODED]
    pairs += _random_calls(12)
    return [
        make_call(destination=destination, dialled_number=destination[:64], billing_code=code)
        for destination, code in pairs
    ]


def found(pattern, *, negate=False, marker=MARKER) -> set[str]:
    query = destination_q(pattern, marker=marker, negate=negate)
    return set(Call.objects.filter(query).values_list("destination", flat=True))


def expected(calls, pattern) -> set[str]:
    return {call.destination for call in calls if matches(pattern, call.destination)}


# --- Seed examples ----------------------------------------------------------------------


def test_every_call_with_a_billing_code_and_the_malformed_ones(calls):
    result = found("%**%")
    assert {"3454565678**123", "700**114", "**7", "345***123"} <= result
    # Kept as recorded without a code, they still hold ** and the scan finds them.
    assert {"345**12a", "345**1**2", "345**", "**", "345**12345678901"} <= result
    assert not {"345*123", "0232123456", "114", ""} & result
    assert result == expected(calls, "%**%")


def test_one_client(calls):
    assert found("%**123") == {"3454565678**123", "345***123"}


def test_clients_whose_code_starts_with_1(calls):
    result = found("%**1%")
    assert {"3454565678**123", "0232123456**1", "0232123456**19", "700**114"} <= result
    assert {"345**12a", "345**1**2", "345**12345678901"} <= result  # uncoded, found by scan
    assert "3454565678**456" not in result
    assert "0232123456**0123456789" not in result
    assert result == expected(calls, "%**1%")


def test_code_ending_found_in_a_malformed_suffix(calls):
    assert found("%**2") >= {"345**1**2"}
    assert found("%**2") == expected(calls, "%**2")


def test_numbers_starting_with_0232(calls):
    assert found("0232%") == {
        "0232123456",
        "0232123456**1",
        "0232123456**19",
        "0232123456**0123456789",
    }


def test_no_percent_is_exactly_that_destination(calls):
    assert found("114") == {"114"}
    assert found("0232123456") == {"0232123456"}
    assert found("3454565678**123") == {"3454565678**123"}


# --- Literal characters and case --------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "result"),
    [
        ("1_3", {"1_3"}),  # _ is no "any character"
        ("1%3", {"1%3", "1_3", "12\\3", "1?3"}),
        ("%\\%", {"12\\3", "0612*#_\\**12"}),
        ("%[%", {"[1]"}),
        ("%?%", {"1?3"}),
        ("345*1%", {"345*123"}),  # * is no wildcard
        ("#%", {"#1#"}),
        ("%_%", {"1_3", "0612*#_\\**12", "a_b**1"}),
        ("sip:a%", {"sip:abc"}),  # case-sensitive on both databases
        ("sip:A%", {"sip:ABC"}),
        ("a", {"a"}),
        ("A", {"A"}),
        ("è%", {"è1"}),
    ],
)
def test_every_character_but_percent_is_literal(calls, pattern, result):
    assert found(pattern) & set(UNCODED + ["0612*#_\\**12", "a_b**1"]) == result
    assert found(pattern) == expected(calls, pattern)


def test_modes_with_a_literal_percent(calls):
    assert found(pattern_for("contains", "%")) == {"1%3"} | {
        c.destination for c in calls if "%" in c.destination
    }
    assert found(pattern_for("begins", "1%")) == {"1%3"}
    assert found(pattern_for("exact", "1%3")) == {"1%3"}
    assert found(pattern_for("ends", "**1")) == {"0232123456**1", "a_b**1"} | {
        c.destination for c in calls if c.destination.endswith("**1")
    }


def test_an_unusable_pattern_raises(db):
    with pytest.raises(PatternError):
        destination_q("  ", marker=MARKER)


# --- The billing code shortcut and negation ---------------------------------------------


@pytest.mark.parametrize(
    "pattern", ["%**%", "%**123", "%**1%", "%**0%", "%**01%", "%**9%", "%**19%", "%**2", "%**7"]
)
def test_the_billing_code_shortcut_gives_what_the_scan_gives(calls, pattern):
    assert billing_code_lookup(pattern, MARKER) is not None
    assert found(pattern) == expected(calls, pattern)


def test_the_shortcut_reads_the_billing_code_column(calls):
    # Proof that the column answers: a call whose code disagrees with its destination (the
    # importer never writes one) is found by its code.
    make_call(destination="999", billing_code="123")
    assert "999" in found("%**123")
    assert "999" not in found("%**12%3")  # no shortcut: the destination is scanned


@pytest.mark.parametrize("pattern", ["%**%", "%**1%", "%**123", "0232%", "1_3", "%\\%"])
def test_not(calls, pattern):
    every = {call.destination for call in calls}
    assert found(pattern, negate=True) == every - expected(calls, pattern)


def test_another_marker(db):
    make_call(destination="3454565678##123", billing_code="123")
    make_call(destination="345##12a", billing_code="")
    assert found("%##%", marker="##") == {"3454565678##123", "345##12a"}
    assert found("%##1%", marker="##") == {"3454565678##123", "345##12a"}
    assert found("%##123", marker="##") == {"3454565678##123"}


# --- Property: the database agrees with calls.patterns.matches --------------------------

PATTERN_ALPHABET = "0123*#%_\\a[?A"
patterns = st.one_of(
    st.text(PATTERN_ALPHABET, min_size=1, max_size=8),
    st.builds(
        lambda digits, tail: "%" + MARKER + digits + tail,
        st.text("0123", max_size=3),
        st.sampled_from(["", "%"]),
    ),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pattern=patterns, negate=st.booleans())
def test_the_database_agrees_with_matches(calls, pattern, negate):
    selected = expected(calls, pattern)
    if negate:
        selected = {call.destination for call in calls} - selected
    assert found(pattern, negate=negate) == selected


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", ["%**123", "%**1%", "%**%"])
def test_uncoded_calls_are_read_through_their_index(pattern):
    # pattern_queries decision 3: the uncoded branch must read as call_uncoded_marked_idx
    # (a partial index on PostgreSQL, migration 0012; an index on the expression on SQLite,
    # 0014), or the planner cannot use it and reads every uncoded call.
    Call.objects.bulk_create(
        Call(
            start=make_call().start,
            destination=f"02{n:08d}" if n % 50 else f"02{n:08d}**12x",
            direction=Call.Direction.OUTBOUND,
            status=Call.Status.ANSWERED,
            pbx_call_id=f"plan-{n}",
        )
        for n in range(3000)
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE calls_call")
            cursor.execute("SET LOCAL enable_seqscan = off")
    coded, uncoded = destination_branches(pattern, marker="**")
    plan = Call.objects.filter(uncoded).explain()
    assert "call_uncoded_marked_idx" in plan, plan
    if pattern != "%**%":  # which reads every coded call anyway
        plan = Call.objects.filter(destination_q(pattern, marker="**")).explain()
        assert "call_uncoded_marked_idx" in plan, plan


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigram index (0015) is PostgreSQL's"
)
@pytest.mark.parametrize("pattern", ["0232%", "%456%", "%5678", "%12\\_3%"])
def test_other_patterns_are_read_through_the_trigram_index(pattern):
    # The LIKE that pattern_queries writes (escaped, ESCAPE '\') is one pg_trgm can serve.
    Call.objects.bulk_create(
        Call(
            start=make_call().start,
            destination=f"0{n:09d}",
            direction=Call.Direction.OUTBOUND,
            status=Call.Status.ANSWERED,
            pbx_call_id=f"trgm-{n}",
        )
        for n in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE calls_call")
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = Call.objects.filter(destination_q(pattern, marker="**")).explain()
    assert "call_destination_trgm_idx" in plan, plan
