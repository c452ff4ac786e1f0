"""Durations in words for sentences (e-mails): firm.lib.formats.format_duration_words. Pure."""

import pytest

from firm.lib.formats import format_duration_words


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (22_320, "6 h 12 min"),
        (2_160, "36 min"),
        (7_200, "2 h"),
        (65, "1 min 5 s"),
        (3_605, "1 h 5 s"),
        (5, "5 s"),
        (0, "0 min"),
        (None, "0 min"),
        (360_000, "100 h"),
    ],
)
def test_a_duration_reads_in_hours_minutes_and_seconds_leaving_out_zeros(seconds, words):
    assert format_duration_words(seconds) == words
