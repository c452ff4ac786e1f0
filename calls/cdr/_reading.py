"""Reading CDR files into physical records: lines joined where a quoted field runs on, CSV
split, the BOM dropped, each record with its first line number and raw text; a record that
cannot be read becomes a rejection. Re-exported by ``_common`` for the parsers."""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from .records import CdrRejection

BOM = "\ufeff"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One non-blank CSV record: where it starts, its text, its fields (None when unreadable)."""

    line_number: int
    raw: str
    fields: list[str] | None
    error: str = ""


class _LineSource:
    """Iterator over the input lines that numbers them and remembers the current record's lines.

    Lines can be pushed back (with their numbers) to be read again.
    """

    def __init__(self, lines: Iterable[str]):
        self._lines = iter(lines)
        self._pending: deque[tuple[int, str]] = deque()
        self._next_number = 1
        self.taken: list[tuple[int, str]] = []

    def __iter__(self) -> _LineSource:
        return self

    def __next__(self) -> str:
        if self._pending:
            number, text = self._pending.popleft()
        else:
            text = next(self._lines)
            number = self._next_number
            self._next_number += 1
            if text.startswith(BOM):
                text = text.lstrip(BOM)
        self.taken.append((number, text))
        return text

    def push_back(self, lines: list[tuple[int, str]]) -> None:
        self._pending.extendleft(reversed(lines))


def strip_newline(text: str) -> str:
    if text.endswith("\r\n"):
        return text[:-2]
    if text.endswith(("\n", "\r")):
        return text[:-1]
    return text


def join_raw(taken: list[tuple[int, str]]) -> str:
    return strip_newline("".join(text for _, text in taken))


def read_records(
    lines: Iterable[str],
    *,
    delimiter: str = ",",
    is_record_start: Callable[[str], bool] | None = None,
) -> Iterator[RawRecord]:
    """Yield every non-blank CSV record of ``lines`` with the physical line where it starts.

    Blank lines are skipped. A record that spans several physical lines (a quoted field with a
    newline) is kept whole, unless one of its continuation lines matches ``is_record_start``: then
    the quote was never closed, the first lines become an unreadable record and the following lines
    are read again, so one stray quote cannot swallow the records after it.
    """
    return convert_records(
        lines,
        RawRecord,
        _unreadable_raw,
        delimiter=delimiter,
        is_record_start=is_record_start,
    )


def _unreadable_raw(line_number: int, raw: str, error: str) -> RawRecord:
    return RawRecord(line_number, raw, None, error)


def convert_records(
    lines: Iterable[str],
    convert: Callable[[int, str, list[str]], T],
    unreadable: Callable[[int, str, str], T],
    *,
    delimiter: str = ",",
    is_record_start: Callable[[str], bool] | None = None,
) -> Iterator[T]:
    """``read_records`` handing each record straight to the parser: the parsers' fast lane.

    Yields ``convert(line_number, raw, fields)`` for each readable record and
    ``unreadable(line_number, raw, error)`` for each unreadable one (``read_records`` makes
    RawRecords of them), in order; the parser decides what the record becomes without a
    RawRecord being built for it.

    A physical line that holds no BOM, no line break but its ending and nothing longer than csv's
    field size limit, and no quote character, is a whole record whose fields are exactly
    ``raw.split(delimiter)``, what csv.reader returns for it: such lines, nearly all of a 3CX
    file, are split directly. Such a line with quotes (every Asterisk line, the chains of an
    Excel export) is read alone by a strict csv.reader; when that fails (a quote left open, a
    stray quote), and for any other line, the line starts the csv.reader route, which reads the
    record (over several lines if a quote spans them) as ``read_records`` always has. The result
    is the same either way.
    """
    if isinstance(lines, str):  # a whole text passed by mistake: read it as lines
        lines = lines.splitlines(keepends=True)
    source = _LineSource(lines)
    reader = csv.reader(source, delimiter=delimiter)
    pending = source._pending
    raw_lines = source._lines
    limit = csv.field_size_limit()
    quote = '"'
    blank_check_always = delimiter.isspace()
    # a line with quotes is first read alone, strictly: csv.reader(strict=True) fails on a quote
    # left open at the line's end (it asks ``feed`` for another line: IndexError) and on
    # anything the lenient reader would have to repair; what it accepts, the lenient reader
    # reads the same way
    feed: deque[str] = deque()
    strict = csv.reader(iter(feed.popleft, None), delimiter=delimiter, strict=True)
    number = 0  # the number of the last physical line taken
    while True:
        if not pending:
            for text in raw_lines:
                number += 1
                body, _, rest = text.partition("\n")
                if body[-1:] == "\r":
                    body = body[:-1]
                if not (rest or "\r" in body or BOM in body or len(body) > limit):
                    if quote not in body:
                        fields = body.split(delimiter)
                        if (blank_check_always or len(fields) == 1) and not body.strip():
                            continue
                        yield convert(number, body, fields)
                        continue
                    feed.append(body)
                    try:
                        fields = next(strict)
                    except (csv.Error, IndexError):
                        feed.clear()
                        strict = csv.reader(
                            iter(feed.popleft, None), delimiter=delimiter, strict=True
                        )
                    else:
                        yield convert(number, body, fields)
                        continue
                # the csv.reader route: this line, then as many as the record needs
                if text.startswith(BOM):
                    text = text.lstrip(BOM)
                pending.append((number, text))
                source._next_number = number + 1
                break
            else:
                return
        source.taken = []
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            taken = source.taken
            number = source._next_number - 1
            if taken and "".join(text for _, text in taken).strip():
                yield unreadable(taken[0][0], join_raw(taken), f"unreadable CSV: {exc}")
            continue
        taken = source.taken
        number = source._next_number - 1
        if not taken or not "".join(text for _, text in taken).strip():
            continue
        if len(taken) > 1 and is_record_start is not None:
            cut = next(
                (i for i in range(1, len(taken)) if is_record_start(taken[i][1])),
                None,
            )
            if cut is not None:
                source.push_back(taken[cut:])
                yield unreadable(
                    taken[0][0],
                    join_raw(taken[:cut]),
                    f"a quote opened in this record is never closed "
                    f"(the record runs into the next one at line {taken[cut][0]})",
                )
                continue
        yield convert(taken[0][0], join_raw(taken), fields)


def wrong_count(record: RawRecord, expected: int) -> CdrRejection:
    got = len(record.fields or ())
    return CdrRejection(
        record.line_number, record.raw, "", f"expected {expected} fields, got {got}"
    )


def unreadable(record: RawRecord) -> CdrRejection:
    return CdrRejection(record.line_number, record.raw, "", record.error)
