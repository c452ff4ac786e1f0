"""Behaviour of calls.matching: a CDR record read into the values of one call."""

import itertools
import pickle
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from calls.cdr import CdrRecord, detect_format, parse
from calls.dialing import (
    DialError,
    DialPlan,
    TrunkRule,
    compose_dial_string,
    prefix_conflicts,
)
from calls.matching import (
    CALLER_MAX,
    CALLER_NAME_MAX,
    CODE_MAX,
    DESTINATION_MAX,
    DIALLED_MAX,
    PBX_TRUNK_MAX,
    CallValues,
    MatchError,
    MatchRules,
    match_record,
    trunk_for_identifier,
)
from tests.calls.pbx_model import parse_dial_string
from tests.conftest import SAMPLES

DIGITS = "0123456789"

CELLULAR = TrunkRule("9", strip_prefix=True, key="cellular", name="GSM gateway")
LANDLINE = TrunkRule("0", strip_prefix=False, key="landline", name="Landline, prefix kept")
PLAN = DialPlan(trunks=(CELLULAR, LANDLINE))
IDENTIFIERS = {"10000": "voip", "10001": "cellular", "SIP/gsm": "gsm"}
RULES = MatchRules(PLAN, IDENTIFIERS)

START = datetime(2024, 6, 17, 9, 0, tzinfo=UTC)
# An outbound 3CX call from extension 114 to a mobile number, no code, no trunk identifier.
BASE = CdrRecord(
    line_number=7,
    raw="Call 1,...",
    pbx_call_id="3cx:1",
    start=START,
    answered=START + timedelta(seconds=5),
    end=START + timedelta(seconds=65),
    talk_seconds=60,
    ring_seconds=5,
    caller="114",
    caller_name="Avv. Rossi",
    caller_type="extension",
    called="3454565678",
    called_type="line",
    dialled="3454565678",
    final_number="3454565678",
    final_type="line",
    trunk_identifier="",
    billing_code="",
    cost=Decimal("0.43"),
    status="answered",
    termination="TerminatedBySrc",
)


def record(**changes) -> CdrRecord:
    """The base outbound record with some values changed."""
    return replace(BASE, **changes)


def untyped(**changes) -> CdrRecord:
    """A record without types, as Asterisk and headered CSV files give them."""
    values = {"caller_type": "", "called_type": "", "final_type": "", "final_number": ""}
    values.update(changes)
    return record(**values)


def match(rec: CdrRecord, rules: MatchRules = RULES) -> CallValues:
    return match_record(rec, rules)


# --- billing code and destination ---------------------------------------------------------------


def test_the_prefix_is_stripped_and_the_code_kept_in_the_destination():
    values = match(record(dialled="93454565678**123"))

    assert values.trunk_key == "cellular"
    assert values.dialled_number == "3454565678"
    assert values.destination == "3454565678**123"
    assert values.billing_code == "123"
    assert values.direction == "outbound"


def test_a_destination_recorded_already_stripped_takes_its_trunk_from_the_identifier():
    values = match(record(dialled="3454565678**123", trunk_identifier="10001"))

    assert values.trunk_key == "cellular"
    assert values.pbx_trunk == "10001"
    assert values.dialled_number == "3454565678"
    assert values.destination == "3454565678**123"
    assert values.billing_code == "123"


def test_a_code_only_in_the_bill_code_column_is_added_to_the_destination():
    values = match(record(dialled="3454565678", billing_code="123"))

    assert values.billing_code == "123"
    assert values.dialled_number == "3454565678"
    assert values.destination == "3454565678**123"


def test_the_bill_code_column_wins_over_another_code_in_the_dial_string():
    values = match(record(dialled="93454565678**456", billing_code="123"))

    assert values.billing_code == "123"
    assert values.dialled_number == "3454565678"
    assert values.destination == "3454565678**123"


@pytest.mark.parametrize(
    ("dialled", "called", "final_number", "code"),
    [
        ("3454565678", "3454565678**123", "3454565678", "123"),
        ("3454565678", "3454565678", "3454565678**77", "77"),
        ("3454565678**1", "3454565678**2", "3454565678**3", "1"),
        ("3454565678**12a", "3454565678**2", "", "2"),
        ("", "3454565678**55", "", "55"),
    ],
    ids=["from-called", "from-final", "dialled-first", "first-well-formed", "dialled-empty"],
)
def test_without_a_bill_code_the_first_well_formed_marker_gives_the_code(
    dialled, called, final_number, code
):
    values = match(record(dialled=dialled, called=called, final_number=final_number))

    assert values.billing_code == code
    assert values.dialled_number == "3454565678"
    assert values.destination == f"3454565678**{code}"


@pytest.mark.parametrize(
    "dialled",
    ["3454565678**12a", "3454565678**1**2", "3454565678**", "3454565678***123", "**"],
)
def test_a_malformed_suffix_keeps_the_call_without_a_code_and_as_recorded(dialled):
    values = match(record(dialled=dialled, called=dialled, final_number=dialled))

    assert values.billing_code == ""
    assert values.destination == dialled
    assert values.dialled_number == dialled


def test_a_code_longer_than_the_limit_is_part_of_the_number():
    too_long = "3454565678**" + "1" * (CODE_MAX + 1)
    longest = "3454565678**" + "1" * CODE_MAX

    kept = match(record(dialled=too_long, called="3454565678", final_number=""))
    read = match(record(dialled=longest))

    assert (kept.billing_code, kept.destination, kept.dialled_number) == ("", too_long, too_long)
    assert (read.billing_code, read.destination) == ("1" * CODE_MAX, longest)


def test_a_bill_code_column_longer_than_the_limit_rejects_the_line_naming_the_field():
    with pytest.raises(MatchError) as error:
        match(record(dialled="3454565678**55", billing_code="1" * 50))

    assert error.value.field == "bill-code"
    assert error.value.reason == (
        f"field bill-code gives a client code 50 digits long, more than {CODE_MAX}"
    )


def test_a_trunk_that_keeps_its_prefix_keeps_it_in_number_and_destination():
    values = match(record(dialled="00232354095**55"))

    assert values.trunk_key == "landline"
    assert values.dialled_number == "00232354095"
    assert values.destination == "00232354095**55"


def test_with_another_marker_two_stars_are_just_characters():
    rules = MatchRules(DialPlan(trunks=(CELLULAR,), marker="##"), IDENTIFIERS)

    hashed = match(record(dialled="93454565678##123"), rules)
    starred = match(record(dialled="3454**123", called="3454**123"), rules)

    assert (hashed.billing_code, hashed.destination) == ("123", "3454565678##123")
    assert hashed.trunk_key == "cellular"
    assert (starred.billing_code, starred.destination) == ("", "3454**123")


def test_an_invalid_marker_is_refused_when_the_rules_are_built():
    with pytest.raises(DialError):
        MatchRules(DialPlan(marker="123"), {})


# --- trunk ----------------------------------------------------------------------------------


def test_a_number_on_a_trunk_named_by_its_identifier_is_never_stripped_again():
    # The PBX recorded the number after its own rule; 0232… must not lose its 0 to a '0' rule.
    rules = MatchRules(DialPlan(trunks=(TrunkRule("0", key="landline"),)), {"10002": "landline"})
    values = match_record(record(dialled="0232354095**123", trunk_identifier="10002"), rules)

    assert (values.trunk_key, values.dialled_number) == ("landline", "0232354095")
    assert values.destination == "0232354095**123"


def test_a_prefix_of_another_trunk_than_the_identifiers_is_part_of_the_number():
    values = match(record(dialled="93454565678", trunk_identifier="10000"))

    assert values.trunk_key == "voip"
    assert values.dialled_number == "93454565678"


def test_a_prefix_with_nothing_after_it_selects_no_trunk():
    values = match(record(dialled="9**123", called="9"))

    assert values.trunk_key is None
    assert (values.dialled_number, values.destination) == ("9", "9**123")


def test_the_longest_prefix_wins_when_prefixes_conflict():
    short, long = TrunkRule("9", key="short"), TrunkRule("90", key="long")
    rules = MatchRules(DialPlan(trunks=(short, long)), {})

    values = match(record(dialled="903454565678"), rules)

    assert (values.trunk_key, values.dialled_number) == ("long", "3454565678")


@pytest.mark.parametrize(
    ("identifier", "key"),
    [
        ("SIP/gsm", "gsm"),
        ("SIP/gsm-0000001a", "gsm"),
        ("SIP/gsm/3454565678", "gsm"),
        ("SIP/gsm@provider", "gsm"),
        ("SIP/gsm;2", "gsm"),
        ("SIP/gsm.backup", "gsm"),
        ("SIP/gsmx-1", None),
        ("sip/gsm-1", None),
        ("PJSIP/gsm-1", None),
        ("NOT_AVAILABLE", None),
        ("", None),
        ("10001", "cellular"),
        ("10001-1", None),
    ],
)
def test_an_identifier_matches_exactly_or_as_a_channel_up_to_a_boundary(identifier, key):
    assert trunk_for_identifier(identifier, IDENTIFIERS) == key
    assert match(untyped(caller="0611360468", trunk_identifier=identifier)).trunk_key == key


def test_the_longest_channel_identifier_wins():
    identifiers = {"SIP/gsm": "first", "SIP/gsm-backup": "backup"}

    assert trunk_for_identifier("SIP/gsm-backup-00000002", identifiers) == "backup"
    assert trunk_for_identifier("SIP/gsm-00000002", identifiers) == "first"


def test_an_empty_identifier_or_one_mapped_to_none_matches_nothing():
    identifiers = {"": "blank", "10002": None}

    assert trunk_for_identifier("", identifiers) is None
    assert trunk_for_identifier("10002", identifiers) is None


@pytest.mark.parametrize("identifier", ["EndCall", "MakeCall", "PlayFile", "0608584692"])
def test_3cx_pseudo_identifiers_match_no_trunk_but_are_kept(identifier):
    values = match(
        record(dialled="0232354095", trunk_identifier=identifier), MatchRules(DialPlan())
    )

    assert values.trunk_key is None
    assert values.pbx_trunk == identifier


def test_the_rules_are_a_snapshot_of_the_identifiers():
    identifiers = {"10001": "cellular"}
    rules = MatchRules(DialPlan(), identifiers)
    identifiers["10000"] = "voip"

    assert match(record(trunk_identifier="10000"), rules).trunk_key is None


# --- direction --------------------------------------------------------------------------------


def test_an_internal_call_with_a_code_stays_internal_and_keeps_the_code():
    call_11315 = record(
        called="700",
        called_type="extension",
        dialled="700**114",
        final_number="700",
        final_type="extension",
        billing_code="114",
    )
    rules = MatchRules(DialPlan(trunks=(TrunkRule("7", key="seven"),)), IDENTIFIERS)

    values = match(call_11315, rules)

    assert values.direction == "internal"
    assert values.billing_code == "114"
    assert values.destination == "700**114"
    assert values.dialled_number == "700"
    assert values.trunk_key is None


def test_an_inbound_call_is_to_the_extension_called_on_the_identifier_trunk():
    values = match(
        record(
            caller="0611360468",
            caller_type="line",
            called="610",
            called_type="extension",
            dialled="0230001",
            final_number="185",
            final_type="extension",
            trunk_identifier="10000",
        )
    )

    assert values.direction == "inbound"
    assert values.caller == "0611360468"
    assert values.destination == "610"
    assert values.trunk_key == "voip"


def test_a_queue_calling_a_line_is_outbound_and_the_final_type_stands_in_for_a_missing_one():
    queue = match(record(caller="800", caller_type="queue"))
    final = match(record(called_type="", final_type="line"))

    assert (queue.direction, final.direction) == ("outbound", "outbound")


def test_an_untyped_extension_calling_out_through_a_channel_trunk_is_outbound():
    values = match(untyped(caller="201", dialled="3454565678", trunk_identifier="SIP/gsm-0000001a"))

    assert (values.direction, values.trunk_key) == ("outbound", "gsm")


def test_an_untyped_extension_calling_a_short_number_through_a_trunk_is_outbound():
    values = match(untyped(caller="201", dialled="112", trunk_identifier="SIP/gsm-0000001a"))

    assert (values.direction, values.trunk_key, values.destination) == ("outbound", "gsm", "112")


def test_an_untyped_extension_dialling_a_prefix_is_outbound_through_that_trunk():
    values = match(
        untyped(caller="201", dialled="93454565678**123", trunk_identifier="NOT_AVAILABLE")
    )

    assert values.direction == "outbound"
    assert values.trunk_key == "cellular"
    assert values.destination == "3454565678**123"


def test_an_untyped_extension_calling_a_long_number_without_trunk_is_outbound():
    values = match(untyped(caller="201", dialled="3454565678"))

    assert (values.direction, values.trunk_key) == ("outbound", None)


@pytest.mark.parametrize("caller", ["0611360468", "+390611360468", "anonymous", ""])
def test_an_untyped_call_from_an_outside_or_withheld_number_is_inbound(caller):
    values = match(
        untyped(caller=caller, called="201", dialled="201", trunk_identifier="SIP/gsm-00000001")
    )

    assert values.direction == "inbound"
    assert values.destination == "201"
    assert values.trunk_key == "gsm"


@pytest.mark.parametrize("dialled", ["202", "700", "*97", "s"])
def test_an_untyped_call_from_an_extension_to_an_extension_or_feature_code_is_internal(dialled):
    rules = MatchRules(DialPlan(trunks=(TrunkRule("7", key="seven"),)), IDENTIFIERS)

    values = match(untyped(caller="201", dialled=dialled, trunk_identifier="SIP/201-1"), rules)

    assert values.direction == "internal"
    assert (values.destination, values.trunk_key) == (dialled, None)


def test_a_prefix_wins_over_an_internal_length_when_the_record_says_outbound():
    four_digits = MatchRules(DialPlan(trunks=(CELLULAR,), internal_lengths=frozenset({4})), {})

    typed = match(record(dialled="9112"), four_digits)
    guessed = match(untyped(caller="2011", dialled="9112"), four_digits)

    assert (typed.trunk_key, typed.dialled_number) == ("cellular", "112")
    assert (guessed.direction, guessed.trunk_key, guessed.destination) == (
        "internal",
        None,
        "9112",
    )


# --- limits and values ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "length", "limit"),
    [
        ({"dialled": "3" * 81}, "dial-no", 81, DESTINATION_MAX),
        ({"dialled": "3" * 65}, "dial-no", 65, DIALLED_MAX),
        ({"dialled": "3" * 75, "billing_code": "1234567"}, "dial-no", 84, DESTINATION_MAX),
        ({"dialled": "", "called": "3" * 81}, "to-no", 81, DESTINATION_MAX),
        ({"dialled": "", "called": "", "final_number": "3" * 70}, "final-number", 70, 64),
        ({"caller": "1" * 65}, "from-no", 65, CALLER_MAX),
        ({"trunk_identifier": "x" * 101}, "to-dn", 101, PBX_TRUNK_MAX),
        (
            {"caller_type": "line", "called_type": "extension", "trunk_identifier": "x" * 101},
            "from-dn",
            101,
            PBX_TRUNK_MAX,
        ),
    ],
    ids=[
        "destination",
        "dialled-number",
        "destination-with-code",
        "called",
        "final-number",
        "caller",
        "trunk",
        "trunk-inbound",
    ],
)
def test_a_value_too_long_for_its_column_is_refused_naming_the_field(changes, field, length, limit):
    with pytest.raises(MatchError) as caught:
        match(record(**changes))

    assert caught.value.field == field
    assert f"field {field}" in caught.value.reason
    assert f"{length} characters long, more than {limit}" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_a_match_error_survives_pickling_with_its_field_and_reason():
    error = pickle.loads(pickle.dumps(MatchError("dial-no", "too_long", length=97, limit=80)))

    assert (error.field, error.reason, str(error)) == (
        "dial-no",
        "field dial-no is 97 characters long, more than 80",
        "field dial-no is 97 characters long, more than 80",
    )


def test_values_at_their_limits_are_accepted():
    values = match(
        record(
            dialled="3" * DIALLED_MAX + "**" + "1" * CODE_MAX,
            caller="1" * CALLER_MAX,
            trunk_identifier="x" * PBX_TRUNK_MAX,
        )
    )
    plain = match(record(dialled="3" * DIALLED_MAX))

    assert len(values.dialled_number) == DIALLED_MAX
    assert values.billing_code == "1" * CODE_MAX
    assert len(values.caller) == CALLER_MAX
    assert len(values.pbx_trunk) == PBX_TRUNK_MAX
    assert plain.destination == "3" * DIALLED_MAX


def test_a_long_caller_name_is_cut_not_refused():
    values = match(record(caller_name="N" * (CALLER_NAME_MAX + 50)))

    assert values.caller_name == "N" * CALLER_NAME_MAX


def test_the_record_values_are_handed_over_unchanged():
    values = match(record(status="busy", cost=None))

    assert values == CallValues(
        pbx_call_id="3cx:1",
        source_line=7,
        start=BASE.start,
        answered=BASE.answered,
        end=BASE.end,
        talk_seconds=60,
        ring_seconds=5,
        caller="114",
        caller_name="Avv. Rossi",
        destination="3454565678",
        dialled_number="3454565678",
        billing_code="",
        trunk_key=None,
        pbx_trunk="",
        direction="outbound",
        status="busy",
        cost=None,
    )
    assert hash(values) == hash(values._replace())
    with pytest.raises(AttributeError):
        values.caller = "x"


# --- property: what staff dial is read back -------------------------------------------------


@given(
    prefixes=st.lists(st.text(DIGITS, min_size=1, max_size=3), min_size=1, max_size=4),
    strips=st.lists(st.booleans(), min_size=4, max_size=4),
    choice=st.integers(min_value=0, max_value=3),
    number=st.text(DIGITS, min_size=1, max_size=15),
    code=st.one_of(st.just(""), st.text(DIGITS, min_size=1, max_size=CODE_MAX)),
    marker=st.sampled_from(["**", "##", "*", "#", "*0", "#9#"]),
    with_identifier=st.booleans(),
)
def test_a_composed_dial_string_is_read_back_to_its_trunk_number_and_code(
    prefixes, strips, choice, number, code, marker, with_identifier
):
    assume(not prefix_conflicts(prefixes))
    trunks = tuple(
        TrunkRule(prefix, strip, key=f"trunk-{i}")
        for i, (prefix, strip) in enumerate(zip(prefixes, strips, strict=False))
    )
    trunk = trunks[choice % len(trunks)]
    plan = DialPlan(trunks=trunks, marker=marker)
    dialled = compose_dial_string(number, trunk, code, plan)
    expected = parse_dial_string(dialled, plan)
    identifiers = {"10001": trunk.key} if with_identifier else {}
    if with_identifier:  # the PBX names the trunk and records the number after its rule
        dialled = expected.recorded_destination

    values = match_record(
        record(dialled=dialled, called=expected.carrier_number, trunk_identifier="10001"),
        MatchRules(plan, identifiers),
    )

    assert values.trunk_key == trunk.key
    assert values.dialled_number == expected.carrier_number
    assert values.dialled_number == (number if trunk.strip_prefix else trunk.prefix + number)
    assert values.billing_code == code
    assert values.destination == expected.recorded_destination
    assert values.direction == "outbound"


# --- the real samples -----------------------------------------------------------------------

SAMPLE_FILES = sorted(SAMPLES.rglob("*.csv")) + sorted(SAMPLES.rglob("*.log"))


def matched_sample(path: Path) -> list[CallValues]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        fmt = detect_format(list(itertools.islice(handle, 50)))
    rules = MatchRules(DialPlan(), {"10000": "voip", "10001": "cellular"})
    with open(path, encoding="utf-8-sig", newline="") as handle:
        items = list(parse(handle, fmt, ZoneInfo("Europe/Rome")))
    return [match_record(item, rules) for item in items if isinstance(item, CdrRecord)]


@pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"no CDR samples in {SAMPLES}")
@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda path: path.name)
def test_every_sample_record_is_matched(path):
    calls = matched_sample(path)

    assert calls
    assert {call.direction for call in calls} <= {"outbound", "internal", "inbound"}
    assert all(call.trunk_key in (None, "voip", "cellular") for call in calls)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"no CDR samples in {SAMPLES}")
def test_the_v16_sample_has_plausible_directions_trunks_and_the_coded_call():
    calls = matched_sample(SAMPLES / "3cx" / "v16-excel-export-1404-calls.csv")
    by_id = {call.pbx_call_id: call for call in calls}
    directions = Counter(call.direction for call in calls)

    coded = by_id["3cx:11315"]
    assert (coded.billing_code, coded.destination, coded.direction) == (
        "114",
        "700**114",
        "internal",
    )
    assert min(directions["outbound"], directions["inbound"], directions["internal"]) > 0
    assert by_id["3cx:9748"].direction == "outbound"
    assert by_id["3cx:9748"].trunk_key == "cellular"
    assert by_id["3cx:9748"].destination == "0232354095"
    assert by_id["3cx:9744"].direction == "inbound"
    assert by_id["3cx:9744"].trunk_key == "voip"
    assert all(call.trunk_key == "cellular" for call in calls if call.pbx_trunk == "10001")
    assert [call.pbx_call_id for call in calls if call.billing_code] == ["3cx:11315"]


# --- former billing markers -------------------------------------------------------------------

HASH_PLAN = DialPlan(marker="##")
AFTER_CHANGE = MatchRules(HASH_PLAN, IDENTIFIERS, former_markers=("**",))


def _call_11315(**changes) -> CdrRecord:
    values = dict(
        caller_type="extension",
        called="700",
        called_type="extension",
        dialled="700**114",
        final_number="700",
        final_type="extension",
        billing_code="114",
    )
    values.update(changes)
    return record(**values)


def test_a_code_under_a_former_marker_gets_no_second_code():
    values = match(_call_11315(), AFTER_CHANGE)

    assert (values.billing_code, values.destination, values.dialled_number) == (
        "114",
        "700**114",
        "700",
    )


def test_without_the_history_the_old_marker_is_just_text():
    values = match(_call_11315(), MatchRules(HASH_PLAN, IDENTIFIERS))

    assert values.destination == "700**114##114"  # what the history is there to prevent


def test_a_code_after_a_former_marker_is_read_when_the_column_is_empty():
    values = match(record(dialled="3454565678**123", billing_code=""), AFTER_CHANGE)

    assert (values.billing_code, values.destination, values.dialled_number) == (
        "123",
        "3454565678**123",
        "3454565678",
    )


def test_the_current_marker_wins_over_a_former_one():
    rules = MatchRules(HASH_PLAN, IDENTIFIERS, former_markers=("**",))

    values = match(record(dialled="3454565678##123", billing_code=""), rules)

    assert (values.billing_code, values.destination) == ("123", "3454565678##123")


def test_a_number_without_any_marker_gets_the_current_one():
    values = match(record(dialled="3454565678", billing_code="123"), AFTER_CHANGE)

    assert values.destination == "3454565678##123"


def test_the_marker_followed_by_the_columns_code_is_the_one_kept():
    rules = MatchRules(DialPlan(marker="*0"), IDENTIFIERS, former_markers=("**",))

    values = match(record(dialled="345**0123", billing_code="0123"), rules)

    assert (values.destination, values.dialled_number) == ("345**0123", "345")


def test_a_malformed_suffix_under_a_former_marker_still_ends_the_number():
    values = match(record(dialled="345**12a", billing_code="123"), AFTER_CHANGE)

    assert (values.destination, values.dialled_number) == ("345**123", "345")


def test_a_former_marker_like_the_current_one_or_repeated_is_dropped():
    rules = MatchRules(HASH_PLAN, IDENTIFIERS, former_markers=("##", "**", "**"))

    assert rules._formers == ("**",)


def test_a_bad_former_marker_is_refused():
    with pytest.raises(DialError):
        MatchRules(HASH_PLAN, IDENTIFIERS, former_markers=("12",))


@given(
    number=st.text(DIGITS, min_size=1, max_size=12),
    code=st.text(DIGITS, min_size=1, max_size=CODE_MAX),
    old=st.sampled_from(["**", "*0", "#", "*9#"]),
    new=st.sampled_from(["##", "#0", "*#", "*"]),
    in_column=st.booleans(),
)
def test_a_destination_never_carries_two_codes_after_a_marker_change(
    number, code, old, new, in_column
):
    assume(old != new)
    dialled = number + old + code
    rules = MatchRules(DialPlan(marker=new), IDENTIFIERS, former_markers=(old,))

    values = match(record(dialled=dialled, billing_code=code if in_column else ""), rules)

    assert values.destination == dialled  # one code, as dialled: never a second one
    if in_column or new not in dialled:
        # (Where the current marker appears too, the string is ambiguous and the current marker
        # reads it: '0*00' under '*' is code 00, under '*0' 0; '0*9#00' under '#0' is code 0.)
        assert values.billing_code == code
