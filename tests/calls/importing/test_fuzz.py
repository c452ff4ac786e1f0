"""Random bytes and random mutations of real call records, through every parser, the matcher
and the import service: nothing raises but the documented "not a call record file", every
value that reaches a call fits its column, and the counts of every run add up."""

from datetime import UTC
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calls import limits
from calls.cdr import CdrRecord, CdrRejection, CdrSkip, NotCdrError, detect_format, parse
from calls.dialing import DialPlan, TrunkRule
from calls.importing.files import CdrFileError, LineReader, inspect_cdr_file
from calls.importing.services import cdr_import
from calls.matching import MatchError, MatchRules, match_record
from calls.models import Call
from tests.conftest import ROME, SAMPLES

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "cdr"
HEADERED = (
    "Data;Chiamante;Numero;Durata;Codice cliente;Costo\r\n"
    "04/05/2026 10:00;114;3454565678**123;75;123;0,12\r\n"
    "04/05/2026 10:05;Niccolò;0232354095;1:15;;\r\n"
).encode()


def _sample_files() -> list[bytes]:
    """Real CDR files: the excerpts in tests/fixtures (always), the whole shared samples when
    they are beside the checkout, and a headered CSV as an Excel user saves one."""
    files = [path.read_bytes() for path in sorted(FIXTURES.glob("*.*")) if path.suffix != ".md"]
    if SAMPLES.exists():
        files += [
            path.read_bytes() for path in sorted(SAMPLES.rglob("*.*")) if path.suffix != ".md"
        ]
    return [*files, HEADERED]


SAMPLE_FILES = _sample_files()
# Values that once broke, or could break, an import: each replaces a whole field.
NASTY_VALUES = [
    "",
    "\x00",
    "\x00" * 20,
    "0001/01/01 00:00:00",
    "9999/12/31 23:59:59",
    "2026/02/30 10:00:00",
    "1970-01-01 00:00:00",
    "99999999:00:00",
    "9" * 5000,
    "Call " + "9" * 200,
    "Call 0",
    "1000000",
    "-1000000",
    "1e400",
    "NaN",
    "0.123456789",
    '"',
    '""',
    "€ 1.250,50",
    "Ext." + "1" * 100,
    "3454565678**" + "1" * 12,
    "**",
    "\r",
    "\n",
    ";",
    "Niccolò".encode().decode("cp1252"),
    "\ud7ff\ue000",
    " " * 300,
]


@st.composite
def mutated_files(draw) -> bytes:
    """A real file with a few of its lines damaged the ways files get damaged."""
    lines = draw(st.sampled_from(SAMPLE_FILES)).splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        how = draw(st.sampled_from(["field", "byte", "cut", "cp1252", "nul tail", "join", "dup"]))
        if how == "field":
            separator = b";" if line.count(b";") > line.count(b",") else b","
            fields = line.split(separator)
            position = draw(st.integers(0, len(fields) - 1))
            fields[position] = draw(st.sampled_from(NASTY_VALUES)).encode("utf-8", "replace")
            lines[index] = separator.join(fields)
        elif how == "byte":
            position = draw(st.integers(0, len(line)))
            lines[index] = (
                line[:position] + draw(st.binary(min_size=1, max_size=3)) + line[position:]
            )
        elif how == "cut":
            lines[index] = line[: draw(st.integers(0, len(line)))]
        elif how == "cp1252":
            lines[index] = line.decode("utf-8", "replace").encode("cp1252", "replace")
        elif how == "nul tail":
            lines = [*lines[: index + 1], line[:20] + b"\x00" * draw(st.integers(1, 5000))]
        elif how == "join":
            lines[index] = line.rstrip(b"\r\n")
        else:
            lines.insert(index, line)
    return b"".join(lines)


any_input = st.one_of(mutated_files(), st.binary(max_size=2000))

RULES = MatchRules(
    plan=DialPlan(trunks=(TrunkRule(prefix="9", strip_prefix=True, key=1, name="Gateway"),)),
    trunk_identifiers={"10001": 1, "SIP/gsm": 1},
)


def _fits(values) -> None:
    """Every value of a matched call fits the calls table (calls.limits)."""
    for name, limit in [
        ("pbx_call_id", limits.PBX_CALL_ID_MAX),
        ("caller", limits.CALLER_MAX),
        ("caller_name", limits.CALLER_NAME_MAX),
        ("destination", limits.DESTINATION_MAX),
        ("dialled_number", limits.DIALLED_MAX),
        ("billing_code", limits.BILLING_CODE_MAX),
        ("pbx_trunk", limits.PBX_TRUNK_MAX),
    ]:
        value = getattr(values, name)
        assert len(value) <= limit and "\x00" not in value, (name, value)
    assert limits.CALL_YEAR_MIN <= values.start.year <= limits.CALL_YEAR_MAX
    assert values.end is None or values.start <= values.end
    for seconds in (values.talk_seconds, values.ring_seconds):
        assert 0 <= seconds <= limits.CALL_SECONDS_MAX
    if values.cost is not None:
        assert abs(values.cost) < limits.COST_LIMIT
        assert values.cost.as_tuple().exponent >= -limits.COST_DECIMAL_PLACES
    assert values.start.utcoffset().total_seconds() == 0


@settings(max_examples=300, deadline=None)
@given(data=any_input)
def test_every_parser_and_the_matcher_take_anything(data):
    import io

    lines = list(LineReader(io.BytesIO(data)))
    try:
        fmt = detect_format(lines[:50])
    except NotCdrError:
        return
    for item in parse(lines, fmt, ROME):
        assert isinstance(item, CdrRecord | CdrRejection | CdrSkip)
        if isinstance(item, CdrRecord):
            try:
                values = match_record(item, RULES)
            except MatchError as error:
                assert error.reason
                continue
            _fits(values)


def test_the_samples_are_there_to_mutate():
    assert len(SAMPLE_FILES) >= 5
    assert all(data.strip() for data in SAMPLE_FILES)


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=any_input)
def test_the_import_service_takes_anything_and_its_counts_add_up(tmp_path, data):
    path = tmp_path / "cdr.log"
    path.write_bytes(data)
    try:
        cdr_file = inspect_cdr_file(path)
    except CdrFileError:
        return
    summary = cdr_import(cdr_file=cdr_file)
    run = summary.run
    assert run.status == "finished"
    assert (run.lines_read, run.imported, run.duplicates, run.rejected) == (
        summary.lines_read,
        summary.imported,
        summary.duplicates,
        summary.rejected,
    )
    assert summary.lines_read == summary.imported + summary.duplicates + summary.rejected
    items = list(parse(LineReader(path.open("rb")), cdr_file.fmt, ROME))
    skips = sum(isinstance(item, CdrSkip) for item in items)
    assert summary.lines_read == len(items) - skips  # every record read is accounted for
    assert summary.skipped == skips  # and every line that is no call (a page header)
    for call in Call.objects.filter(import_run=run):
        assert call.start.astimezone(ROME).year >= limits.CALL_YEAR_MIN - 1  # can be shown
        assert call.start.tzinfo is not None and call.start.utcoffset() == UTC.utcoffset(None)
