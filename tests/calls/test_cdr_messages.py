"""Rejection reasons in the user's language (calls/importing/messages.py): every reason code
the parsers, the matcher and the import service can name has a translation, its English
sentence is the one calls/cdr/reasons.py writes, and the values inside survive."""

import ast
import importlib
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.utils import translation

from calls.cdr import CdrRejection, NotCdrError, detect_format, parse
from calls.cdr.detect import _BINARY_SIGNATURES
from calls.cdr.reasons import ENGLISH
from calls.importing.messages import MESSAGES, line_message, reason_message
from calls.matching import MatchError
from tests.calls.importing.helpers import threecx_line
from tests.calls.test_matching import match, record
from tests.conftest import ROME

ROOT = Path(__file__).resolve().parents[2]


def reason_text(error) -> str:
    """A rejection's or error's reason as a page shows it; an English sentence as an old row
    stored it, with the code and parameters migration 0027 gave it."""
    if isinstance(error, str):
        code, params = _migration.code_of(error)
        return reason_message(code, params, error)
    return reason_message(error.code, error.params)


_migration = importlib.import_module("calls.migrations.0028_rejection_reason_codes")


def _codes_in_the_code():
    """Every string literal in calls/cdr, calls/matching.py and calls/importing that is a key
    of ENGLISH: the codes they can name (the scan is checked to find them)."""
    found = set()
    paths = [
        *(ROOT / "calls" / "cdr").glob("*.py"),
        ROOT / "calls" / "matching.py",
        *(ROOT / "calls" / "importing").glob("*.py"),
    ]
    for path in paths:
        if path.name in ("reasons.py", "messages.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in ENGLISH:
                found.add(node.value)
    return found


CODES = _codes_in_the_code()


def test_the_code_scan_finds_the_codes():
    assert len(CODES) >= 35


def test_every_code_the_code_names_has_a_translation_and_an_english_sentence():
    assert sorted(MESSAGES) == sorted(ENGLISH)
    assert CODES <= set(MESSAGES)


@pytest.mark.parametrize("code", sorted(ENGLISH))
def test_the_english_sentence_is_the_messages_own(code):
    with translation.override("en"):
        assert str(MESSAGES[code]) == ENGLISH[code]


@pytest.mark.parametrize("code", sorted(ENGLISH))
def test_every_code_reads_in_italian_with_its_values(code):
    names = re.findall(r"%\((\w+)\)s", ENGLISH[code])
    params = {name: f"'value{n}'" for n, name in enumerate(names)}
    with translation.override("it"):
        translated = reason_message(code, params)
    assert translated != ENGLISH[code] % params, f"translate {code!r} in locale/it"
    for value in params.values():
        assert value in translated  # the field, value or number is kept


@pytest.mark.parametrize("signature", [s for s, _code in _BINARY_SIGNATURES])
def test_every_kind_of_binary_file_is_named_in_italian(signature):
    with pytest.raises(NotCdrError) as caught:
        detect_format([signature + "rest of the file\n"])
    with translation.override("it"):
        assert reason_text(caught.value).startswith("questo è")


def test_an_unknown_code_shows_the_stored_sentence():
    with translation.override("it"):
        assert reason_message("", {}, "something new went wrong") == "something new went wrong"


def _reasons_from(lines, **detect):
    fmt = detect_format(lines, **detect)
    return [item for item in parse(lines, fmt, ROME) if isinstance(item, CdrRejection)]


def test_a_real_rejection_reads_in_italian_with_its_field_and_value():
    lines = [threecx_line(1), threecx_line(2, start="2026/13/04 08:00:00")]
    rejections = _reasons_from(lines)
    assert [r.reason for r in rejections] == [
        "field time-start '2026/13/04 08:00:00' is not a date"
    ]
    with translation.override("it"):
        assert reason_text(rejections[0]) == (
            "il campo time-start '2026/13/04 08:00:00' non è una data"
        )
        assert line_message("cdr.log", 2, reason_text(rejections[0])) == (
            "cdr.log, riga 2: il campo time-start '2026/13/04 08:00:00' non è una data"
        )


@pytest.mark.parametrize(
    ("lines", "italian"),
    [
        ([], "il file è vuoto"),
        (["%PDF-1.7\n"], "questo è un documento PDF, non un file CDR (contenuto binario)"),
        (["code,name\n", "123,Affaroni\n"], "nessuna riga sembra un record di chiamata"),
    ],
)
def test_files_that_are_not_cdr_files_are_explained_in_italian(lines, italian):
    with pytest.raises(NotCdrError) as caught:
        detect_format(lines)
    with translation.override("it"):
        assert reason_text(caught.value).startswith(italian)


@pytest.mark.parametrize(
    "reason",
    [
        "field dial-no gives a destination (with the client code) 84 characters long, more than 80",
        "field dial-no gives a number (without prefix, marker and code) 65 characters long, "
        "more than 64",
        "field from-no is 65 characters long, more than 64",
    ],
)
def test_the_matchers_length_limits_read_in_italian(reason):
    # calls/matching.py builds these in _too_long; tests/calls/test_matching.py checks that
    # it writes exactly these shapes.
    with translation.override("it"):
        translated = reason_text(reason)
    assert "caratteri, più di" in translated
    assert re.findall(r"\d+", translated) == re.findall(r"\d+", reason)


@pytest.mark.parametrize(
    "changes",
    [
        {"dialled": "3" * 81},
        {"dialled": "3" * 75, "billing_code": "1234567"},
        {"dialled": "3" * 65},
        {"caller": "1" * 65},
    ],
)
def test_the_matchers_own_sentences_read_in_italian(changes):
    with pytest.raises(MatchError) as caught:
        match(record(**changes))
    with translation.override("it"):
        assert "caratteri, più di" in reason_text(caught.value)


@pytest.mark.parametrize(
    "changes",
    [
        {"raw": "Call 1,Ros\x00si", "caller_name": "Ros\x00si"},
        {"raw": "Call 1,\x00"},
        {"pbx_call_id": "3cx:" + "7" * 200},
        {"start": datetime(1, 1, 1, tzinfo=UTC), "answered": None, "end": None},
        {"end": datetime(2020, 1, 1, tzinfo=UTC)},
        {"answered": datetime(2030, 1, 1, tzinfo=UTC), "ring_seconds": 174_000_000},
        {"talk_seconds": 359999996400},
    ],
)
def test_what_the_database_would_refuse_reads_in_italian_with_its_values(changes):
    with pytest.raises(MatchError) as caught:
        match(record(**changes))
    reason = caught.value.reason
    with translation.override("it"):
        translated = reason_text(caught.value)
    assert translated != reason
    assert translated.startswith(("il campo", "la riga"))
    assert re.findall(r"\d+", translated) == re.findall(r"\d+", reason)


@pytest.mark.parametrize(
    "reason",
    [
        "the line holds only NUL bytes: the file was cut short (a power loss?)",
        'the database refused the call: new row for relation "calls_call" violates check '
        'constraint "x"',
    ],
)
def test_the_import_services_own_reasons_read_in_italian(reason):
    with translation.override("it"):
        translated = reason_text(reason)
    assert translated != reason
    assert translated.split(": ", 1)[-1] == reason.split(": ", 1)[-1] or "NUL" in translated


@pytest.mark.parametrize("code", sorted(ENGLISH))
def test_an_old_rows_english_sentence_gets_its_code_back(code):
    names = re.findall(r"%\((\w+)\)s", ENGLISH[code])
    params = {name: f"'value{n}'" for n, name in enumerate(names)}
    assert _migration.code_of(ENGLISH[code] % params) == (code, params)
