"""Streaming CSV/XLSX exports of the call log (calls.exports): every row, header first, plain
values in the firm's time zone, formula injection neutralised, flat memory (one query read
in chunks, a body produced chunk by chunk)."""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import GeneratorType

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from calls.exports import EXPORT_COLUMNS, stream_csv, stream_xlsx
from calls.models import Call
from tests.factories import make_call, make_client, make_matter, make_matter_call, make_trunk

pytestmark = pytest.mark.django_db

HEADER = [
    "Date and time",
    "Caller",
    "Caller name",
    "Destination",
    "Dialled code",
    "Client code",
    "Client",
    "Matter code",
    "Matter",
    "Trunk",
    "Status",
    "Ringing (s)",
    "Talk time",
    "Talk time (s)",
    "Cost",
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def calls():
    return Call.objects.order_by("start", "pk")


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def xlsx_sheet(response):
    body = b"".join(response.streaming_content)
    return openpyxl.load_workbook(io.BytesIO(body)).active


def xlsx_rows(response) -> list[tuple]:
    return list(xlsx_sheet(response).iter_rows(values_only=True))


def as_dicts(rows) -> list[dict]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture
def coded_call():
    """An answered call of client 123 through a trunk, on a summer day (UTC+2 in Rome)."""
    return make_call(
        pbx_call_id="coded",
        start=datetime(2026, 7, 1, 7, 30, 15, tzinfo=UTC),
        caller="114",
        caller_name="Mario Rossi",
        destination="3454565678**123",
        billing_code="123",
        client=make_client(code="123", name="Affaroni S.p.A."),
        trunk=make_trunk("9", "Gateway cellulare"),
        ring_seconds=7,
        talk_seconds=3725,
        cost=Decimal("0.1250"),
    )


@pytest.fixture
def plain_call():
    """A failed internal call on a winter day (UTC+1 in Rome): no client, trunk or cost."""
    return make_call(
        pbx_call_id="plain",
        start=datetime(2026, 1, 15, 23, 59, 59, tzinfo=UTC),
        caller="101",
        caller_name="",
        destination="102",
        dialled_number="102",
        direction=Call.Direction.INTERNAL,
        status=Call.Status.FAILED,
        ring_seconds=0,
        talk_seconds=0,
    )


# --- Columns -------------------------------------------------------------------------------


def test_the_columns_are_the_call_logs_with_translated_headers():
    assert [str(column.label) for column in EXPORT_COLUMNS] == HEADER
    with translation.override("it"):
        assert str(EXPORT_COLUMNS[0].label) == "Data e ora"


# --- CSV -----------------------------------------------------------------------------------


def test_the_csv_holds_the_header_and_every_row(coded_call, plain_call):
    for i in range(120):
        make_call(pbx_call_id=f"c{i}", start=datetime(2026, 3, 1, tzinfo=UTC) + timedelta(hours=i))
    response = stream_csv(calls(), filename="registro-chiamate-2026-05-01_2026-05-31.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="registro-chiamate-2026-05-01_2026-05-31.csv"'
    )
    rows = csv_rows(response)
    assert rows[0] == HEADER
    assert len(rows) == 1 + 122
    assert rows[1][0] == "2026-01-16 00:59:59"  # ordered by start, the queryset's order
    assert rows[-1][0] == "2026-07-01 09:30:15"


def test_the_csv_values(coded_call, plain_call):
    rows = as_dicts(csv_rows(stream_csv(calls(), filename="x.csv")))
    assert rows[0] == {
        "Date and time": "2026-01-16 00:59:59",  # winter: UTC+1, the next day in Rome
        "Caller": "101",
        "Caller name": "",
        "Destination": "102",
        "Dialled code": "",
        "Client code": "",
        "Client": "",
        "Matter code": "",
        "Matter": "",
        "Trunk": "",
        "Status": "Failed",
        "Ringing (s)": "0",
        "Talk time": "0:00:00",
        "Talk time (s)": "0",
        "Cost": "",
    }
    assert rows[1] == {
        "Date and time": "2026-07-01 09:30:15",  # summer: UTC+2
        "Caller": "114",
        "Caller name": "Mario Rossi",
        "Destination": "3454565678**123",
        "Dialled code": "123",
        "Client code": "123",
        "Client": "Affaroni S.p.A.",
        "Matter code": "",
        "Matter": "",
        "Trunk": "Gateway cellulare",
        "Status": "Answered",
        "Ringing (s)": "7",
        "Talk time": "1:02:05",
        "Talk time (s)": "3725",
        "Cost": "0,125",  # decimal comma for Italian Excel; the decimals the table shows
    }


@pytest.mark.parametrize(
    ("stored", "written"),
    [("0.1000", "0,10"), ("0.1250", "0,125"), ("0.1234", "0,1234"), ("2", "2,00"), ("0", "0,00")],
)
def test_the_csv_cost_has_two_decimals_unless_it_has_more(stored, written):
    make_call(cost=Decimal(stored))
    assert as_dicts(csv_rows(stream_csv(calls(), filename="x.csv")))[0]["Cost"] == written


def test_the_csv_keeps_an_unknown_code_and_long_talk_times():
    make_call(destination="3454565678**999", billing_code="999", talk_seconds=100_000)
    row = as_dicts(csv_rows(stream_csv(calls(), filename="x.csv")))[0]
    assert (row["Dialled code"], row["Client code"], row["Client"]) == ("999", "", "")
    assert (row["Talk time"], row["Talk time (s)"]) == ("27:46:40", "100000")


def test_the_csv_speaks_the_language_active_when_it_is_called(coded_call):
    with translation.override("it"):
        response = stream_csv(calls(), filename="x.csv")
    # Streamed later, after the request's language is gone: still Italian.
    rows = csv_rows(response)
    assert rows[0][0] == "Data e ora"
    assert rows[1][rows[0].index("Esito")] == "Con risposta"


@pytest.mark.parametrize(
    "hostile",
    ['=HYPERLINK("http://evil.example","x")', "+39 02 1234", "-2+3", "@SUM(A1)", "\t=1+1"],
)
def test_the_csv_neutralises_formulas(hostile):
    make_call(caller_name=hostile, caller=hostile, destination=hostile)
    row = as_dicts(csv_rows(stream_csv(calls(), filename="x.csv")))[0]
    assert row["Caller name"] == row["Caller"] == row["Destination"] == "'" + hostile


def test_the_csv_quotes_the_delimiter_and_line_breaks():
    make_call(caller_name='Rossi; "Mario"\nsecond line')
    row = as_dicts(csv_rows(stream_csv(calls(), filename="x.csv")))[0]
    assert row["Caller name"] == 'Rossi; "Mario"\nsecond line'


def test_an_empty_queryset_gives_only_the_header():
    rows = csv_rows(stream_csv(Call.objects.none(), filename="x.csv"))
    assert rows == [HEADER]


def test_a_non_ascii_filename_is_sent_as_rfc_6266():
    response = stream_csv(Call.objects.none(), filename="registro-già.csv")
    assert response["Content-Disposition"] == ("attachment; filename*=utf-8''registro-gi%C3%A0.csv")


# --- Streaming -----------------------------------------------------------------------------


def test_the_csv_is_a_generator_consumed_chunk_by_chunk():
    for i in range(250):
        make_call(pbx_call_id=f"c{i}")
    with CaptureQueriesContext(connection) as before_streaming:
        response = stream_csv(calls(), filename="x.csv", chunk_size=100)
    assert not before_streaming.captured_queries  # nothing read before the body is sent
    assert isinstance(response.streaming_content, GeneratorType | map)
    chunks = iter(response.streaming_content)
    header = next(chunks)
    assert header.decode("utf-8-sig").count("\r\n") == 1
    sizes = [chunk.decode("utf-8").count("\r\n") for chunk in chunks]
    assert sizes == [100, 100, 50]  # one piece per chunk of rows, not per row


@pytest.mark.parametrize("export", [stream_csv, stream_xlsx])
def test_the_query_count_is_small_and_does_not_grow_with_the_rows(export):
    def queries(count):
        Call.objects.all().delete()
        for i in range(count):
            make_call(pbx_call_id=f"c{i}", client=client, trunk=trunk)
        with CaptureQueriesContext(connection) as context:
            b"".join(export(calls(), filename="x", chunk_size=50).streaming_content)
        return context.captured_queries

    client, trunk = make_client(), make_trunk()
    small, large = queries(10), queries(300)
    assert len(small) == len(large) == 1  # 300 rows in chunks of 50: still one query
    sql = large[0]["sql"]
    assert "JOIN" in sql  # client and trunk names in the same query
    assert "dialled_number" not in sql and "pbx_call_id" not in sql  # only needed columns


def test_the_rows_are_read_with_an_iterator(monkeypatch):
    make_call()
    chunk_sizes = []
    original = type(calls().values_list("pk")).iterator

    def spy(self, chunk_size=None):
        chunk_sizes.append(chunk_size)
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(type(calls().values_list("pk")), "iterator", spy)
    b"".join(stream_csv(calls(), filename="x.csv").streaming_content)
    b"".join(stream_xlsx(calls(), filename="x.xlsx").streaming_content)
    assert chunk_sizes == [2000, 2000]


# --- XLSX ----------------------------------------------------------------------------------


def test_the_xlsx_holds_the_header_and_every_row(coded_call, plain_call):
    for i in range(120):
        make_call(pbx_call_id=f"c{i}", start=datetime(2026, 3, 1, tzinfo=UTC) + timedelta(hours=i))
    response = stream_xlsx(calls(), filename="registro-chiamate-2026-05-01_2026-05-31.xlsx")
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    assert response["Content-Disposition"] == (
        'attachment; filename="registro-chiamate-2026-05-01_2026-05-31.xlsx"'
    )
    assert int(response["Content-Length"]) > 0
    sheet = xlsx_sheet(response)
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert sheet["A1"].font.bold
    assert len(rows) == 1 + 122
    assert rows[-1][0] == datetime(2026, 7, 1, 9, 30, 15)


def test_the_xlsx_values_are_numbers_and_dates(coded_call, plain_call):
    rows = as_dicts(xlsx_rows(stream_xlsx(calls(), filename="x.xlsx")))
    assert rows[0] == {
        "Date and time": datetime(2026, 1, 16, 0, 59, 59),
        "Caller": "101",
        "Caller name": None,  # empty text is an empty cell
        "Destination": "102",
        "Dialled code": None,
        "Client code": None,
        "Client": None,
        "Matter code": None,
        "Matter": None,
        "Trunk": None,
        "Status": "Failed",
        "Ringing (s)": 0,
        "Talk time": timedelta(0),
        "Talk time (s)": 0,
        "Cost": None,
    }
    assert rows[1] == {
        "Date and time": datetime(2026, 7, 1, 9, 30, 15),
        "Caller": "114",
        "Caller name": "Mario Rossi",
        "Destination": "3454565678**123",
        "Dialled code": "123",
        "Client code": "123",
        "Client": "Affaroni S.p.A.",
        "Matter code": None,
        "Matter": None,
        "Trunk": "Gateway cellulare",
        "Status": "Answered",
        "Ringing (s)": 7,
        "Talk time": timedelta(hours=1, minutes=2, seconds=5),
        "Talk time (s)": 3725,
        "Cost": pytest.approx(0.125),
    }


def test_the_xlsx_cells_have_spreadsheet_types(coded_call):
    sheet = xlsx_sheet(stream_xlsx(calls(), filename="x.xlsx"))
    start, *_, talk_time, talk_seconds, cost = next(sheet.iter_rows(min_row=2))
    assert start.is_date and start.number_format == "yyyy-mm-dd h:mm:ss"
    assert talk_time.number_format == "[hh]:mm:ss"
    assert talk_seconds.data_type == cost.data_type == "n"


@pytest.mark.parametrize(
    "hostile",
    ['=HYPERLINK("http://evil.example","x")', "+39 02 1234", "-2+3", "@SUM(A1)"],
)
def test_the_xlsx_neutralises_formulas(hostile):
    make_call(caller_name=hostile, caller=hostile, destination=hostile)
    sheet = xlsx_sheet(stream_xlsx(calls(), filename="x.xlsx"))
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell for cell in cells if cell.data_type == "f"]
    texts = [cell for cell in cells if cell.value == hostile]
    assert len(texts) == 3
    # Text as typed with a leading apostrophe in Excel: a string with the quote prefix.
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in texts)


def test_the_xlsx_drops_characters_xml_cannot_hold():
    make_call(caller_name="Rossi\x01\x07 Mario")
    row = as_dicts(xlsx_rows(stream_xlsx(calls(), filename="x.xlsx")))[0]
    assert row["Caller name"] == "Rossi Mario"


def test_the_xlsx_is_sent_in_chunks_and_its_file_is_removed(coded_call):
    response = stream_xlsx(calls(), filename="x.xlsx")
    response.block_size = 1024
    chunks = list(response.streaming_content)
    assert len(chunks) > 1 and all(len(chunk) <= 1024 for chunk in chunks)
    assert sum(map(len, chunks)) == int(response["Content-Length"])
    workbook_file = response.file_to_stream
    response.close()
    assert workbook_file.closed  # an anonymous temporary file: closed is gone


def test_an_empty_xlsx_holds_only_the_header():
    assert xlsx_rows(stream_xlsx(Call.objects.none(), filename="x.xlsx")) == [tuple(HEADER)]


def test_the_exports_carry_the_matter_of_a_call(coded_call):
    matter = make_matter(coded_call.client, "12301", "Causa Rossi c. Bianchi")
    make_matter_call(matter, start=datetime(2026, 7, 2, 8, 0, tzinfo=UTC))
    with translation.override("it"):
        csv_dicts = as_dicts(csv_rows(stream_csv(calls(), filename="x.csv")))
        xlsx_dicts = as_dicts(xlsx_rows(stream_xlsx(calls(), filename="x.xlsx")))
    for rows, empty in ((csv_dicts, ""), (xlsx_dicts, None)):
        assert [(row["Codice pratica"], row["Pratica"]) for row in rows] == [
            (empty, empty),
            ("12301", "Causa Rossi c. Bianchi"),
        ]
        assert rows[1]["Codice composto"] == "12301"  # the matter's code, dialled
        assert rows[1]["Codice cliente"] == "123"  # its client's
        assert rows[1]["Cliente"] == "Affaroni S.p.A."
