"""One bad value anywhere in a file never stops an import: it becomes a rejected line (file,
line, field, reason, raw text with NUL shown escaped), every good line around it is
imported, the counts add up, and importing the file again adds nothing."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from calls.cdr.synthetic import threecx_lines
from calls.importing import services
from calls.importing.files import inspect_cdr_file
from calls.importing.services import cdr_import
from calls.models import Call, ImportRun, RejectedLine
from tests.calls.cdr.helpers import threecx_line

GOOD_LINES = 3000
POISON_AT = 1700  # after the first batch (BATCH_SIZE is 1,000 here)
FIRST_POISON_ID = 900_000


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 1000)


def poison(history_id: int, **changes) -> str:
    return threecx_line(historyid=f"Call {history_id}", **changes)


# (name, the poisoned line's bytes, the field named, words of the reason)
POISONS = [
    (
        "NUL in a field",
        poison(FIRST_POISON_ID, from_dispname="Ros\x00si").encode(),
        "from-dispname",
        "NUL byte",
    ),
    (
        "historyid longer than the column",
        poison(FIRST_POISON_ID + 1)
        .replace(f"Call {FIRST_POISON_ID + 1}", "Call " + "7" * 200)
        .encode(),
        "historyid",
        "more than 100",
    ),
    (
        "end before start",
        poison(FIRST_POISON_ID + 2, time_end="2020/05/04 10:00:00").encode(),
        "time-end",
        "before the start",
    ),
    (
        "start in year 1",
        poison(
            FIRST_POISON_ID + 3,
            time_start="0001/01/01 00:00:00",
            time_answered="",
            time_end="",
            duration="",
        ).encode(),
        "time-start",
        "not a plausible time",
    ),
    (
        "start in year 9999",
        poison(
            FIRST_POISON_ID + 4,
            time_start="9999/12/31 23:00:00",
            time_answered="9999/12/31 23:00:01",
            time_end="9999/12/31 23:00:02",
        ).encode(),
        "time-start",
        "not a plausible time",
    ),
    (
        "talk time of 99,999,999 hours",
        poison(FIRST_POISON_ID + 5, duration="99999999:00:00").encode(),
        "duration",
        "more than a call may last",
    ),
    (
        "cost of a million",
        poison(FIRST_POISON_ID + 6, bill_cost="1000000").encode(),
        "bill-cost",
        "not below 1000000",
    ),
    (
        "bill code of 50 digits",
        poison(FIRST_POISON_ID + 7, bill_code="1" * 50).encode(),
        "bill-code",
        "50 digits long",
    ),
]


def _good_lines(count: int = GOOD_LINES) -> list[bytes]:
    start = datetime(2026, 3, 2, 8, tzinfo=UTC)
    return [
        line.encode() for line in threecx_lines(count, start=start, client_codes=["123", "456"])
    ]


def _file(tmp_path, poisons: list[bytes], *, tail: bytes = b"") -> tuple:
    lines = _good_lines()
    for offset, line in enumerate(poisons):
        lines.insert(POISON_AT + offset * 37, line)
    path = tmp_path / "cdr.log"
    path.write_bytes(b"".join(lines) + tail)
    return path, len(lines)


def _import(path):
    return cdr_import(cdr_file=inspect_cdr_file(path))


def _assert_adds_up(summary, lines: int):
    run = summary.run
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FINISHED
    assert (run.lines_read, run.imported, run.duplicates, run.rejected) == (
        summary.lines_read,
        summary.imported,
        summary.duplicates,
        summary.rejected,
    )
    assert run.lines_read == lines == run.imported + run.duplicates + run.rejected


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "line", "field", "words"), POISONS, ids=[p[0] for p in POISONS])
def test_a_poisoned_line_is_rejected_and_every_good_line_imported(
    tmp_path, name, line, field, words
):
    path, lines = _file(tmp_path, [line])
    summary = _import(path)
    _assert_adds_up(summary, lines)
    assert (summary.imported, summary.rejected) == (GOOD_LINES, 1)
    assert Call.objects.count() == GOOD_LINES
    rejected = RejectedLine.objects.get()
    assert (rejected.file_name, rejected.line_number, rejected.field) == (
        str(path),
        POISON_AT + 1,
        field,
    )
    assert words in rejected.reason
    assert "\x00" not in rejected.raw + rejected.reason
    again = _import(path)
    _assert_adds_up(again, lines)
    assert (again.imported, again.duplicates, again.rejected) == (0, GOOD_LINES, 1)
    assert Call.objects.count() == GOOD_LINES
    assert RejectedLine.objects.count() == 1


@pytest.mark.django_db
def test_every_poison_at_once_and_a_nul_padded_tail(tmp_path):
    # A power loss leaves the end of the file as zeros, after a record written halfway.
    tail = poison(FIRST_POISON_ID + 99).encode()[:90] + b"\x00" * 4096
    path, lines = _file(tmp_path, [line for _name, line, _f, _w in POISONS], tail=tail)
    summary = _import(path)
    _assert_adds_up(summary, lines + 1)
    assert (summary.imported, summary.rejected) == (GOOD_LINES, len(POISONS) + 1)
    last = RejectedLine.objects.get(line_number=lines + 1)
    assert last.raw.endswith("\\x00 × 4096")
    assert "\x00" not in last.raw
    nul_field = RejectedLine.objects.get(field="from-dispname")
    assert "Ros\\x00si" in nul_field.raw
    assert _import(path).imported == 0
    assert Call.objects.count() == GOOD_LINES


@pytest.mark.django_db
def test_a_file_of_only_zeros_after_its_calls_names_the_power_loss(tmp_path):
    path = tmp_path / "cdr.log"
    path.write_bytes(b"".join(_good_lines(20)) + b"\x00" * 10_000)
    summary = _import(path)
    assert (summary.imported, summary.rejected) == (20, 1)
    assert "only NUL bytes" in RejectedLine.objects.get().reason


def _refuse_caller(caller: str):
    """A rule the parsers and the matcher know nothing of: the database refuses calls from
    one extension (a CHECK constraint on PostgreSQL, a trigger on SQLite)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE calls_call ADD CONSTRAINT test_refused_caller "
                f"CHECK (caller <> '{caller}') NOT VALID"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER test_refused_caller BEFORE INSERT ON calls_call "
                f"WHEN NEW.caller = '{caller}' "
                "BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: test_refused_caller'); END"
            )


def _allow_callers_again():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE calls_call DROP CONSTRAINT IF EXISTS test_refused_caller")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS test_refused_caller")


def _refused_file(tmp_path):
    refused = [
        poison(FIRST_POISON_ID + n, from_no="Ext.999", from_dn="999").encode() for n in range(3)
    ]
    return _file(tmp_path, refused)


def _check_refused_import(path, lines):
    summary = _import(path)
    _assert_adds_up(summary, lines)
    assert (summary.imported, summary.rejected) == (GOOD_LINES, 3)
    assert Call.objects.count() == GOOD_LINES
    reasons = set(RejectedLine.objects.values_list("reason", flat=True))
    assert len(reasons) == 1
    (reason,) = reasons
    assert reason.startswith("the database refused the call: ")
    assert "test_refused_caller" in reason
    lines_refused = sorted(RejectedLine.objects.values_list("line_number", flat=True))
    assert lines_refused == [POISON_AT + 1, POISON_AT + 38, POISON_AT + 75]
    again = _import(path)
    assert (again.imported, again.duplicates, again.rejected) == (0, GOOD_LINES, 3)


@pytest.mark.django_db
def test_a_batch_the_database_refuses_is_split_and_only_the_refused_calls_rejected(tmp_path):
    _refuse_caller("999")
    path, lines = _refused_file(tmp_path)
    _check_refused_import(path, lines)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's two connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_refused_batch_is_split_with_real_commits_over_two_connections(tmp_path, settings):
    settings.CDR_IMPORT_CONNECTIONS = 2
    _refuse_caller("999")
    try:
        path, lines = _refused_file(tmp_path)
        _check_refused_import(path, lines)
    finally:
        _allow_callers_again()


@pytest.mark.django_db
def test_a_retried_line_the_database_refuses_keeps_its_rejected_line(tmp_path):
    from calls.importing.services import rejected_lines_retry

    path = tmp_path / "cdr.log"
    path.write_bytes(poison(FIRST_POISON_ID, time_end="2020/05/04 10:00:00").encode())
    _import(path)
    _refuse_caller("114")
    line = RejectedLine.objects.get()
    line.raw = poison(FIRST_POISON_ID).rstrip("\n")  # as if the layout had been fixed
    line.save()
    summary = rejected_lines_retry(lines=RejectedLine.objects.all())
    assert (summary.lines_read, summary.imported, summary.rejected) == (1, 0, 1)
    line = RejectedLine.objects.get()
    assert line.reason.startswith("the database refused the call: ")
    assert not Call.objects.exists()


@pytest.mark.django_db
def test_a_nul_in_the_first_lines_does_not_make_the_file_binary(tmp_path):
    lines = _good_lines(20)
    lines[1] = poison(FIRST_POISON_ID, from_dispname="Ros\x00si").encode()
    path = tmp_path / "cdr.log"
    path.write_bytes(b"".join(lines) + b"\x00" * 3000)
    summary = _import(path)
    assert (summary.lines_read, summary.imported, summary.rejected) == (21, 19, 2)
    shown = [str(rejection) for rejection in summary.rejections]
    assert shown == [
        f"{path} line 2: field from-dispname holds a NUL byte (the file may be damaged)",
        f"{path} line 21: the line holds only NUL bytes: the file was cut short (a power loss?)",
    ]
