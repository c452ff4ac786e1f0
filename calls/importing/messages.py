"""Why a CDR line or file cannot be imported, in the user's language.

The pure parsers (``calls/cdr/``), ``calls/matching`` and the import service name a rejection
by a code with its parameters (``calls/cdr/reasons.py``, which also writes it in English for
logs); ``reason_message`` renders it in the reader's language at display time from the table
below. ``tests/calls/test_cdr_messages.py`` fails when a code has no entry here. Rejected lines
keep the code and parameters (old rows got theirs from their English sentence in migration
calls 0027); a row without a code shows its stored English sentence, never lost.

An import run's format description and error are still stored in English and read back by
pattern (``run_text``).
"""

from __future__ import annotations

import re
from functools import cache

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Every reason code of calls.cdr.reasons with its sentence, %(placeholders)s kept (the field,
# the quoted value, numbers: never translated).
MESSAGES = {
    "wrong_count": _("expected %(expected)s fields, got %(got)s"),
    "quote_never_closed": _(
        "a quote opened in this record is never closed "
        "(the record runs into the next one at line %(line)s)"
    ),
    "unreadable_csv": _("unreadable CSV: %(error)s"),
    "line_empty": _("the line is empty"),
    "time_empty": _("field %(field)s is empty (a date and time is required)"),
    "not_a_date": _("field %(field)s %(value)s is not a date"),
    "not_hms": _("field %(field)s %(value)s is not a duration (HH:MM:SS)"),
    "not_whole_seconds": _("field %(field)s %(value)s is not a whole number of seconds"),
    "not_a_duration": _("field %(field)s %(value)s is not a duration"),
    "not_a_number": _("field %(field)s %(value)s is not a number"),
    "not_one_of": _("field %(field)s %(value)s is not one of %(allowed)s"),
    "not_a_3cx_call_id": _("field %(field)s %(value)s is not a 3CX call id ('Call N')"),
    "destination_too_long": _(
        "field %(field)s gives a destination (with the client code) %(length)s characters "
        "long, more than %(limit)s"
    ),
    "number_too_long": _(
        "field %(field)s gives a number (without prefix, marker and code) %(length)s "
        "characters long, more than %(limit)s"
    ),
    "too_long": _("field %(field)s is %(length)s characters long, more than %(limit)s"),
    "field_nul": _("field %(field)s holds a NUL byte (the file may be damaged)"),
    "line_nul": _("the line holds a NUL byte (the file may be damaged)"),
    "line_only_nul": _("the line holds only NUL bytes: the file was cut short (a power loss?)"),
    "call_id_too_long": _(
        "field %(field)s gives a call id %(length)s characters long, more than %(limit)s"
    ),
    "implausible_time": _(
        "field %(field)s gives %(time)s, not a plausible time for a call (years %(min)s to %(max)s)"
    ),
    "before_start": _("field %(field)s gives %(time)s, before the start (%(start)s)"),
    "far_from_start": _(
        "field %(field)s gives %(time)s, more than a week from the start (%(start)s)"
    ),
    "talk_too_long": _(
        "field %(field)s gives %(seconds)s seconds, more than a call may last "
        "(%(max)s seconds, a week)"
    ),
    "longer_than_a_call": _(
        "field %(field)s %(value)s is more than a call may last (%(max)s seconds, a week)"
    ),
    "code_too_long": _(
        "field %(field)s gives a client code %(length)s digits long, more than %(limit)s"
    ),
    "cost_too_large": _("field %(field)s %(value)s is not below %(limit)s in absolute value"),
    "database_refused": _("the database refused the call: %(error)s"),
    "file_empty": _("the file is empty"),
    "binary_pdf": _("this is a PDF document, not a CDR file (binary content)"),
    "binary_zip": _(
        "this is a ZIP archive (or an Excel .xlsx / Word .docx file), not a CDR file "
        "(binary content)"
    ),
    "binary_ole": _("this is an old Excel .xls or Word .doc file, not a CDR file (binary content)"),
    "binary_rtf": _("this is an RTF document, not a CDR file (binary content)"),
    "binary_nul": _("the file holds binary content (NUL bytes), not CDR text"),
    "binary_control": _("the file holds binary content (control characters), not CDR text"),
    "header_unreadable": _("the header line cannot be read: %(error)s"),
    "header_without_calls": _(
        "the header names no call start time and destination (columns: %(columns)s)"
    ),
    "no_call_records": _(
        "no line looks like a 3CX, Asterisk or headered CSV call record (first line: %(line)s)"
    ),
    "records_not_csv": _("the lines that look like call records cannot be read as CSV"),
    "unknown_threecx_layout": _(
        "the file holds 3CX call records with %(count)s fields, which matches no built-in "
        "layout (%(sizes)s fields); configure the 3CX field order"
    ),
    "cucm_cmr": _(
        "this is a Cisco CUCM CMR file (call quality records), not call records: nothing to import"
    ),
    "asterisk_unknown_columns": _("Asterisk-like records with an unknown number of columns"),
}


class _Params(dict):
    def __missing__(self, key):
        return "?"


def reason_message(code: str, params: dict, fallback: str = "") -> str:
    """A rejection's reason in the active language; ``fallback`` (the stored English
    sentence) when the code is unknown or empty (a row no code was found for)."""
    template = MESSAGES.get(code)
    if template is None:
        return fallback or code
    return str(template) % _Params(params)


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
