"""Why a CDR line or file cannot be imported, as a code and its parameters. Pure: no Django.

The parsers, the matcher and the import service name a reason by its code with the values
(the field, the quoted value, numbers) as parameters; ``english`` writes it out for logs and
the command's output. Pages say it in the reader's language from the same code and parameters
(``calls.importing.messages.reason_message``, whose table translates every code here:
tests/calls/test_cdr_messages.py checks both tables hold the same codes and sentences).
"""

from __future__ import annotations

from collections.abc import Mapping

ENGLISH: dict[str, str] = {
    # One record
    "wrong_count": "expected %(expected)s fields, got %(got)s",
    "quote_never_closed": (
        "a quote opened in this record is never closed "
        "(the record runs into the next one at line %(line)s)"
    ),
    "unreadable_csv": "unreadable CSV: %(error)s",
    "line_empty": "the line is empty",
    # One field
    "time_empty": "field %(field)s is empty (a date and time is required)",
    "not_a_date": "field %(field)s %(value)s is not a date",
    "not_hms": "field %(field)s %(value)s is not a duration (HH:MM:SS)",
    "not_whole_seconds": "field %(field)s %(value)s is not a whole number of seconds",
    "not_a_duration": "field %(field)s %(value)s is not a duration",
    "not_a_number": "field %(field)s %(value)s is not a number",
    "not_one_of": "field %(field)s %(value)s is not one of %(allowed)s",
    "not_a_3cx_call_id": "field %(field)s %(value)s is not a 3CX call id ('Call N')",
    "destination_too_long": (
        "field %(field)s gives a destination (with the client code) %(length)s characters "
        "long, more than %(limit)s"
    ),
    "number_too_long": (
        "field %(field)s gives a number (without prefix, marker and code) %(length)s "
        "characters long, more than %(limit)s"
    ),
    "too_long": "field %(field)s is %(length)s characters long, more than %(limit)s",
    "code_too_long": (
        "field %(field)s gives a client code %(length)s digits long, more than %(limit)s"
    ),
    # What the database would refuse (calls/limits.py, checked by calls/matching.py)
    "field_nul": "field %(field)s holds a NUL byte (the file may be damaged)",
    "line_nul": "the line holds a NUL byte (the file may be damaged)",
    "line_only_nul": "the line holds only NUL bytes: the file was cut short (a power loss?)",
    "call_id_too_long": (
        "field %(field)s gives a call id %(length)s characters long, more than %(limit)s"
    ),
    "implausible_time": (
        "field %(field)s gives %(time)s, not a plausible time for a call (years %(min)s to %(max)s)"
    ),
    "before_start": "field %(field)s gives %(time)s, before the start (%(start)s)",
    "far_from_start": (
        "field %(field)s gives %(time)s, more than a week from the start (%(start)s)"
    ),
    "talk_too_long": (
        "field %(field)s gives %(seconds)s seconds, more than a call may last "
        "(%(max)s seconds, a week)"
    ),
    "longer_than_a_call": (
        "field %(field)s %(value)s is more than a call may last (%(max)s seconds, a week)"
    ),
    "cost_too_large": "field %(field)s %(value)s is not below %(limit)s in absolute value",
    "database_refused": "the database refused the call: %(error)s",
    # A whole file
    "file_empty": "the file is empty",
    "binary_pdf": "this is a PDF document, not a CDR file (binary content)",
    "binary_zip": (
        "this is a ZIP archive (or an Excel .xlsx / Word .docx file), not a CDR file "
        "(binary content)"
    ),
    "binary_ole": "this is an old Excel .xls or Word .doc file, not a CDR file (binary content)",
    "binary_rtf": "this is an RTF document, not a CDR file (binary content)",
    "binary_nul": "the file holds binary content (NUL bytes), not CDR text",
    "binary_control": "the file holds binary content (control characters), not CDR text",
    "header_unreadable": "the header line cannot be read: %(error)s",
    "header_without_calls": (
        "the header names no call start time and destination (columns: %(columns)s)"
    ),
    "no_call_records": (
        "no line looks like a 3CX, Asterisk or headered CSV call record (first line: %(line)s)"
    ),
    "records_not_csv": "the lines that look like call records cannot be read as CSV",
    "unknown_threecx_layout": (
        "the file holds 3CX call records with %(count)s fields, which matches no built-in "
        "layout (%(sizes)s fields); configure the 3CX field order"
    ),
    "cucm_cmr": (
        "this is a Cisco CUCM CMR file (call quality records), not call records: nothing to import"
    ),
    "asterisk_unknown_columns": "Asterisk-like records with an unknown number of columns",
}


class _Params(dict):
    def __missing__(self, key):
        return "?"


def english(code: str, params: Mapping[str, object]) -> str:
    """The reason in English; an unknown code as it is (an old row's stored sentence)."""
    template = ENGLISH.get(code)
    if template is None:
        return code
    return template % _Params(params)


def show(value: str) -> str:
    """The value quoted for a message, shortened when very long."""
    if len(value) > 60:
        value = value[:57] + "..."
    return f"'{value}'"


class ReasonError(ValueError):
    """An error that names its reason by ``code`` and ``params``; ``str()`` is the English."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(english(code, params))
        self.code = code
        self.params = params

    def __reduce__(self):
        return (_rebuild, (type(self), self.code, self.params))


def _rebuild(cls, code, params):
    return cls(code, **params)
