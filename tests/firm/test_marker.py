"""The billing marker's pure rules (firm.lib.marker): the history kept when it changes."""

from firm.lib.marker import MAX_FORMER_MARKERS, marker_history_with


def test_the_replaced_marker_comes_first_in_the_history():
    assert marker_history_with((), old="**", new="##") == ("**",)
    assert marker_history_with(("**",), old="##", new="*0") == ("##", "**")


def test_an_unchanged_marker_leaves_the_history_alone():
    assert marker_history_with(("**",), old="##", new="##") == ("**",)


def test_the_marker_in_use_is_never_a_former_one_and_none_appears_twice():
    assert marker_history_with(("##", "**"), old="*0", new="**") == ("*0", "##")
    assert marker_history_with(("##",), old="##", new="**") == ("##",)


def test_the_history_keeps_the_newest_markers_only():
    former = tuple(f"*{n}" for n in range(MAX_FORMER_MARKERS))
    history = marker_history_with(former, old="##", new="**")
    assert len(history) == MAX_FORMER_MARKERS
    assert history[:2] == ("##", "*0")
