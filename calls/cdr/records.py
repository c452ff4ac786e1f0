"""The values every CDR parser hands back.

A parser yields, for every non-blank record of its input, exactly one ``CdrRecord`` (the record
was understood), one ``CdrRejection`` (it was not, and the rejection says which field and why)
or, for the formats that print more than calls, one ``CdrSkip`` (a page header, a record that
is no call).
``NotCdrError`` is raised before any record is read when the input is not a call detail record
file at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

STATUSES = ("answered", "no_answer", "busy", "failed")
TYPES = ("extension", "line", "queue", "other", "")


@dataclass(frozen=True, slots=True)
class CdrRecord:
    """One call (or call leg) as written by the PBX, normalised.

    Times are timezone-aware UTC. Types use the vocabulary of ``TYPES``; ``status`` one of
    ``STATUSES``. ``pbx_call_id`` is stable: reading the same record again (same file twice,
    overlapping files, the same 3CX call from a file and from the socket) gives the same id.
    """

    line_number: int
    raw: str
    pbx_call_id: str
    start: datetime
    answered: datetime | None
    end: datetime | None
    talk_seconds: int
    ring_seconds: int
    caller: str
    caller_name: str
    caller_type: str
    called: str
    called_type: str
    dialled: str
    final_number: str
    final_type: str
    trunk_identifier: str
    billing_code: str
    cost: Decimal | None
    status: str
    termination: str
    # What joins the legs of one call, '' when the format has none: records with the same
    # leg_group are parts of one call (a transfer), each kept as its own record. Avaya IP
    # Office: 'avaya:' + Call ID; Cisco CUCM: 'cucm:' + globalCallID_callManagerId + ':' +
    # globalCallID_callId; Grandstream UCM: 'ucm:' + session.
    leg_group: str = ""


@dataclass(frozen=True, slots=True)
class CdrSkip:
    """A non-blank record that is no call and is counted, not rejected: a printer's page
    header, a CUCM column-types row, a CUCM record of a type other than a call (``reason``
    says which)."""

    line_number: int
    raw: str
    reason: str


@dataclass(frozen=True, slots=True)
class CdrRejection:
    """A non-blank record that could not be read; ``field`` is '' when the whole record is wrong."""

    line_number: int
    raw: str
    field: str
    reason: str

    def message(self) -> str:
        return f"line {self.line_number}: {self.reason}"


class NotCdrError(ValueError):
    """The input is not a call detail record file (empty, binary, a PDF, some other CSV...)."""


class NotCallsError(NotCdrError):
    """The input is a PBX file that holds no calls by design (a Cisco CUCM CMR file of call
    quality records): skipped with a warning, never an error of the import."""


class UnknownLayoutError(NotCdrError):
    """The input holds 3CX records, but their field count matches no built-in layout.

    The message says so; the admin must configure the field order (see ``parse_layout``).
    """


@dataclass(frozen=True)
class DetectedFormat:
    """What ``detect_format`` found: the parser to use and the field order it must apply."""

    # 'threecx' | 'asterisk' | 'headered_csv' | 'cisco_cucm' | 'avaya_smdr' | 'panasonic_smdr'
    # | 'grandstream_ucm' | 'yeastar'
    name: str
    layout: tuple[str, ...]
    description: str
