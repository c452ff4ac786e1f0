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
        "field {field} {value} is not one of {allowed}",
        _("field %(field)s %(value)s is not one of %(allowed)s"),
    ),
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
        "field {field} gives a client code {length} digits long, more than {limit}",
        _("field %(field)s gives a client code %(length)s digits long, more than %(limit)s"),
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
        "this is a Cisco CUCM CMR file (call quality records), not call records: nothing to import",
        _(
            "this is a Cisco CUCM CMR file (call quality records), not call records: "
            "nothing to import"
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


# What an import run records in English (the format found, the name of a retry, why it was
# interrupted), with its translation: stored rows keep the English text, pages show it in the
# reader's language by pattern, like the reasons above, so old rows stay readable.
RUN_TEXTS = [
    ("3CX CDR, {count} fields ({layout})", _("3CX CDR, %(count)s fields (%(layout)s)")),
    (
        "Asterisk cdr_csv (Master.csv), {count} columns (with {extras})",
        _("Asterisk cdr_csv (Master.csv), %(count)s columns (with %(extras)s)"),
    ),
    (
        "Asterisk cdr_csv (Master.csv), {count} columns",
        _("Asterisk cdr_csv (Master.csv), %(count)s columns"),
    ),
    (
        "CSV with a header row, {count} columns ({columns})",
        _("CSV with a header row, %(count)s columns (%(columns)s)"),
    ),
    ("Cisco CUCM CDR, {count} columns", _("Cisco CUCM CDR, %(count)s columns")),
    ("Avaya IP Office SMDR, {count} fields", _("Avaya IP Office SMDR, %(count)s fields")),
    (
        "Panasonic SMDR printout, dates {order}",
        _("Panasonic SMDR printout, dates %(order)s"),
    ),
    ("Grandstream UCM CDR, {count} columns", _("Grandstream UCM CDR, %(count)s columns")),
    ("Yeastar CDR export, {count} columns", _("Yeastar CDR export, %(count)s columns")),
    ("Retry of rejected lines", _("Retry of rejected lines")),
    ("retry of {count} rejected lines", _("retry of %(count)s rejected lines")),
    (
        "The import stopped before its end (the process was killed, the power or the "
        "database went away). Import the same file again to complete it: calls already "
        "stored count as duplicates.",
        _(
            "The import stopped before its end (the process was killed, the power or the "
            "database went away). Import the same file again to complete it: calls already "
            "stored count as duplicates."
        ),
    ),
]
# calls.cdr.threecx.LAYOUT_DESCRIPTIONS, the {layout} of a 3CX format.
LAYOUT_TEXTS = {
    "default order": _("default order"),
    "missed-queue-calls after chain, types last": _("missed-queue-calls after chain, types last"),
    "active socket order, historyid ... chain": _("active socket order, historyid ... chain"),
    "default order without billing fields": _("default order without billing fields"),
}
# ImportRun.format_name and ImportRun.via as a reader names them (list filters, the run's page).
FORMAT_LABELS = {
    "threecx": _("3CX"),
    "asterisk": _("Asterisk"),
    "headered_csv": _("CSV with a header row"),
    "cisco_cucm": _("Cisco CUCM"),
    "avaya_smdr": _("Avaya IP Office SMDR"),
    "panasonic_smdr": _("Panasonic SMDR"),
    "grandstream_ucm": _("Grandstream UCM"),
    "yeastar": _("Yeastar"),
    "retry": _("Retry of rejected lines"),
    "feed": _("Live feed from the PBX"),
}
VIA_LABELS = {
    "upload": _("Upload in admin"),
    "retry": _("Retry of rejected lines"),
    "feed": _("Live feed from the PBX"),
    "command": _("Command import_cdr"),
}


@cache
def _run_patterns() -> list[tuple[re.Pattern, object]]:
    return [(_pattern(english), translated) for english, translated in RUN_TEXTS]


def run_text(text: str) -> str:
    """An import run's English format description, retry name or error in the active
    language; unchanged when unknown (a file's own name, a database's message)."""
    for pattern, translated in _run_patterns():
        match = pattern.fullmatch(text)
        if match:
            values = match.groupdict()
            if "layout" in values:
                values["layout"] = LAYOUT_TEXTS.get(values["layout"], values["layout"])
            return str(translated) % values
    return text


def format_label(format_name: str) -> str:
    """'threecx' -> '3CX'; an unknown name as it is."""
    label = FORMAT_LABELS.get(format_name)
    return str(label) if label is not None else format_name


def via_label(via: str) -> str:
    """'upload' -> 'Caricamento in admin'; 'command:root' -> 'Comando import_cdr (utente
    di sistema root)'; an unknown value as it is."""
    kind, _colon, account = via.partition(":")
    if kind == "command" and account:
        return gettext("Command import_cdr (system account %(account)s)") % {"account": account}
    label = VIA_LABELS.get(via)
    return str(label) if label is not None else via
