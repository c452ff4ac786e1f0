"""Why a CDR line or file cannot be imported, in the user's language.

The pure parsers (``calls/cdr/``) and ``calls/matching`` explain rejections in English
sentences with the offending field and value in them. ``reason_text`` turns such a sentence
into the active language by matching it against the table below, which mirrors the parsers'
sentences; ``tests/calls/test_cdr_messages.py`` feeds the parsers bad input of every kind and
fails when a sentence they write has no entry here. A sentence with no entry is shown as it
is: English, never lost.

Rejected lines are stored with the reason in the language active when they were read (the
firm's language for ``import_cdr``, the administrator's for an upload or a retry).
"""

from __future__ import annotations

import re
from functools import cache

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# (the parsers' English sentence with {placeholders}, its translation with %(placeholders)s).
# Placeholders hold the field name, the quoted value, numbers: they are never translated.
REASONS = [
    # One record
    ("expected {expected} fields, got {got}", _("expected %(expected)s fields, got %(got)s")),
    (
        "a quote opened in this record is never closed "
        "(the record runs into the next one at line {line})",
        _(
            "a quote opened in this record is never closed "
            "(the record runs into the next one at line %(line)s)"
        ),
    ),
    ("unreadable CSV: {error}", _("unreadable CSV: %(error)s")),
    ("the line is empty", _("the line is empty")),
    # One field
    (
        "field {field} is empty (a date and time is required)",
        _("field %(field)s is empty (a date and time is required)"),
    ),
    ("field {field} {value} is not a date", _("field %(field)s %(value)s is not a date")),
    (
        "field {field} {value} is not a duration (HH:MM:SS)",
        _("field %(field)s %(value)s is not a duration (HH:MM:SS)"),
    ),
    (
        "field {field} {value} is not a whole number of seconds",
        _("field %(field)s %(value)s is not a whole number of seconds"),
    ),
    ("field {field} {value} is not a duration", _("field %(field)s %(value)s is not a duration")),
    ("field {field} {value} is not a number", _("field %(field)s %(value)s is not a number")),
    (
        "field {field} {value} is not a 3CX call id ('Call N')",
        _("field %(field)s %(value)s is not a 3CX call id ('Call N')"),
    ),
    (
        "field {field} gives a destination (with the client code) {length} characters long, "
        "more than {limit}",
        _(
            "field %(field)s gives a destination (with the client code) %(length)s characters "
            "long, more than %(limit)s"
        ),
    ),
    (
        "field {field} gives a number (without prefix, marker and code) {length} characters "
        "long, more than {limit}",
        _(
            "field %(field)s gives a number (without prefix, marker and code) %(length)s "
            "characters long, more than %(limit)s"
        ),
    ),
    (
        "field {field} is {length} characters long, more than {limit}",
        _("field %(field)s is %(length)s characters long, more than %(limit)s"),
    ),
    # What the database would refuse (calls/limits.py, checked by calls/matching.py)
    (
        "field {field} holds a NUL byte (the file may be damaged)",
        _("field %(field)s holds a NUL byte (the file may be damaged)"),
    ),
    (
        "the line holds a NUL byte (the file may be damaged)",
        _("the line holds a NUL byte (the file may be damaged)"),
    ),
    (
        "the line holds only NUL bytes: the file was cut short (a power loss?)",
        _("the line holds only NUL bytes: the file was cut short (a power loss?)"),
    ),
    (
        "field {field} gives a call id {length} characters long, more than {limit}",
        _("field %(field)s gives a call id %(length)s characters long, more than %(limit)s"),
    ),
    (
        "field {field} gives {time}, not a plausible time for a call (years {min} to {max})",
        _(
            "field %(field)s gives %(time)s, not a plausible time for a call "
            "(years %(min)s to %(max)s)"
        ),
    ),
    (
        "field {field} gives {time}, before the start ({start})",
        _("field %(field)s gives %(time)s, before the start (%(start)s)"),
    ),
    (
        "field {field} gives {time}, more than a week from the start ({start})",
        _("field %(field)s gives %(time)s, more than a week from the start (%(start)s)"),
    ),
    (
        "field {field} gives {seconds} seconds, more than a call may last ({max} seconds, a week)",
        _(
            "field %(field)s gives %(seconds)s seconds, more than a call may last "
            "(%(max)s seconds, a week)"
        ),
    ),
    (
        "field {field} {value} is more than a call may last ({max} seconds, a week)",
        _("field %(field)s %(value)s is more than a call may last (%(max)s seconds, a week)"),
    ),
    (
        "field {field} {value} is not below {limit} in absolute value",
        _("field %(field)s %(value)s is not below %(limit)s in absolute value"),
    ),
    ("the database refused the call: {error}", _("the database refused the call: %(error)s")),
    # A whole file
    ("the file is empty", _("the file is empty")),
    (
        "this is a PDF document, not a CDR file (binary content)",
        _("this is a PDF document, not a CDR file (binary content)"),
    ),
    (
        "this is a ZIP archive (or an Excel .xlsx / Word .docx file), not a CDR file "
        "(binary content)",
        _(
            "this is a ZIP archive (or an Excel .xlsx / Word .docx file), not a CDR file "
            "(binary content)"
        ),
    ),
    (
        "this is an old Excel .xls or Word .doc file, not a CDR file (binary content)",
        _("this is an old Excel .xls or Word .doc file, not a CDR file (binary content)"),
    ),
    (
        "this is an RTF document, not a CDR file (binary content)",
        _("this is an RTF document, not a CDR file (binary content)"),
    ),
    (
        "the file holds binary content (NUL bytes), not CDR text",
        _("the file holds binary content (NUL bytes), not CDR text"),
    ),
    (
        "the file holds binary content (control characters), not CDR text",
        _("the file holds binary content (control characters), not CDR text"),
    ),
    ("the header line cannot be read: {error}", _("the header line cannot be read: %(error)s")),
    (
        "the header names no call start time and destination (columns: {columns})",
        _("the header names no call start time and destination (columns: %(columns)s)"),
    ),
    (
        "no line looks like a 3CX, Asterisk or headered CSV call record (first line: {line})",
        _("no line looks like a 3CX, Asterisk or headered CSV call record (first line: %(line)s)"),
    ),
    (
        "the lines that look like call records cannot be read as CSV",
        _("the lines that look like call records cannot be read as CSV"),
    ),
    (
        "the file holds 3CX call records with {count} fields, which matches no built-in layout "
        "({sizes} fields); configure the 3CX field order",
        _(
            "the file holds 3CX call records with %(count)s fields, which matches no built-in "
            "layout (%(sizes)s fields); configure the 3CX field order"
        ),
    ),
    (
        "Asterisk-like records with an unknown number of columns",
        _("Asterisk-like records with an unknown number of columns"),
    ),
]

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _pattern(english: str) -> re.Pattern:
    parts, position = [], 0
    for match in _PLACEHOLDER.finditer(english):
        parts.append(re.escape(english[position : match.start()]))
        parts.append(f"(?P<{match.group(1)}>.*?)")
        position = match.end()
    parts.append(re.escape(english[position:]))
    return re.compile("".join(parts), re.DOTALL)


@cache
def _patterns() -> list[tuple[re.Pattern, object]]:
    return [(_pattern(english), translated) for english, translated in REASONS]


def reason_text(reason: str) -> str:
    """The parsers' English ``reason`` in the active language; unchanged when unknown."""
    for pattern, translated in _patterns():
        match = pattern.fullmatch(reason)
        if match:
            return str(translated) % match.groupdict()
    return reason


def line_message(file_name: str, line_number: int, reason: str) -> str:
    """'cdr.log line 812: field time-start '2020/13/04' is not a date', translated."""
    return gettext("%(file)s line %(line)s: %(reason)s") % {
        "file": file_name,
        "line": line_number,
        "reason": reason,
    }
