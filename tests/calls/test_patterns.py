"""Behaviour of calls.patterns: the Log Reporter's Destination wildcard (no database)."""

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calls.patterns import (
    MAX_PATTERN_LENGTH,
    PatternError,
    billing_code_lookup,
    matches,
    pattern_for,
    pieces,
    validate_pattern,
)

CALLS = [
    "3454565678**123",
    "3454565678**456",
    "0232123456**1",
    "0232123456**19",
    "0232123456",
    "0612345678",
    "700**114",
    "114",
]


def found(pattern, destinations=CALLS):
    return [d for d in destinations if matches(pattern, d)]


# --- The seed examples ------------------------------------------------------------------


def test_every_call_with_a_billing_code():
    assert found("%**%") == [
        "3454565678**123",
        "3454565678**456",
        "0232123456**1",
        "0232123456**19",
        "700**114",
    ]


def test_one_client():
    assert found("%**123") == ["3454565678**123"]


def test_clients_whose_code_starts_with_1():
    assert found("%**1%") == ["3454565678**123", "0232123456**1", "0232123456**19", "700**114"]


def test_numbers_starting_with_0232():
    assert found("0232%") == ["0232123456**1", "0232123456**19", "0232123456"]


def test_a_pattern_without_percent_is_exactly_that_destination():
    assert found("114") == ["114"]
    assert found("0232123456") == ["0232123456"]
    assert not matches("0232", "0232123456")


def test_anchored_at_both_ends():
    assert not matches("**123", "3454565678**123")
    assert not matches("%**12", "3454565678**123")
    assert not matches("345%", "93454565678")


# --- Literal characters -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "yes", "no"),
    [
        ("1*3", "1*3", "123"),  # * is not "any run"
        ("1_3", "1_3", "123"),  # _ is not "any character"
        ("1\\3", "1\\3", "13"),  # backslash is no escape
        ("1\\%", "1\\99", "199"),
        ("#1#", "#1#", "111"),
        ("1?3", "1?3", "123"),
        ("[12]", "[12]", "1"),
        ("%.%", "0.1", "01"),
        ("a%", "ab", "Ab"),  # case-sensitive
        ("%S", "sipS", "sips"),
    ],
)
def test_every_character_but_percent_is_literal(pattern, yes, no):
    assert matches(pattern, yes)
    assert not matches(pattern, no)


def test_percent_matches_nothing_too():
    assert matches("%", "")
    assert matches("%", "123")
    assert matches("1%2%3", "123")
    assert matches("%**%", "**")
    assert not matches("a%a", "a")
    assert not matches("%b%bc", "abc")


# --- Validation -------------------------------------------------------------------------


def test_surrounding_spaces_are_stripped_inner_ones_kept():
    assert validate_pattern("  %**123 ") == "%**123"
    assert validate_pattern("345 456%") == "345 456%"


@pytest.mark.parametrize("pattern", ["", "   "])
def test_empty(pattern):
    with pytest.raises(PatternError) as error:
        validate_pattern(pattern)
    assert error.value.code == "empty"


def test_too_long():
    assert validate_pattern("1" * MAX_PATTERN_LENGTH) == "1" * MAX_PATTERN_LENGTH
    with pytest.raises(PatternError) as error:
        validate_pattern("1" * (MAX_PATTERN_LENGTH + 1))
    assert error.value.code == "too_long"
    assert "100" in str(error.value)


@pytest.mark.parametrize("pattern", ["12\t3", "12\n", "%\x00", "1\x7f", "\x1b1"])
def test_control_characters(pattern):
    with pytest.raises(PatternError) as error:
        validate_pattern(pattern)
    assert error.value.code == "control_character"
    assert "U+" in str(error.value)


def test_pattern_error_survives_pickling():
    error = pickle.loads(pickle.dumps(PatternError("empty", "Enter a pattern.")))
    assert (error.code, str(error)) == ("empty", "Enter a pattern.")


# --- Pieces and modes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("%**123", ("", "**123")),
        ("0232%", ("0232", "")),
        ("%**%", ("", "**", "")),
        ("114", ("114",)),
        ("%", ("", "")),
        ("%%", ("", "")),
        ("1%%2%%%3", ("1", "2", "3")),
        ("%%1%%", ("", "1", "")),
    ],
)
def test_pieces(pattern, expected):
    assert pieces(pattern) == expected
    assert pieces(expected) == expected


@pytest.mark.parametrize(
    ("mode", "text", "expected"),
    [
        ("pattern", "%**1%", ("", "**1", "")),
        ("begins", "0232", ("0232", "")),
        ("contains", "**1", ("", "**1", "")),
        ("ends", "**123", ("", "**123")),
        ("exact", "114", ("114",)),
        ("begins", " 5%1 ", ("5%1", "")),  # a literal percent sign
        ("contains", "%", ("", "%", "")),
        ("ends", "1%", ("", "1%")),
        ("exact", "50%", ("50%",)),
    ],
)
def test_pattern_for(mode, text, expected):
    assert pattern_for(mode, text) == expected


def test_pattern_for_keeps_a_literal_percent_literal():
    assert matches(pattern_for("begins", "5%1"), "5%123")
    assert not matches(pattern_for("begins", "5%1"), "5991")
    assert matches(pattern_for("contains", "%"), "12%3")
    assert not matches(pattern_for("contains", "%"), "123")
    assert matches(pattern_for("exact", "50%"), "50%")
    assert not matches(pattern_for("exact", "50%"), "500")


def test_pattern_for_validates_and_knows_its_modes():
    with pytest.raises(PatternError) as error:
        pattern_for("contains", "  ")
    assert error.value.code == "empty"
    with pytest.raises(PatternError) as error:
        pattern_for("sounds like", "123")
    assert error.value.code == "unknown_mode"


# --- Billing code -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "marker", "expected"),
    [
        ("%**%", "**", ("any", "")),
        ("%**123", "**", ("exact", "123")),
        ("%**1%", "**", ("prefix", "1")),
        ("%**0042%", "**", ("prefix", "0042")),
        ("%##7", "##", ("exact", "7")),
        ("%*01%", "*0", ("prefix", "1")),
        (("", "**123"), "**", ("exact", "123")),
        ("%%**123", "**", ("exact", "123")),  # %% is %
    ],
)
def test_billing_code_lookup(pattern, marker, expected):
    assert billing_code_lookup(pattern, marker) == expected


@pytest.mark.parametrize(
    ("pattern", "marker"),
    [
        ("%**12a", "**"),
        ("**123", "**"),  # no leading %: the number must be empty
        ("%**", "**"),  # exactly the marker at the end: no code at all
        ("%*%", "**"),
        ("%**1%2", "**"),
        ("%**1%%2", "**"),
        ("1%**123", "**"),
        ("%**123", "##"),
        ("%##123", "**"),
        ("%**١٢٣", "**"),  # Arabic-Indic digits are no code
        ("%**123", ""),
        # With a marker that can begin inside the number and go on with a digit, a code
        # prefix could also be found across number and marker: number 5*0, code 7 is
        # destination 5*0*0*7, which contains *0*0.
        ("%*0*0%", "*0*"),
    ],
)
def test_billing_code_lookup_non_cases(pattern, marker):
    assert billing_code_lookup(pattern, marker) is None


def test_the_exact_form_is_safe_even_with_such_a_marker():
    assert billing_code_lookup("%*0*0", "*0*") == ("exact", "0")
    assert billing_code_lookup("%*0*%", "*0*") == ("any", "")


# --- The reference matcher against a brute force ----------------------------------------


def reference(pattern: str, destination: str) -> bool:
    """Dynamic programming over characters: ok[i][j] when pattern[:i] matches text[:j]."""
    ok = [[False] * (len(destination) + 1) for _ in range(len(pattern) + 1)]
    ok[0][0] = True
    for i, symbol in enumerate(pattern, start=1):
        for j in range(len(destination) + 1):
            if symbol == "%":
                ok[i][j] = ok[i - 1][j] or (j > 0 and ok[i][j - 1])
            else:
                ok[i][j] = j > 0 and ok[i - 1][j - 1] and destination[j - 1] == symbol
    return ok[len(pattern)][len(destination)]


ALPHABET = "0123*#%_\\aA"


@given(st.text(ALPHABET, max_size=10), st.text(ALPHABET, max_size=12))
def test_matches_agrees_with_the_brute_force(pattern, destination):
    assert matches(pattern, destination) == reference(pattern, destination)


@given(st.text("0123*%", max_size=8), st.text("0123*%", max_size=4), st.data())
def test_matches_agrees_on_destinations_built_around_a_pattern(pattern, filler, data):
    # Destinations made of the pattern's own pieces hit the interesting cases more often.
    destination = pattern.replace("%", filler)
    assert matches(pattern, destination)
    cut = data.draw(st.integers(0, len(destination)))
    changed = destination[:cut] + data.draw(st.text("0*%", max_size=2)) + destination[cut + 1 :]
    assert matches(pattern, changed) == reference(pattern, changed)


@given(
    st.sampled_from(["begins", "contains", "ends", "exact"]),
    st.text("0123*%_", min_size=1, max_size=6),
    st.text("0123*%_", max_size=10),
)
def test_modes_read_the_text_literally(mode, text, destination):
    expected = {
        "begins": destination.startswith(text),
        "contains": text in destination,
        "ends": destination.endswith(text),
        "exact": destination == text,
    }[mode]
    assert matches(pattern_for(mode, text), destination) == expected


@given(
    st.sampled_from(["**", "##", "*0", "#", "*0*", "0*0", "**1"]),
    st.text("0123456789*#", max_size=5),
    st.text("0123456789", min_size=1, max_size=10),
    st.text("0123456789", max_size=3),
    st.sampled_from(["", "%"]),
)
def test_billing_code_lookup_agrees_with_matches_on_imported_calls(
    marker, text, code, digits, tail
):
    # The importer's coded calls: number (the text before its first marker) + marker + code.
    number = text.split(marker)[0]
    destination = number + marker + code
    pattern = "%" + marker + digits + tail
    lookup = billing_code_lookup(pattern, marker)
    if lookup is None:
        return
    kind, wanted = lookup
    by_code = {"any": True, "exact": code == wanted, "prefix": code.startswith(wanted)}[kind]
    assert by_code == matches(pattern, destination)
