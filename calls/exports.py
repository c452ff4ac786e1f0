"""Streaming CSV and XLSX exports of the call log: every filtered row, in flat memory.

``stream_csv(queryset, filename=...)`` and ``stream_xlsx(queryset, filename=...)`` take the
filtered, ordered ``Call`` queryset of the call log and return a response that sends a header
row and then every call (not a page). Neither holds the rows in memory: the calls are read
with ``values_list(...).iterator(chunk_size=2000)`` (no model instances, only the columns
below, client, matter and trunk names joined in the same query; a server-side cursor on PostgreSQL,
chunked fetches on SQLite), and each chunk is written out before the next is read.

Decisions
---------
1. Columns (``EXPORT_COLUMNS``), the call log table's columns and its export-only ones:
   date and time, caller, caller name, destination as recorded, the code dialled (a client's
   or a matter's, also when no one has it), client code and name, matter code and name, trunk,
   status, ringing (s), talk time, talk time (s), cost. Empty client, matter or trunk is an
   empty cell; an unknown cost is an empty cell.
2. Date and time in the firm's time zone (``settings.TIME_ZONE``, Europe/Rome), without a zone
   (spreadsheets have none). CSV: ``YYYY-MM-DD HH:MM:SS``: it keeps the seconds, sorts as text,
   and Excel (Italian too) and LibreOffice read it as a date-time. XLSX: a real Excel date-time
   shown as ``yyyy-mm-dd h:mm:ss``.
3. Durations. Ringing in seconds (an integer). Talk time twice: ``H:MM:SS`` for people and
   seconds (an integer) for sums and filters. In XLSX the ``H:MM:SS`` column is a real Excel
   duration (``[hh]:mm:ss``, summable); in CSV it is text such as ``0:01:05`` or ``27:46:40``.
4. CSV for Italian Excel: UTF-8 with a BOM (otherwise Excel reads it as Windows-1252),
   ``;`` as the delimiter (Excel uses the list separator of the Windows locale, which is ``;``
   in Italy: with ``,`` every row lands in one column) and a decimal comma in the cost
   (``0,125``: with a decimal point Italian Excel reads text, or a thousands separator),
   with the decimals the call log shows (2, or up to 4 when the cost has them: ``0,10``,
   not the stored ``0,1000``).
   Lines end with CRLF, fields are quoted only when needed. Python's ``csv`` reads it back
   with ``delimiter=";"`` after stripping the BOM (``encoding="utf-8-sig"``).
5. Spreadsheet formula injection: caller names and numbers come from the PBX. A text cell
   starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is neutralised (OWASP
   "CSV injection") by ``firm.lib.spreadsheets``, the rule every export follows. CSV: a
   leading apostrophe is added (``'=HYPERLINK(…)``; Excel shows the apostrophe, which also
   keeps ``+39…`` numbers as text). XLSX: the cell is written as a
   string (never a formula) with Excel's "quote prefix" set, which is exactly what Excel
   stores when a user types a leading apostrophe: the text is shown unchanged, and stays text
   when edited. Characters XML cannot hold (control characters) are dropped from XLSX cells.
6. Translations: the header labels and the status labels are resolved when ``stream_csv`` or
   ``stream_xlsx`` is called, in the language active for the request, not while the body is
   streamed (which may happen in another thread, after the request's language is gone).
7. XLSX: openpyxl's write-only workbook writes rows to a temporary file as they arrive; the
   finished workbook is saved to an anonymous temporary file and sent in chunks by a
   ``FileResponse`` (with ``Content-Length``), which deletes it when the response is closed.
   The workbook is built before the response is returned, so an error is still a 500 and not
   a truncated download; the CSV, in contrast, starts sending at once.
8. The caller passes the filtered queryset in the order wanted (``values_list`` keeps it, and
   drops any ``select_related``) and the file name (e.g.
   ``registro-chiamate-2026-05-01_2026-05-31.csv``); it is sent as
   ``Content-Disposition: attachment`` (RFC 6266, non-ASCII names allowed).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from calls.models import CallStatus
from firm.lib.dates import firm_time_zone
from firm.lib.downloads import CSV_CONTENT_TYPE, attachment, xlsx_response
from firm.lib.formats import cost_places, format_duration
from firm.lib.spreadsheets import (
    CSV_DELIMITER,
    csv_decimal,
    neutralise_formula,
    xlsx_text,
    xlsx_workbook,
)

CHUNK_SIZE = 2000


# --- Columns -----------------------------------------------------------------------------


class CellType:
    """What a column holds, which decides how each format writes it."""

    TEXT = "text"  # str ("" when empty); formula-neutralised
    DATETIME = "datetime"  # naive datetime, firm's wall-clock time
    DURATION = "duration"  # timedelta (H:MM:SS)
    INTEGER = "integer"  # int
    COST = "cost"  # Decimal or None; CSV writes the decimals the table shows, XLSX a number


@dataclass(frozen=True)
class ExportContext:
    """What turning database values into plain values needs, fixed when the export starts."""

    time_zone: Any
    status_labels: dict[str, str]


def _text(value, context) -> str:
    return value or ""


def _local_time(value, context) -> datetime:
    return value.astimezone(context.time_zone).replace(tzinfo=None)


def _status(value, context) -> str:
    return context.status_labels.get(value, value)


def _seconds(value, context) -> int:
    return int(value or 0)


def _duration(value, context) -> timedelta:
    return timedelta(seconds=int(value or 0))


def _cost(value, context) -> Decimal | None:
    return value


@dataclass(frozen=True)
class ExportColumn:
    """One exported column: its header, the ``values_list`` lookup it reads, and how the
    database value becomes the plain value written (``plain(value, context)``)."""

    key: str
    label: Any  # lazy translation
    lookup: str
    kind: str
    plain: Callable[[Any, ExportContext], Any]


EXPORT_COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn("start", _("Date and time"), "start", CellType.DATETIME, _local_time),
    ExportColumn("caller", _("Caller"), "caller", CellType.TEXT, _text),
    ExportColumn("caller_name", _("Caller name"), "caller_name", CellType.TEXT, _text),
    ExportColumn("destination", _("Destination"), "destination", CellType.TEXT, _text),
    ExportColumn("billing_code", _("Dialled code"), "billing_code", CellType.TEXT, _text),
    ExportColumn("client_code", _("Client code"), "client__code", CellType.TEXT, _text),
    ExportColumn("client", _("Client"), "client__name", CellType.TEXT, _text),
    ExportColumn("matter_code", _("Matter code"), "matter__code", CellType.TEXT, _text),
    ExportColumn("matter", _("Matter"), "matter__name", CellType.TEXT, _text),
    ExportColumn("trunk", _("Trunk"), "trunk__name", CellType.TEXT, _text),
    ExportColumn("status", _("Status"), "status", CellType.TEXT, _status),
    ExportColumn("ring_seconds", _("Ringing (s)"), "ring_seconds", CellType.INTEGER, _seconds),
    ExportColumn("talk_time", _("Talk time"), "talk_seconds", CellType.DURATION, _duration),
    ExportColumn("talk_seconds", _("Talk time (s)"), "talk_seconds", CellType.INTEGER, _seconds),
    ExportColumn("cost", _("Cost"), "cost", CellType.COST, _cost),
)

# Column widths in the XLSX (characters), in EXPORT_COLUMNS order.
_XLSX_WIDTHS = (19, 12, 24, 22, 12, 12, 28, 12, 28, 18, 14, 11, 11, 13, 10)


def export_context() -> ExportContext:
    """The time zone and the status labels in the active language, resolved now."""
    return ExportContext(
        time_zone=firm_time_zone(),
        status_labels={value: str(label) for value, label in CallStatus.choices},
    )


def header_labels() -> list[str]:
    """The header row in the active language."""
    return [str(column.label) for column in EXPORT_COLUMNS]


def plain_rows(queryset, context: ExportContext, *, chunk_size: int = CHUNK_SIZE) -> Iterator[list]:
    """Every call of ``queryset`` as a list of plain values in ``EXPORT_COLUMNS`` order.

    One query (``values_list`` of only the needed columns, client and trunk names joined),
    read ``chunk_size`` rows at a time: no model instances, no list of all rows.
    """
    lookups = list(dict.fromkeys(column.lookup for column in EXPORT_COLUMNS))
    plan = [(lookups.index(column.lookup), column.plain) for column in EXPORT_COLUMNS]
    rows = queryset.values_list(*lookups).iterator(chunk_size=chunk_size)
    for row in rows:
        yield [plain(row[index], context) for index, plain in plan]


# --- CSV ---------------------------------------------------------------------------------


def _csv_datetime(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def _csv_duration(value: timedelta) -> str:
    return format_duration(int(value.total_seconds()))


def _csv_integer(value: int) -> int:
    return value


def _csv_cost(value: Decimal | None) -> str:
    """0,10 for a cost stored as 0.1000, 0,125 for 0.1250: as the table shows it."""
    if value is None:
        return ""
    return csv_decimal(value.quantize(Decimal(1).scaleb(-cost_places(value))))


_CSV_WRITERS = {
    CellType.TEXT: neutralise_formula,
    CellType.DATETIME: _csv_datetime,
    CellType.DURATION: _csv_duration,
    CellType.INTEGER: _csv_integer,
    CellType.COST: _csv_cost,
}


def csv_chunks(queryset, *, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """The CSV as bytes: the BOM and the header row first, then one piece per ``chunk_size``
    calls. Labels are resolved at the call, the query runs at the first ``next()``."""
    context = export_context()
    header = header_labels()
    writers = [_CSV_WRITERS[column.kind] for column in EXPORT_COLUMNS]

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
        writer.writerow(header)
        yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        pending = 0
        for row in plain_rows(queryset, context, chunk_size=chunk_size):
            writer.writerow([write(value) for write, value in zip(writers, row, strict=True)])
            pending += 1
            if pending == chunk_size:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
                pending = 0
        if pending:
            yield buffer.getvalue().encode("utf-8")

    return generate()


def stream_csv(queryset, *, filename: str, chunk_size: int = CHUNK_SIZE) -> StreamingHttpResponse:
    """Every call of ``queryset`` as a streamed CSV attachment (see the module's decisions)."""
    response = StreamingHttpResponse(
        csv_chunks(queryset, chunk_size=chunk_size), content_type=CSV_CONTENT_TYPE
    )
    return attachment(response, filename)


# --- XLSX --------------------------------------------------------------------------------


def _xlsx_same(value):
    return value


def write_xlsx(queryset, target, *, chunk_size: int = CHUNK_SIZE) -> int:
    """Write every call of ``queryset`` as an XLSX workbook to ``target`` (a path or a binary
    file). openpyxl's write-only mode keeps no rows in memory. Returns the rows written."""
    context = export_context()
    workbook, sheet = xlsx_workbook(str(_("Call log")), header_labels(), widths=_XLSX_WIDTHS)

    # Datetimes, timedeltas and Decimals get their number formats from openpyxl
    # ("yyyy-mm-dd h:mm:ss", "[hh]:mm:ss", a plain number); None is an empty cell.
    text = xlsx_text(sheet)
    writers = [text if column.kind == CellType.TEXT else _xlsx_same for column in EXPORT_COLUMNS]
    count = 0
    for row in plain_rows(queryset, context, chunk_size=chunk_size):
        sheet.append([write(value) for write, value in zip(writers, row, strict=True)])
        count += 1
    workbook.save(target)
    return count


def stream_xlsx(queryset, *, filename: str, chunk_size: int = CHUNK_SIZE) -> FileResponse:
    """Every call of ``queryset`` as an XLSX attachment, built in a temporary file and sent
    in chunks (see the module's decisions)."""
    return xlsx_response(
        lambda target: write_xlsx(queryset, target, chunk_size=chunk_size), filename=filename
    )
