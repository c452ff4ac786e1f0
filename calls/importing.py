"""Reading a CDR file for import: encoding, format detection, progress — no database.

A file is opened once to hash and sniff it (`inspect_cdr_file`) and again to stream it
(`open_cdr_text`), so memory stays flat whatever the size.
"""

import codecs
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from calls.cdr import DetectedFormat, NotCdrError, detect_format
from calls.cdr_messages import reason_text

HEAD_BYTES = 64 * 1024
HEAD_LINES = 50
FORMAT_NAMES = ("threecx", "asterisk", "headered_csv")


class CdrFileError(Exception):
    """The file cannot be imported at all; nothing was written. The message names the file."""


@dataclass(frozen=True)
class CdrFile:
    path: Path
    name: str
    size: int
    sha256: str
    encoding: str
    fmt: DetectedFormat


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _encoding_of(head: bytes) -> str:
    # UTF-8 (with or without BOM) as 3CX writes; Windows-1252 when Excel saved it otherwise.
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def inspect_cdr_file(
    path: Path,
    *,
    name: str | None = None,
    format_name: str | None = None,
    threecx_layout: tuple[str, ...] | None = None,
) -> CdrFile:
    """Hash the file, choose its encoding and detect its format, or raise CdrFileError."""
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
    if b"\x00" in head:
        raise CdrFileError(
            _("%(name)s: this is a binary file, not a call record file.") % {"name": name}
        )
    encoding = _encoding_of(head)
    text = head.decode(encoding, errors="replace")
    lines = text.splitlines(keepends=True)
    if len(head) == HEAD_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut in the middle
    try:
        fmt = detect_format(lines[:HEAD_LINES], threecx_layout=threecx_layout)
    except NotCdrError as error:
        raise CdrFileError(
            _("%(name)s: %(error)s") % {"name": name, "error": reason_text(str(error))}
        ) from None
    if format_name and fmt.name != format_name:
        raise CdrFileError(
            _("%(name)s: --format %(format)s was asked for, but the file reads as %(found)s.")
            % {"name": name, "format": format_name, "found": fmt.description}
        )
    return CdrFile(path, name, size, _sha256(path), encoding, fmt)


class _CountingReader(io.RawIOBase):
    """Counts the bytes read, for a progress bar over a text stream."""

    def __init__(self, raw):
        self.raw = raw
        self.count = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        read = self.raw.readinto(buffer)
        self.count += read or 0
        return read

    def close(self):
        self.raw.close()
        super().close()


def open_cdr_text(cdr_file: CdrFile) -> tuple[io.TextIOWrapper, _CountingReader]:
    """The file as text lines (newline='' for the csv module) and its byte counter."""
    counter = _CountingReader(open(cdr_file.path, "rb"))  # noqa: SIM115 - closed by the wrapper
    text = io.TextIOWrapper(
        io.BufferedReader(counter, 1024 * 1024),
        encoding=cdr_file.encoding,
        errors="replace",
        newline="",
    )
    return text, counter
