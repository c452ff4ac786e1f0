"""The watched folder: ``listen_cdr --watch DIR`` imports the call-record files a PBX puts in
a folder (Cisco's CDR Repository Manager sends ``cdr_*`` files by SFTP; 3CX writes
``cdr.log`` files and appends to them; any format ``import_cdr`` reads will do).

Every poll (a second) looks at the folder's files (not its sub-folders, nor hidden files,
nor the temporary names an upload uses: ``*.part``, ``*.tmp``, ``*.filepart``). A file is
read once its size, inode and modification time have not changed for ``settle_seconds``
(watched here, not taken from the file's times, which an SFTP client may set to the
original's): a file still being written waits. Then only its complete lines not read
before are imported (``calls.importing.services.cdr_file_part_import``), and a
``WatchedFile`` row remembers the path, inode, bytes and lines imported, and the SHA-256 of
those bytes:

- the same file again (unchanged, or the same bytes under another name) stores nothing;
- a grown file imports only its new complete lines (a headered file's new lines are read
  under its first line, the column names);
- a file replaced under the same name (another inode, other first bytes, or shorter) is
  read from its start: calls already stored count as duplicates;
- a last line with no line end waits: it is read once the file has not changed for
  ``final_seconds`` (an hour by default), the writer being surely done;
- a file that is no call-record file (or a Cisco CMR file) is noted once with the reason
  and looked at again only when it changes.

The files themselves are the spool: when the database is away, the import fails, nothing is
marked as read, and the same lines are imported when it answers (every ``retry_seconds``),
calls committed before the failure counting as duplicates. Nothing is lost, nothing is
stored twice.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
RETRY_SECONDS = 5.0
HEAD_BYTES = 4096
SKIPPED_SUFFIXES = (".part", ".partial", ".tmp", ".filepart", ".swp", ".pos", "~")
_BLOCK = 1024 * 1024


def is_watched(path: Path) -> bool:
    """A file the folder watch reads: not hidden, not an upload's temporary name."""
    name = path.name
    return not name.startswith(".") and not name.lower().endswith(SKIPPED_SUFFIXES)


@dataclass
class WatchTotals:
    files: int = 0  # files (or parts of files) imported
    unchanged: int = 0  # files looked at again that held nothing new
    lines_read: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    skipped: int = 0
    failed: int = 0


@dataclass(frozen=True)
class Outcome:
    """What one look at a file did: ``summary`` is the import's (None when nothing was
    imported); ``tail`` is True when a last line without its end was left for later."""

    summary: object | None
    tail: bool
    note: str = ""


class FolderWatch:
    """``run()`` is the watch's body and returns once ``stop`` is set; ``scan()`` is one
    look at the folder (tests call it directly)."""

    def __init__(
        self,
        folder: Path,
        *,
        stop: threading.Event,
        settle_seconds: float,
        final_seconds: float,
        poll_seconds: float = POLL_SECONDS,
        retry_seconds: float = RETRY_SECONDS,
        threecx_layout: Callable[[], tuple[str, ...] | None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.folder, self.stop = Path(folder), stop
        self.settle_seconds, self.final_seconds = settle_seconds, final_seconds
        self.poll_seconds, self.retry_seconds = poll_seconds, retry_seconds
        self.threecx_layout, self.clock = threecx_layout, clock
        self.totals = WatchTotals()
        self.failing = False
        self._seen: dict[Path, tuple[tuple[int, int, int], float]] = {}  # key, since
        self._done: dict[Path, tuple[int, int, int]] = {}
        self._tails: set[Path] = set()

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                done = self.scan()
                _disconnect()  # no connection held between looks
                self.stop.wait(self.poll_seconds if done else self.retry_seconds)
        finally:
            _disconnect()

    def scan(self) -> bool:
        """Import what is ready; False when an import failed (it is tried again later)."""
        now = self.clock()
        try:
            paths = sorted(path for path in self.folder.iterdir() if is_watched(path))
        except OSError as error:
            logger.error("CDR watch: cannot list %s (%s)", self.folder, error)
            return False
        present = set()
        for path in paths:
            if self.stop.is_set():
                break
            try:
                status = path.stat()
            except OSError:  # gone meanwhile
                continue
            if not path.is_file():
                continue
            present.add(path)
            key = (status.st_size, status.st_ino, status.st_mtime_ns)
            seen = self._seen.get(path)
            if seen is None or seen[0] != key:
                self._seen[path] = (key, now)
                continue
            quiet = now - seen[1]
            if quiet < self.settle_seconds:
                continue
            take_tail = path in self._tails and quiet >= self.final_seconds
            if self._done.get(path) == key and not take_tail:
                continue
            if not self._look_at(path, take_tail=quiet >= self.final_seconds):
                return False
            self._done[path] = key
        for gone in set(self._seen) - present:
            self._seen.pop(gone, None)
            self._done.pop(gone, None)
            self._tails.discard(gone)
        return True

    def _look_at(self, path: Path, *, take_tail: bool) -> bool:
        try:
            outcome = watched_file_import(
                path,
                take_tail=take_tail,
                threecx_layout=self.threecx_layout() if self.threecx_layout else None,
            )
        except FileNotFoundError:
            return True
        except Exception as error:  # the database is away, most likely: try again later
            self.totals.failed += 1
            if not self.failing:
                logger.error(
                    "CDR watch: cannot import %s (%s); trying again every %s s",
                    path.name,
                    " ".join(str(error).split()),
                    self.retry_seconds,
                )
            self.failing = True
            return False
        if self.failing:
            self.failing = False
            logger.warning("CDR watch: the database answers again")
        if outcome.tail:
            self._tails.add(path)
        else:
            self._tails.discard(path)
        summary = outcome.summary
        if summary is None:
            self.totals.unchanged += 1
            return True
        self.totals.files += 1
        for name in ("lines_read", "imported", "duplicates", "rejected", "skipped"):
            setattr(self.totals, name, getattr(self.totals, name) + getattr(summary, name))
        logger.info(
            "CDR watch: %s: %d lines read, %d imported, %d duplicates, %d rejected",
            path.name,
            summary.lines_read,
            summary.imported,
            summary.duplicates,
            summary.rejected,
        )
        return True


def _disconnect() -> None:
    from django.db import connection

    try:
        connection.close()
    except Exception:  # noqa: BLE001, S110 - a broken connection is closed all the same
        pass


# --- One file: what is new in it, imported, remembered ----------------------------------


@dataclass(frozen=True)
class _Scan:
    """The file from ``offset``: where its complete lines end, how many, and its size."""

    end: int  # after the last line end (``offset`` when none)
    lines: int
    size: int


def _scan(path: Path, offset: int) -> _Scan:
    end, lines, position = offset, 0, offset
    with open(path, "rb") as stream:
        stream.seek(offset)
        while block := stream.read(_BLOCK):
            count = block.count(b"\n")
            if count:
                lines += count
                end = position + block.rfind(b"\n") + 1
            position += len(block)
    return _Scan(end, lines, position)


def _head_sha1(path: Path, length: int) -> str:
    with open(path, "rb") as stream:
        return hashlib.sha1(stream.read(min(length, HEAD_BYTES))).hexdigest()


def watched_file_import(
    path: Path, *, take_tail: bool = False, threecx_layout: tuple[str, ...] | None = None
) -> Outcome:
    """Import what is new in ``path`` (see the module's docstring) and remember it."""
    from calls.importing.files import CdrFileError, inspect_cdr_file
    from calls.importing.services import cdr_file_part_import
    from calls.models import WatchedFile

    key = str(path.resolve())
    status = path.stat()
    state = WatchedFile.objects.filter(path=key).first()
    offset = lines = 0
    if (
        state is not None
        and state.inode == status.st_ino
        and state.offset <= status.st_size
        and state.head_sha1 == _head_sha1(path, state.offset)
    ):
        offset, lines = state.offset, state.lines
    if state is not None and state.note and offset:
        if offset == status.st_size:
            return Outcome(None, False, state.note)  # not a CDR file, and unchanged
        offset = lines = 0  # it changed: look at it again
    scan = _scan(path, offset)
    end, new_lines = scan.end, scan.lines
    tail = scan.size > end
    if tail and take_tail:
        end, new_lines, tail = scan.size, new_lines + 1, False
    if end <= offset:
        return Outcome(None, tail)

    def remember(upto: int, **values) -> None:
        head = _head_sha1(path, upto)
        WatchedFile.objects.update_or_create(
            path=key, defaults={"inode": status.st_ino, "head_sha1": head, "offset": upto, **values}
        )

    sha256_to_end = _sha256_of(path, end)
    if offset == 0:
        same = WatchedFile.objects.filter(sha256=sha256_to_end, offset=end, note="").first()
        if same is not None:  # sent again, or put back in its place
            logger.info("CDR watch: %s holds the same bytes as %s: nothing new", path, same.path)
            remember(end, lines=new_lines, sha256=sha256_to_end, note="")
            return Outcome(None, tail)
    try:
        cdr_file = inspect_cdr_file(path, name=path.name, threecx_layout=threecx_layout)
    except CdrFileError as error:
        logger.warning("CDR watch: %s", error)
        remember(scan.size, lines=0, sha256="", note=str(error), format_name="")
        return Outcome(None, False, str(error))
    summary = cdr_file_part_import(
        cdr_file=cdr_file, offset=offset, end=end, lines_before=lines, via="watch"
    )
    remember(
        end,
        lines=lines + new_lines,
        sha256=sha256_to_end,
        note="",
        format_name=cdr_file.fmt.name,
        import_run=summary.run,
    )
    return Outcome(summary, tail)


def _sha256_of(path: Path, length: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        left = length
        while left and (block := stream.read(min(_BLOCK, left))):
            digest.update(block)
            left -= len(block)
    return digest.hexdigest()
