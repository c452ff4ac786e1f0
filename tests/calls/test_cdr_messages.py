"""Rejection reasons in the user's language (calls/importing/messages.py): every English
sentence the parsers and the matcher can write has a translation, and the values inside
survive."""

import ast
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.utils import translation

from calls.cdr import CdrRejection, NotCdrError, detect_format, parse
from calls.cdr.detect import _BINARY_SIGNATURES
from calls.importing.messages import REASONS, line_message, reason_text
from calls.matching import MatchError
from tests.calls.importing.helpers import threecx_line
from tests.calls.test_matching import match, record
from tests.conftest import ROME

ROOT = Path(__file__).resolve().parents[2]

# The calls that build a reason, and which positional argument is the sentence.
SENTENCE_ARGUMENT = {
    "FieldError": 1,
    "CdrRejection": 3,
    "NotCdrError": 0,
    "UnknownLayoutError": 0,
    "unreadable": 2,
    "_unreadable": 2,
}


def _sentences_in_the_parsers():
    """(file, sentence) for every literal or f-string sentence handed to a rejection in
    calls/cdr/*.py, with each {…} replaced by a sample value."""
    found = []
    for path in sorted((ROOT / "calls" / "cdr").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            position = SENTENCE_ARGUMENT.get(name)
            if position is None or len(node.args) <= position:
                continue
            argument = node.args[position]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                found.append((path.name, argument.value))
            elif isinstance(argument, ast.JoinedStr):
                parts = [
                    part.value if isinstance(part, ast.Constant) else f"'value{n}'"
                    for n, part in enumerate(argument.values)
                ]
                found.append((path.name, "".join(parts)))
    return found


SENTENCES = _sentences_in_the_parsers()


@pytest.mark.parametrize("signature", [s for s, _sentence in _BINARY_SIGNATURES])
def test_every_kind_of_binary_file_is_named_in_italian(signature):
    with pytest.raises(NotCdrError) as caught:
        detect_format([signature + "rest of the file\n"])
    with translation.override("it"):
        assert reason_text(str(caught.value)).startswith("questo è")


def test_the_parsers_sentences_were_found():
    assert len(SENTENCES) >= 20  # the scan itself works


@pytest.mark.parametrize(("file", "sentence"), SENTENCES)
def test_every_sentence_the_parsers_write_has_an_italian_translation(file, sentence):
    with translation.override("it"):
        translated = reason_text(sentence)
    assert translated != sentence, f"{file}: add {sentence!r} to calls/importing/messages.REASONS"
    for value in re.findall(r"'value\d+'", sentence):
        assert value in translated  # the field, value or number is kept


def test_in_english_the_sentence_is_unchanged():
    for english, _translated in REASONS:
        sample = english.replace("{", "<").replace("}", ">")
        with translation.override("en"):
            assert reason_text(sample) == sample


def test_an_unknown_sentence_is_shown_as_it_is():
    with translation.override("it"):
        assert reason_text("something new went wrong") == "something new went wrong"


def _reasons_from(lines, **detect):
    fmt = detect_format(lines, **detect)
    return [item.reason for item in parse(lines, fmt, ROME) if isinstance(item, CdrRejection)]


def test_a_real_rejection_reads_in_italian_with_its_field_and_value():
    lines = [threecx_line(1), threecx_line(2, start="2026/13/04 08:00:00")]
    reasons = _reasons_from(lines)
    assert reasons == ["field time-start '2026/13/04 08:00:00' is not a date"]
    with translation.override("it"):
        assert reason_text(reasons[0]) == (
            "il campo time-start '2026/13/04 08:00:00' non è una data"
        )
        assert line_message("cdr.log", 2, reason_text(reasons[0])) == (
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
        assert reason_text(str(caught.value)).startswith(italian)


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
        assert "caratteri, più di" in reason_text(caught.value.reason)


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
        translated = reason_text(reason)
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
