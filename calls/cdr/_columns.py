"""The one reader of the CSV formats whose first row names the columns: Cisco CUCM, Grandstream
UCM, Yeastar and any CSV call list with a header row (``headered_csv``).

What is the same for all of them lives here, once:

- the header: the first non-blank record, its delimiter taken from it (comma, semicolon or tab,
  as ``detect_format`` takes it), its names trimmed; an empty or unreadable header is a
  NotCdrError;
- the columns: each name is keyed the way the format compares names (``plain_key``, or the
  format's own), and each role the format reads gets, once per file, the position of the first
  column whose key is one of the role's aliases (``Columns``);
- the records: each one's field count is checked (one empty field too many, a trailing
  delimiter, is dropped where the format allows it), its values for the roles are taken in one
  step, trimmed, into the format's named row type (``Columns.picker``: '' for a role the header
  lacks), and one function turns that row into a CdrRecord through the format's ``Rules``; a
  FieldError becomes the record's rejection, naming the line and the field.

A format module keeps only what is its own: the column names and aliases (its row type), the
conventions of its values (``Rules``: times, parties and direction, identity, status) and the
docstring that cites the vendor's documentation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from hashlib import sha1
from itertools import chain
from operator import add, itemgetter
from typing import NamedTuple

from ._common import (
    BOM,
    FieldError,
    RunCounter,
    convert_records,
    local_times,
    make_record,
    money,
    strip_newline,
    unreadable_line,
)
from .records import CdrRecord, CdrRejection, CdrSkip, NotCdrError

Item = CdrRecord | CdrRejection | CdrSkip
# start, answered, end, talk seconds, ring seconds
Times = tuple[datetime, datetime | None, datetime | None, int, int]
# caller, caller_name, caller_type, called, called_type, dialled, final_number, final_type,
# trunk_identifier
Parties = tuple[str, str, str, str, str, str, str, str, str]


def sniff_delimiter(line: str) -> str:
    """The delimiter of a header line: whichever of ',', ';' and tab splits it most."""
    counts = {delimiter: line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def plain_key(name: str) -> str:
    """A header name compared without case and surrounding spaces (CUCM, Grandstream)."""
    return name.strip().lstrip(BOM).lower()


class Columns:
    """A header row, read once: its names, their keys and the position of each role.

    ``aliases`` maps each role to the keys that name it, the first present one winning; the
    first column with a given key is the one read.
    """

    def __init__(
        self,
        names: list[str],
        key: Callable[[str], str],
        aliases: Mapping[str, Sequence[str]],
    ):
        self.names = names
        self.keys = [key(name) for name in names]
        self._prefixes = [f"{name_key.strip()}=" for name_key in self.keys]
        positions: dict[str, int] = {}
        for position, name_key in enumerate(self.keys):
            positions.setdefault(name_key, position)
        self.positions = positions
        self.roles: dict[str, int] = {}
        for role, role_aliases in aliases.items():
            found = next((positions[alias] for alias in role_aliases if alias in positions), None)
            if found is not None:
                self.roles[role] = found

    def __contains__(self, role: str) -> bool:
        return role in self.roles

    def name(self, role: str) -> str:
        """The header's own name of the role's column (the role when there is none)."""
        position = self.roles.get(role)
        return role if position is None else self.names[position]

    def picker(self, row_type: type[NamedTuple]) -> Callable[[str, list[str]], NamedTuple]:
        """The function that takes a record's values for the row type's fields (roles), trimmed,
        as a ``row_type``; '' for a role the header lacks. Given the record's text too: a
        record with no white space at all (a CUCM line) needs no trimming."""
        size = len(self.names)
        positions = [self.roles.get(role, size) for role in row_type._fields]
        getter = itemgetter(*positions)
        strip = str.strip
        make = tuple.__new__
        missing = size in positions

        def pick(text: str, fields: list[str]) -> NamedTuple:
            if missing:
                fields.append("")
            try:
                if text.split(None, 1) == [text]:
                    return make(row_type, getter(fields))
                return make(row_type, map(strip, getter(fields)))
            finally:
                if missing:
                    fields.pop()

        return pick

    def row_digest(self, fields: list[str]) -> str:
        """12 hex digits naming a row by its header keys and values (for a file without ids):
        ``short_hash`` of 'key=value' for each column (a key holds no space: only the
        value's end is trimmed)."""
        if len(fields) != len(self._prefixes):
            raise ValueError("a row's values and the header's names differ in number")
        # stripped_hash of the 'key=value' texts, made in C (map) rather than one by one
        joined = "\x1f".join(map(add, self._prefixes, map(str.rstrip, fields)))
        return sha1(joined.encode("utf-8")).hexdigest()[:12]


def read_columns(
    lines: Iterable[str],
    columns: Callable[[list[str]], Columns | None],
    row_type: type[NamedTuple],
    rules: Callable[[Columns], Rules],
) -> Iterator[Item]:
    """One item per record after the header: the record ``rules`` make of it, or its rejection.

    ``columns`` reads the header's names (None: the header names no calls, a NotCdrError) and
    ``rules`` makes the format's conventions for the file. The row type names the roles read:
    its ``code`` field is the billing code (all digits, else ''), a ``cost`` field the cost.
    Raises NotCdrError at once when the file is empty or its header unreadable or no CDR header.
    """
    lines = iter(lines)
    head: list[str] = []
    for line in lines:
        head.append(line)
        if line.strip().lstrip(BOM).strip():
            break
    else:
        raise NotCdrError("file_empty")
    delimiter = sniff_delimiter(strip_newline(head[-1]).lstrip(BOM))
    # the header goes through the same reader as the records: the first record's fields are
    # kept as they are, then ``convert`` becomes the records' conversion
    target: list[Callable] = [_as_header]

    def convert(line_number: int, text: str, fields: list[str]) -> object:
        return target[0](line_number, text, fields)

    records = convert_records(chain(head, lines), convert, unreadable_line, delimiter=delimiter)
    header = next(records)
    if isinstance(header, CdrRejection):
        raise NotCdrError("header_unreadable", error=header.reason)
    names = [name.strip().lstrip(BOM) for name in header]
    found = columns(names)
    if found is None:
        raise NotCdrError("header_without_calls", columns=", ".join(names))
    target[0] = _converter(found, row_type, rules(found))
    return records


def _as_header(line_number: int, text: str, fields: list[str]) -> list[str]:
    return fields


class Rules:
    """A format's conventions for one file: each method reads its part of a row (a FieldError
    rejects the record, naming the field). What every format keeps per file is here."""

    # whether a record with one empty field more than the header (a trailing delimiter) is read
    trailing_delimiter = True

    def __init__(self, columns: Columns, tz: tzinfo = UTC):
        self.tz = tz
        self.local = local_times(tz).convert
        self.runs = RunCounter()
        self.row_digest = columns.row_digest

    def skip(self, row: NamedTuple, fields: list[str]) -> str:
        """Why the record is no call (it becomes a CdrSkip), '' when it is one."""
        return ""

    def odd_count(self, line_number: int, text: str, fields: list[str]) -> Item | None:
        """What a record with another field count than the header is (None: rejected)."""
        return None

    def times(self, row: NamedTuple) -> Times:
        raise NotImplementedError

    def identity(self, row: NamedTuple, fields: list[str]) -> tuple[str, str]:
        """pbx_call_id and leg_group."""
        raise NotImplementedError

    def parties(self, row: NamedTuple) -> Parties:
        raise NotImplementedError

    def outcome(self, row: NamedTuple, answered: datetime | None, talk: int) -> tuple[str, str]:
        """status and termination."""
        raise NotImplementedError


def _converter(
    columns: Columns, row_type: type[NamedTuple], rules: Rules
) -> Callable[[int, str, list[str]], Item]:
    """The function that makes a record's item; the rules' FieldError, raised in the order
    skip, times, cost, then the rest, rejects the record with the field."""
    size = len(columns.names)
    trailing_delimiter = rules.trailing_delimiter
    odd_count = rules.odd_count
    pick = columns.picker(row_type)
    skip = rules.skip if type(rules).skip is not Rules.skip else None
    times, parties, identity, outcome = rules.times, rules.parties, rules.identity, rules.outcome
    code_at = row_type._fields.index("code")
    cost_at = row_type._fields.index("cost") if "cost" in row_type._fields else None
    cost_name = columns.name("cost")
    costs: dict[str, Decimal | None] = {}

    def convert(line_number: int, text: str, fields: list[str]) -> Item:
        count = len(fields)
        if count != size:
            if trailing_delimiter and count == size + 1 and not fields[-1].strip():
                del fields[-1]
            else:
                odd = odd_count(line_number, text, fields)
                if odd is not None:
                    return odd
                return CdrRejection(
                    line_number, text, "", "wrong_count", {"expected": size, "got": count}
                )
        try:
            row = pick(text, fields)
            if skip is not None:
                reason = skip(row, fields)
                if reason:
                    return CdrSkip(line_number, text, reason)
            start, answered, end, talk, ring = times(row)
            cost = None
            if cost_at is not None and row[cost_at]:
                cost = costs.get(row[cost_at], _MISSING)
                if cost is _MISSING:
                    cost = money(cost_name, row[cost_at])
                    if len(costs) >= 4096:
                        costs.clear()
                    costs[row[cost_at]] = cost
            call_id, leg_group = identity(row, fields)
            caller, name, caller_type, called, called_type, dialled, final, final_type, trunk = (
                parties(row)
            )
            status, termination = outcome(row, answered, talk)
            code = row[code_at]
            return make_record(
                line_number, text, call_id, start, answered, end, talk, ring,
                caller, name, caller_type, called, called_type, dialled, final, final_type,
                trunk, code if code.isdigit() and code.isascii() else "", cost,
                status, termination, leg_group,
            )  # fmt: skip
        except FieldError as error:
            return error.rejection(line_number, text)

    return convert


_MISSING = object()
