"""The values every CDR parser hands back.

A parser yields, for every non-blank record of its input, exactly one ``CdrRecord`` (the record
was understood) or one ``CdrRejection`` (it was not, and the rejection says which field and why).
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


class UnknownLayoutError(NotCdrError):
    """The input holds 3CX records, but their field count matches no built-in layout.

    The message says so; the admin must configure the field order (see ``parse_layout``).
    """


@dataclass(frozen=True)
class DetectedFormat:
    """What ``detect_format`` found: the parser to use and the field order it must apply."""

    name: str  # 'threecx' | 'asterisk' | 'headered_csv'
    layout: tuple[str, ...]
    description: str
