"""The other PBXs' fast paths give exactly what their general paths give: LocalTimes (a zone
offset looked up once per local hour) against fast_time, and the Avaya SMDR fast converter
against ``avaya_smdr._record`` on random valid and invalid records."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from calls.cdr import CdrRejection, avaya_smdr
from calls.cdr._common import FieldError, LocalTimes, RunCounter, fast_time

ZONES = ["Europe/Rome", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"]


@settings(max_examples=500, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    moment=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    shape=st.sampled_from(["ok", "ok", "ok", "hour24", "garbage"]),
)
@example(zone="Europe/Rome", moment=datetime(2024, 3, 31, 2, 30), shape="ok")  # skipped hour
@example(zone="Europe/Rome", moment=datetime(2024, 10, 27, 2, 30), shape="ok")  # twice
@example(zone="Australia/Lord_Howe", moment=datetime(2024, 4, 7, 1, 45), shape="ok")  # :30
@example(zone="Europe/Rome", moment=datetime(1, 1, 1, 0, 30), shape="ok")
def test_local_times_are_fast_times(zone, moment, shape):
    tz = ZoneInfo(zone)
    text = f"{moment:%Y-%m-%d %H:%M:%S}".rjust(19, "0")
    if shape == "hour24":
        text = text[:11] + "24" + text[13:]
    elif shape == "garbage":
        text = text[:5] + "x" + text[6:]
    local = LocalTimes(tz)
    # twice: once filling the hour's offset, once reading it back; then a neighbour
    assert local(text) == fast_time(text, tz)
    assert local(text) == fast_time(text, tz)
    neighbour = f"{moment + timedelta(minutes=17):%Y-%m-%d %H:%M:%S}"
    assert local(neighbour) == fast_time(neighbour, ZoneInfo(zone))


def _general(line_number, text, fields, tz, runs):
    try:
        return avaya_smdr._record(line_number, text, fields, tz, runs)
    except FieldError as error:
        return CdrRejection(line_number, text, error.field, error.code, error.params)


field = st.sampled_from(
    [
        "",
        "0",
        "1",
        "12",
        " 7 ",
        "x",
        "00:01:05",
        "1:00:00",
        "99:99:99",
        "I",
        "O",
        " O",
        "T9001",
        "E201",
        "Mario Rossi",
        "Rossi\xa0",
        "\t123",
        "2024/12/02 10:00:00",
        "2024/02/30 10:00:00",
        "2024-12-02 10:00:00",
        "5.12",
        "abc",
        "123456",
        "9999999",
    ]
)


@settings(max_examples=600, deadline=None)
@given(
    fields=st.lists(field, min_size=17, max_size=35),
    start=st.sampled_from(
        [
            "2024/12/02 10:00:00",
            "2024/03/31 02:30:00",
            " 2024/12/02 10:00:00",
            "2024/13/02 10:00:00",
            "",
        ]
    ),
    connected=st.sampled_from(["00:05:00", "00:00:00", "0:00:07", "", "5:00", "x"]),
    direction=st.sampled_from(["I", "O", "", "X", " I"]),
)
def test_avaya_records_read_as_the_general_path_reads_them(fields, start, connected, direction):
    fields[0], fields[1], fields[4] = start, connected, direction
    text = ",".join(fields)
    tz = ZoneInfo("Europe/Rome")
    fast = list(avaya_smdr.parse_avaya_smdr([text + "\n", text + "\n"], tz))
    runs = RunCounter()
    general = [_general(n, text, list(fields), tz, runs) for n in (1, 2)]
    assert fast == general
