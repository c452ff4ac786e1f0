"""Behaviour of calls.dialing: composing and reading dial strings as the 3CX PBX does."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from calls.dialing import (
    DialError,
    DialPlan,
    HelperDial,
    TrunkRule,
    compose_dial_string,
    compose_for_helper,
    normalize_number,
    prefix_conflicts,
    validate_marker,
    validate_prefix,
)
from tests.calls.pbx_model import DialResult, parse_dial_string, split_billing_code

MOBILE = TrunkRule("9", strip_prefix=True, key=7, name="GSM gateway")
LANDLINE = TrunkRule("0", strip_prefix=False, key=8, name="Landline, prefix kept")
PLAN = DialPlan(trunks=(MOBILE,))
DIGITS = "0123456789"


def raises_dial_error(code):
    """Context manager: expects a DialError with the given machine code."""
    return pytest.raises(DialError, check=lambda err: err.code == code)


# --- parse_dial_string: trunks, prefix, code ---------------------------------------------------


def test_it_strips_the_prefix_and_keeps_the_code_in_the_recorded_destination():
    result = parse_dial_string("93454565678**123", PLAN)

    assert result == DialResult(
        trunk=MOBILE,
        carrier_number="3454565678",
        billing_code="123",
        recorded_destination="3454565678**123",
        is_internal=False,
    )


def test_the_trunk_handed_back_is_the_plans_rule_with_its_key_untouched():
    key = object()
    trunk = TrunkRule("9", key=key, name="GSM")

    result = parse_dial_string("93454565678**123", DialPlan(trunks=(trunk,)))

    assert result.trunk is trunk
    assert result.trunk.key is key


def test_without_a_marker_there_is_no_code_and_nothing_after_the_number_is_recorded():
    result = parse_dial_string("93454565678", PLAN)

    assert result.billing_code is None
    assert result.carrier_number == "3454565678"
    assert result.recorded_destination == "3454565678"
    assert result.trunk == MOBILE


def test_a_trunk_that_does_not_strip_its_prefix_keeps_it_in_carrier_and_recorded_destination():
    plan = DialPlan(trunks=(LANDLINE,))

    result = parse_dial_string("0612345678**55", plan)

    assert result.trunk == LANDLINE
    assert result.carrier_number == "0612345678"
    assert result.recorded_destination == "0612345678**55"
    assert result.billing_code == "55"


def test_a_trunk_that_does_not_strip_records_the_whole_string_when_there_is_no_code():
    result = parse_dial_string("0612345678", DialPlan(trunks=(LANDLINE,)))

    assert result.carrier_number == "0612345678"
    assert result.recorded_destination == "0612345678"


def test_it_picks_the_trunk_by_prefix_among_several():
    plan = DialPlan(trunks=(MOBILE, TrunkRule("8", key="voip")))

    assert parse_dial_string("83454565678**1", plan).trunk.key == "voip"
    assert parse_dial_string("93454565678**1", plan).trunk.key == 7


def test_a_prefix_several_digits_long_is_stripped_whole():
    plan = DialPlan(trunks=(TrunkRule("801"),))

    result = parse_dial_string("8013454565678**9", plan)

    assert result.carrier_number == "3454565678"
    assert result.recorded_destination == "3454565678**9"


@pytest.mark.parametrize("order", [("9", "90"), ("90", "9")])
def test_the_longest_matching_prefix_wins_whatever_the_order(order):
    plan = DialPlan(trunks=tuple(TrunkRule(p, key=p) for p in order))

    assert parse_dial_string("903454565678", plan).trunk.key == "90"
    assert parse_dial_string("903454565678", plan).carrier_number == "3454565678"
    assert parse_dial_string("93454565678", plan).trunk.key == "9"


def test_between_equal_prefixes_the_first_trunk_in_the_plan_wins():
    plan = DialPlan(trunks=(TrunkRule("9", key="first"), TrunkRule("9", key="second")))

    assert parse_dial_string("93454565678", plan).trunk.key == "first"


def test_a_trunk_prefix_wins_over_an_internal_extension_length():
    plan = DialPlan(trunks=(MOBILE,), internal_lengths=frozenset({4}))

    result = parse_dial_string("9112", plan)

    assert result.is_internal is False
    assert result.trunk == MOBILE
    assert result.carrier_number == "112"


def test_a_prefix_no_rule_knows_is_refused_naming_the_string_and_the_known_prefixes():
    with raises_dial_error("unknown_prefix") as caught:
        parse_dial_string("53454565678**12", PLAN)

    assert "'53454565678**12'" in str(caught.value)
    assert "'9'" in str(caught.value)
    assert caught.value.params["prefixes"] == ["9"]


def test_a_trunk_without_a_prefix_is_never_matched():
    plan = DialPlan(trunks=(TrunkRule("", key="default"),))

    with raises_dial_error("unknown_prefix"):
        parse_dial_string("3454565678", plan)


def test_with_no_trunks_at_all_an_external_number_is_refused():
    with raises_dial_error("unknown_prefix") as caught:
        parse_dial_string("93454565678", DialPlan())

    assert "none configured" in str(caught.value)


@pytest.mark.parametrize("dialled", ["9", "9**123", " 9 "])
def test_a_prefix_with_no_number_after_it_is_refused(dialled):
    with raises_dial_error("prefix_only") as caught:
        parse_dial_string(dialled, PLAN)

    assert caught.value.params["prefix"] == "9"


# --- parse_dial_string: marker and code --------------------------------------------------------


def test_a_marker_with_no_digits_after_it_is_refused():
    with raises_dial_error("marker_without_code") as caught:
        parse_dial_string("93454565678**", PLAN)

    assert "'**'" in str(caught.value)


@pytest.mark.parametrize("dialled", ["93454565678**12a", "93454565678**1#2", "93454565678***12"])
def test_anything_but_digits_after_the_marker_is_refused(dialled):
    with raises_dial_error("code_not_digits"):
        parse_dial_string(dialled, PLAN)


@pytest.mark.parametrize("dialled", ["93454565678**12**3", "9345**4565678**123", "9**3**4"])
def test_the_marker_twice_is_refused(dialled):
    with raises_dial_error("marker_twice") as caught:
        parse_dial_string(dialled, PLAN)

    assert caught.value.params["count"] == 2


def test_a_stray_marker_character_in_the_number_is_refused_naming_it():
    with raises_dial_error("bad_character") as caught:
        parse_dial_string("9345*4565678**123", PLAN)

    assert caught.value.params["character"] == "*"
    assert "'*'" in str(caught.value)


@pytest.mark.parametrize(
    "dialled",
    [
        "9 345 456 5678 ** 123",
        "9.345.456.5678**123",
        "9-345-456-5678**123",
        "9 345-456.5678 **123",
        "9\u00a0345\u00a04565678**123",
        "\t93454565678**123\n",
    ],
)
def test_spaces_dots_and_dashes_in_a_dial_string_are_ignored(dialled):
    result = parse_dial_string(dialled, PLAN)

    assert result.carrier_number == "3454565678"
    assert result.billing_code == "123"
    assert result.recorded_destination == "3454565678**123"


@pytest.mark.parametrize(
    ("dialled", "character"),
    [
        ("9+393454565678", "+"),
        ("93454565678a**1", "a"),
        ("9345#4565678**1", "#"),
        ("9(345)4565678", "("),
        ("9345/4565678", "/"),
        ("9\uff13454565678", "\uff13"),
    ],
)
def test_other_characters_in_a_dial_string_are_refused_naming_them(dialled, character):
    with raises_dial_error("bad_character") as caught:
        parse_dial_string(dialled, PLAN)

    assert caught.value.params["character"] == character


@pytest.mark.parametrize("dialled", ["", "   ", "-.-"])
def test_an_empty_dial_string_is_refused(dialled):
    with raises_dial_error("empty"):
        parse_dial_string(dialled, PLAN)


def test_a_code_with_no_number_before_the_marker_is_refused():
    with raises_dial_error("empty") as caught:
        parse_dial_string("**123", PLAN)

    assert "before the marker '**'" in str(caught.value)


# --- parse_dial_string: internal extensions ----------------------------------------------------


def test_an_internal_extension_uses_no_trunk():
    result = parse_dial_string("101", PLAN)

    assert result == DialResult(
        trunk=None,
        carrier_number="101",
        billing_code=None,
        recorded_destination="101",
        is_internal=True,
    )


def test_every_configured_extension_length_is_internal():
    plan = DialPlan(trunks=(MOBILE,), internal_lengths=frozenset({2, 4}))

    assert parse_dial_string("21", plan).is_internal
    assert parse_dial_string("2101", plan).is_internal
    with raises_dial_error("unknown_prefix"):
        parse_dial_string("210", plan)


def test_a_number_of_another_length_is_not_an_extension():
    with raises_dial_error("unknown_prefix"):
        parse_dial_string("1012", PLAN)


def test_an_internal_extension_with_a_client_code_is_refused():
    with raises_dial_error("code_on_internal_call"):
        parse_dial_string("101**12", PLAN)


# --- a changed marker --------------------------------------------------------------------------


@pytest.mark.parametrize("marker", ["##", "*0", "#", "0*"])
def test_a_changed_marker_splits_the_code_and_is_kept_in_the_recorded_destination(marker):
    plan = DialPlan(trunks=(MOBILE,), marker=marker)

    result = parse_dial_string(f"93454565678{marker}123", plan)

    assert result.carrier_number == "3454565678"
    assert result.billing_code == "123"
    assert result.recorded_destination == f"3454565678{marker}123"


@pytest.mark.parametrize("marker", ["##", "*0"])
def test_with_a_changed_marker_two_stars_are_not_a_marker(marker):
    plan = DialPlan(trunks=(MOBILE,), marker=marker)

    with raises_dial_error("bad_character") as caught:
        parse_dial_string("93454565678**123", plan)

    assert caught.value.params["character"] == "*"


def test_a_star_zero_marker_takes_a_code_that_starts_with_zero():
    plan = DialPlan(trunks=(MOBILE,), marker="*0")

    assert parse_dial_string("93454565678*0012", plan).billing_code == "012"


def test_parsing_with_an_invalid_marker_in_the_plan_is_refused():
    with raises_dial_error("bad_marker"):
        parse_dial_string("93454565678", DialPlan(trunks=(MOBILE,), marker="00"))


# --- split_billing_code ------------------------------------------------------------------------


def test_split_separates_the_number_from_the_code():
    assert split_billing_code("3454565678**123") == ("3454565678", "123")


def test_split_without_a_marker_returns_the_text_untouched():
    assert split_billing_code("345 456-5678") == ("345 456-5678", None)


def test_split_uses_the_given_marker_only():
    assert split_billing_code("3454565678##123", "##") == ("3454565678", "123")
    assert split_billing_code("3454565678**123", "##") == ("3454565678**123", None)


def test_split_refuses_a_marker_with_nothing_after_it():
    with raises_dial_error("marker_without_code"):
        split_billing_code("3454565678**")


def test_split_refuses_a_code_that_is_not_digits_with_a_clear_message():
    with raises_dial_error("code_not_digits") as caught:
        split_billing_code("3454**12a")

    assert str(caught.value) == "'3454**12a': the client code after '**' must be digits, got '12a'."
    assert caught.value.params == {"value": "3454**12a", "marker": "**", "client_code": "12a"}


def test_split_does_not_normalise_spaces_in_the_code():
    with raises_dial_error("code_not_digits"):
        split_billing_code("3454** 123")


def test_split_refuses_the_marker_twice():
    with raises_dial_error("marker_twice") as caught:
        split_billing_code("3454**1**2")

    assert "2 times" in str(caught.value)


def test_split_refuses_an_invalid_marker():
    with raises_dial_error("bad_marker"):
        split_billing_code("3454565678", "")


# --- normalize_number --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "3454565678",
        "345 456 5678",
        "345.456.5678",
        "345-456-5678",
        "345/4565678",
        "(345) 456 5678",
        "345\u00a0456\u00a05678",
        "345\u2013456\u20135678",
        "\u200b3454565678\ufeff",
        "\u202a+39 345 456 5678\u202c",
        "\u200e345\u200e4565678",
        "  3454565678\n",
    ],
)
def test_separators_a_user_types_or_pastes_are_dropped(typed):
    assert normalize_number(typed) == "3454565678"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+39 345 456 5678", "3454565678"),
        ("+39 06 1234 5678", "0612345678"),
        ("(+39) 345-456-5678", "3454565678"),
        ("+44 20 7946 0958", "00442079460958"),
        ("+1 (212) 555-0100", "0012125550100"),
        ("0039 345 456 5678", "3454565678"),
        ("0039 02 1234567", "021234567"),
        ("0044 20 7946 0958", "00442079460958"),
    ],
)
def test_the_home_country_is_national_written_plus_or_00_and_others_00(typed, expected):
    assert normalize_number(typed) == expected


def test_the_country_code_and_international_prefix_come_from_the_plan():
    swiss = DialPlan(country_code="41", international_prefix="011")

    assert normalize_number("+41 79 123 45 67", swiss) == "791234567"
    assert normalize_number("+39 345 456 5678", swiss) == "011393454565678"


@pytest.mark.parametrize(
    ("typed", "character"),
    [
        ("345abc", "a"),
        ("345*4565678", "*"),
        ("345#4565678", "#"),
        ("345+4565678", "+"),
        ("++393454565678", "+"),
        ("3454565678**123", "*"),
        ("\uff13\uff14\uff15", "\uff13"),
        ("345_456", "_"),
    ],
)
def test_other_characters_in_a_typed_number_are_refused_naming_them(typed, character):
    with raises_dial_error("bad_character") as caught:
        normalize_number(typed)

    assert caught.value.params["character"] == character
    assert repr(typed) in str(caught.value)


def test_an_invisible_bad_character_is_named_by_its_code_point():
    with raises_dial_error("bad_character") as caught:
        normalize_number("345\u0007456")

    assert "U+0007" in str(caught.value)


@pytest.mark.parametrize("typed", ["", "   ", "+", "+39", "+ 39", "-./()"])
def test_nothing_left_to_dial_is_refused(typed):
    with raises_dial_error("empty"):
        normalize_number(typed)


# --- compose_dial_string -----------------------------------------------------------------------


def test_it_composes_prefix_number_marker_and_code():
    assert compose_dial_string("3454565678", MOBILE, "123", PLAN) == "93454565678**123"


def test_compose_normalises_the_typed_number_first():
    assert compose_dial_string("+39 345 456 5678", MOBILE, "123", PLAN) == "93454565678**123"
    assert compose_dial_string("+44 20 7946 0958", MOBILE, None, PLAN) == "900442079460958"


@pytest.mark.parametrize("code", [None, ""])
def test_compose_without_a_code_adds_no_marker(code):
    assert compose_dial_string("3454565678", MOBILE, code, PLAN) == "93454565678"


def test_compose_uses_the_plans_marker():
    plan = DialPlan(trunks=(MOBILE,), marker="*0")

    assert compose_dial_string("3454565678", MOBILE, "123", plan) == "93454565678*0123"


def test_compose_keeps_the_prefix_of_a_trunk_that_does_not_strip_it():
    plan = DialPlan(trunks=(LANDLINE,))

    assert compose_dial_string("612345678", LANDLINE, "5", plan) == "0612345678**5"


@pytest.mark.parametrize("code", ["12 3", " 123", "12a", "1*2", "\uff11"])
def test_compose_refuses_a_code_that_is_not_digits_instead_of_cleaning_it(code):
    with raises_dial_error("code_not_digits") as caught:
        compose_dial_string("3454565678", MOBILE, code, PLAN)

    assert caught.value.params["client_code"] == code


def test_compose_refuses_a_bad_typed_number():
    with raises_dial_error("bad_character"):
        compose_dial_string("345 CALL ME", MOBILE, "1", PLAN)


def test_compose_for_an_internal_call_is_the_bare_extension():
    assert compose_dial_string("101", None, None, PLAN) == "101"


def test_compose_refuses_an_internal_call_to_a_number_that_is_not_an_extension():
    with raises_dial_error("not_internal") as caught:
        compose_dial_string("3454565678", None, None, PLAN)

    assert caught.value.params["internal_lengths"] == [3]


def test_compose_refuses_a_client_code_on_an_internal_call():
    with raises_dial_error("code_on_internal_call"):
        compose_dial_string("101", None, "12", PLAN)


def test_compose_refuses_an_extension_that_a_trunk_prefix_would_capture():
    with raises_dial_error("internal_shadowed_by_prefix"):
        compose_dial_string("901", None, None, PLAN)


def test_compose_refuses_a_trunk_without_a_prefix():
    with raises_dial_error("trunk_without_prefix"):
        compose_dial_string("3454565678", TrunkRule("", name="Default"), None, PLAN)


def test_compose_refuses_a_trunk_with_an_invalid_prefix():
    with raises_dial_error("bad_prefix"):
        compose_dial_string("3454565678", TrunkRule("9a"), None, PLAN)


def test_compose_refuses_an_invalid_marker_in_the_plan():
    with raises_dial_error("bad_marker"):
        compose_dial_string("3454565678", MOBILE, "1", DialPlan(trunks=(MOBILE,), marker="12"))


# --- validate_marker / validate_prefix ---------------------------------------------------------


@pytest.mark.parametrize("marker", ["**", "##", "*0", "#", "*", "0*", "*#*#", "#9", "9*9"])
def test_these_markers_are_accepted(marker):
    assert validate_marker(marker) is None


@pytest.mark.parametrize(
    "marker",
    ["", "0", "00", "123", "*****", "a*", "* ", "+*", " **", "\uff0a\uff0a", "*\uff10"],
)
def test_these_markers_are_refused_naming_the_marker(marker):
    with raises_dial_error("bad_marker") as caught:
        validate_marker(marker)

    assert repr(marker) in str(caught.value)
    assert caught.value.params == {"marker": marker}


@pytest.mark.parametrize("prefix", ["", "9", "0", "01", "123456"])
def test_these_prefixes_are_accepted(prefix):
    assert validate_prefix(prefix) is None


@pytest.mark.parametrize("prefix", ["1234567", "a", "9 ", " 9", "+9", "*", "9#", "\u0669"])
def test_these_prefixes_are_refused(prefix):
    with raises_dial_error("bad_prefix") as caught:
        validate_prefix(prefix)

    assert repr(prefix) in str(caught.value)


# --- prefix_conflicts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefixes", "expected"),
    [
        ([], []),
        (["9"], []),
        (["9", "8", "70"], []),
        (["1", "21"], []),
        (["", "9", ""], []),
        (["9", "90"], [("9", "90")]),
        (["90", "9"], [("9", "90")]),
        (["9", "9"], [("9", "9")]),
        (["9", "9", "9"], [("9", "9")]),
        (["9", "9", "90"], [("9", "9"), ("9", "90")]),
        (["9", "90", "901"], [("9", "90"), ("9", "901"), ("90", "901")]),
        (["8", "901", "9"], [("9", "901")]),
    ],
)
def test_prefix_conflicts_reports_prefixes_that_start_others_and_duplicates(prefixes, expected):
    assert prefix_conflicts(prefixes) == expected


def test_prefix_conflicts_accepts_any_iterable():
    assert prefix_conflicts(p for p in ("9", "90")) == [("9", "90")]


# --- DialError ---------------------------------------------------------------------------------


def test_a_dial_error_is_a_value_error_with_code_params_and_message():
    err = DialError("empty", "Nothing to dial.", value="")

    assert isinstance(err, ValueError)
    assert err.code == "empty"
    assert err.params == {"value": ""}
    assert str(err) == "Nothing to dial."


# --- properties --------------------------------------------------------------------------------

digit_strings = st.text(alphabet=DIGITS, min_size=6, max_size=12)
codes = st.none() | st.text(alphabet=DIGITS, min_size=1, max_size=6)
markers = st.sampled_from(["**", "##", "*0", "#"])
any_valid_marker = st.text(alphabet=DIGITS + "*#", min_size=1, max_size=4).filter(
    lambda m: "*" in m or "#" in m
)


def _is_prefix_free(prefixes):
    return all(
        not b.startswith(a)
        for i, a in enumerate(prefixes)
        for j, b in enumerate(prefixes)
        if i != j
    )


def _keep_prefix_free(prefixes):
    kept = []
    for p in prefixes:
        if _is_prefix_free([*kept, p]):
            kept.append(p)
    return kept


@st.composite
def prefix_free_trunks(draw):
    raw = draw(st.lists(st.text(alphabet=DIGITS, min_size=1, max_size=3), min_size=1, max_size=6))
    prefixes = _keep_prefix_free(raw)
    strips = draw(st.lists(st.booleans(), min_size=len(prefixes), max_size=len(prefixes)))
    return tuple(
        TrunkRule(p, strip_prefix=s, key=i, name=f"trunk {i}")
        for i, (p, s) in enumerate(zip(prefixes, strips, strict=True))
    )


@given(
    trunks=prefix_free_trunks(), data=st.data(), number=digit_strings, code=codes, marker=markers
)
def test_composing_then_parsing_gives_back_trunk_number_and_code(
    trunks, data, number, code, marker
):
    plan = DialPlan(trunks=trunks, marker=marker)
    trunk = data.draw(st.sampled_from(trunks))

    result = parse_dial_string(compose_dial_string(number, trunk, code, plan), plan)

    assert result.trunk == trunk
    assert result.is_internal is False
    assert result.billing_code == code
    expected_carrier = number if trunk.strip_prefix else trunk.prefix + number
    assert result.carrier_number == expected_carrier
    assert result.recorded_destination == expected_carrier + (marker + code if code else "")


@given(
    trunks=prefix_free_trunks(), data=st.data(), number=digit_strings, code=codes, marker=markers
)
def test_a_composed_string_is_prefix_then_number_then_marker_and_code(
    trunks, data, number, code, marker
):
    plan = DialPlan(trunks=trunks, marker=marker)
    trunk = data.draw(st.sampled_from(trunks))

    dialled = compose_dial_string(number, trunk, code, plan)

    assert dialled == trunk.prefix + number + (marker + code if code else "")
    assert dialled.count(marker) == (1 if code else 0)


@given(trunks=prefix_free_trunks(), extension=st.text(alphabet=DIGITS, min_size=2, max_size=4))
def test_composing_then_parsing_an_extension_gives_an_internal_call(trunks, extension):
    assume(not any(extension.startswith(t.prefix) for t in trunks))
    plan = DialPlan(trunks=trunks, internal_lengths=frozenset({2, 3, 4}))

    result = parse_dial_string(compose_dial_string(extension, None, None, plan), plan)

    assert result == DialResult(None, extension, None, extension, True)


@given(
    number=st.text(alphabet=DIGITS, min_size=1),
    code=st.text(alphabet=DIGITS, min_size=1),
    marker=any_valid_marker,
)
def test_any_valid_marker_splits_digits_unambiguously(number, code, marker):
    assert split_billing_code(number + marker + code, marker) == (number, code)


@given(
    chunks=st.lists(st.text(alphabet=DIGITS, min_size=1, max_size=4), min_size=1, max_size=6),
    separators=st.lists(st.sampled_from([" ", ".", "-", "/", "\u00a0", " - "]), min_size=6),
)
def test_a_typed_number_with_separators_normalises_to_its_digits(chunks, separators):
    typed = "".join(c + s for c, s in zip(chunks, separators, strict=False))
    digits = "".join(chunks)
    # 0039 is Italy's code written the long way: it is dropped, like +39 (tested below).
    assume(not digits.startswith("0039"))

    assert normalize_number(typed) == digits


@given(national=st.text(alphabet=DIGITS, min_size=1, max_size=12))
def test_a_number_with_the_home_country_code_is_the_national_number(national):
    assert normalize_number("+39 " + national) == national


@given(international=st.text(alphabet=DIGITS, min_size=1, max_size=14))
def test_a_number_with_a_foreign_country_code_gets_the_international_prefix(international):
    assume(not international.startswith("39"))

    assert normalize_number("+" + international) == "00" + international


@given(typed=st.text(max_size=20))
def test_normalising_anything_gives_ascii_digits_or_a_dial_error(typed):
    try:
        digits = normalize_number(typed)
    except DialError as err:
        assert err.code in {"bad_character", "empty"}
    else:
        assert digits and set(digits) <= set(DIGITS)


@given(dialled=st.text(alphabet=DIGITS + "*#+ .-a", max_size=20), marker=markers)
def test_parsing_anything_gives_a_result_or_a_dial_error(dialled, marker):
    plan = DialPlan(trunks=(MOBILE, TrunkRule("80", strip_prefix=False)), marker=marker)
    try:
        result = parse_dial_string(dialled, plan)
    except DialError as err:
        assert str(err)
    else:
        assert set(result.carrier_number) <= set(DIGITS)
        assert result.is_internal == (result.trunk is None)


@given(
    dialled=st.text(alphabet=DIGITS, min_size=2, max_size=12),
    noise=st.lists(st.sampled_from([" ", ".", "-"]), min_size=1, max_size=5),
    data=st.data(),
)
def test_spaces_dots_and_dashes_never_change_how_a_string_is_read(dialled, noise, data):
    positions = data.draw(
        st.lists(st.integers(0, len(dialled)), min_size=len(noise), max_size=len(noise))
    )
    noisy = dialled
    for pos, sep in sorted(zip(positions, noise, strict=True), reverse=True):
        noisy = noisy[:pos] + sep + noisy[pos:]
    plan = DialPlan(trunks=(MOBILE,))

    assert _outcome(noisy, plan) == _outcome(dialled, plan)


def _outcome(dialled, plan):
    try:
        result = parse_dial_string(dialled, plan)
    except DialError as err:
        return err.code
    return (result.trunk, result.carrier_number, result.billing_code, result.is_internal)


@given(prefixes=st.lists(st.text(alphabet=DIGITS, min_size=1, max_size=3), max_size=6))
def test_prefix_conflicts_is_empty_exactly_for_prefix_free_sets(prefixes):
    assert (prefix_conflicts(prefixes) == []) == _is_prefix_free(prefixes)


@given(prefixes=st.lists(st.text(alphabet=DIGITS, min_size=1, max_size=3), max_size=6))
def test_every_reported_conflict_is_a_real_one_between_given_prefixes(prefixes):
    for shorter, longer in prefix_conflicts(prefixes):
        assert shorter in prefixes and longer in prefixes
        assert longer.startswith(shorter)
        assert shorter != longer or prefixes.count(shorter) > 1


def test_the_helper_dials_an_extension_as_it_is_without_trunk_or_code():
    plan = DialPlan(trunks=(MOBILE,))
    assert compose_for_helper("114", MOBILE, "123", plan) == HelperDial("114", internal=True)
    assert compose_for_helper("345 456 5678", MOBILE, "123", plan) == HelperDial(
        "93454565678**123", internal=False
    )


def test_the_helper_still_refuses_an_extension_a_trunk_prefix_would_take():
    plan = DialPlan(trunks=(MOBILE,))
    with pytest.raises(DialError) as caught:
        compose_for_helper("912", MOBILE, "123", plan)
    assert caught.value.code == "internal_shadowed_by_prefix"
