"""Reading a CDR file for import: text decoding, format detection, progress — no database.

A file is opened once to hash and sniff it (`inspect_cdr_file`) and again to stream it
(`open_cdr_lines`), so memory stays flat whatever the size.
"""

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from calls.cdr import DetectedFormat, NotCallsError, NotCdrError, detect_format
from calls.importing.messages import reason_text

HEAD_BYTES = 64 * 1024
HEAD_LINES = 50
FORMAT_NAMES = (
    "threecx",
    "asterisk",
    "headered_csv",
    "cisco_cucm",
    "avaya_smdr",
    "panasonic_smdr",
    "grandstream_ucm",
    "yeastar",
)


class CdrFileError(Exception):
    """The file cannot be imported at all; nothing was written. The message names the file.

    ``not_calls`` is True for a PBX file that holds no calls by design (a Cisco CUCM CMR
    file): skipped with a warning, not an error."""

    def __init__(self, message: str, *, not_calls: bool = False):
        super().__init__(message)
        self.not_calls = not_calls


@dataclass(frozen=True)
class CdrFile:
    path: Path
    name: str
    size: int
    sha256: str
    fmt: DetectedFormat


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _looks_binary(head: bytes) -> bool:
    """A spreadsheet, PDF or archive, not text. NUL bytes at the end (a file cut short by a
    power loss) or in a few fields do not make a text file binary: those lines are rejected
    one by one, and the rest is imported."""
    body = head.rstrip(b"\x00")
    if not body:
        return bool(head)
    controls = sum(body.count(bytes([byte])) for byte in _BINARY_BYTES)
    return controls > len(body) // 100


# Bytes that text never holds (tab, line feed, carriage return, form feed and escape aside).
_BINARY_BYTES = bytes(set(range(32)) - set(b"\t\n\r\x0c\x1b"))


def inspect_cdr_file(
    path: Path,
    *,
    name: str | None = None,
    format_name: str | None = None,
    threecx_layout: tuple[str, ...] | None = None,
) -> CdrFile:
    """Hash the file and detect its format, or raise CdrFileError."""
    name = name or str(path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as stream:
            head = stream.read(HEAD_BYTES)
    except OSError as error:
        raise CdrFileError(
            _("%(name)s: cannot be read (%(error)s).")
            % {"name": name, "error": error.strerror or error}
        ) from None
    if _looks_binary(head):
        raise CdrFileError(
            _("%(name)s: this is a binary file, not a call record file.") % {"name": name}
        )
    lines = list(LineReader(io.BytesIO(head)))
    if len(head) == HEAD_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut in the middle
    lines = [line for line in lines if line.strip("\x00 \t\r\n")]  # a NUL-padded tail
    try:
        fmt = detect_format(lines[:HEAD_LINES], threecx_layout=threecx_layout)
    except NotCdrError as error:
        raise CdrFileError(
            _("%(name)s: %(error)s") % {"name": name, "error": reason_text(str(error))},
            not_calls=isinstance(error, NotCallsError),
        ) from None
    if format_name and fmt.name != format_name:
        raise CdrFileError(
            _("%(name)s: --format %(format)s was asked for, but the file reads as %(found)s.")
            % {"name": name, "format": format_name, "found": fmt.description}
        )
    return CdrFile(path, name, size, _sha256(path), fmt)


UTF8_BOM = b"\xef\xbb\xbf"
_CHUNK_BYTES = 256 * 1024  # a quarter megabyte: ~as fast as 1 MB, less to hold


def decode_line(raw: bytes) -> str:
    """One line's bytes as text: UTF-8, else Windows-1252 (Italian Excel and older PBXs).

    Decided per line, so one Windows-1252 line in a UTF-8 file keeps its 'Niccolò' and the
    UTF-8 lines around it keep theirs. The five bytes Windows-1252 leaves undefined are read
    as Latin-1, so no byte is ever lost or replaced.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return "".join(
            bytes([byte]).decode("cp1252", errors="strict")
            if byte not in _CP1252_UNDEFINED
            else chr(byte)
            for byte in raw
        )


_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


class LineReader:
    """The lines of a binary stream as text, each decoded by ``decode_line``; ``count`` is the
    number of bytes taken so far (for a progress bar).

    Lines end as the csv module reads them with newline='': at \\n, \\r\\n or a lone \\r, the
    ending kept. A whole chunk is decoded at once when it is all UTF-8 (nearly every file),
    line by line only when it is not, so mixed files cost little more than clean ones.
    """

    def __init__(self, stream):
        self.stream = stream
        self.count = 0

    def __iter__(self):
        tail = b""
        first = True
        while True:
            block = self.stream.read(_CHUNK_BYTES)
            if first:
                first = False
                if block.startswith(UTF8_BOM):
                    block = block[len(UTF8_BOM) :]
                    self.count += len(UTF8_BOM)
            if not block:
                break
            block = tail + block
            cut = block.rfind(b"\n") + 1
            if not cut:  # no \n: a file with \r endings, or one long line
                cut = block.rfind(b"\r", 0, len(block) - 1) + 1
            if not cut:
                tail = block
                continue
            body, tail = block[:cut], block[cut:]
            self.count += len(body)
            yield from _lines_of(body)
        if tail:
            self.count += len(tail)
            yield from _lines_of(tail)

    def close(self):
        self.stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def _lines_of(body: bytes):
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return [decode_line(line) for line in body.splitlines(keepends=True)]
    # StringIO with newline='' splits exactly where csv and bytes.splitlines do (\n, \r\n,
    # \r), unlike str.splitlines, which also splits at form feeds and Unicode separators.
    return io.StringIO(text, newline="")


def open_cdr_lines(cdr_file: CdrFile) -> LineReader:
    """The file's lines as text (see LineReader), to be closed by the caller."""
    return LineReader(open(cdr_file.path, "rb"))  # noqa: SIM115 - closed by the caller


class _Part:
    """The next ``size`` bytes of a binary stream, read like a stream."""

    def __init__(self, stream, size: int):
        self.stream, self.left = stream, size

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        data = self.stream.read(size) if size else b""
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.stream.close()


def open_cdr_part_lines(path: Path, offset: int, end: int) -> LineReader:
    """The lines of the file's bytes ``offset`` to ``end`` (see LineReader), to be closed."""
    stream = open(path, "rb")  # noqa: SIM115 - closed by the caller
    stream.seek(offset)
    return LineReader(_Part(stream, end - offset))


def first_line(path: Path) -> str:
    """The file's first line, as text (the names row of a headered file)."""
    with LineReader(open(path, "rb")) as reader:
        return next(iter(reader), "")
