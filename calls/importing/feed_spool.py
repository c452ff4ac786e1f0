"""The live feed's spool: the raw lines received, on disk, one file per UTC day
(``feed-YYYY-MM-DD.log``), each with the position up to which it is imported and committed
(``.feed-YYYY-MM-DD.log.pos``, written atomically). Free of Django; see calls.importing.live_feed
for how the connections and the importer use it."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

# The spool is fsynced at least this often while lines arrive, and after this many lines.
FSYNC_SECONDS = 0.2
FSYNC_LINES = 64
# A "line" longer than this is cut: a peer that never sends a newline cannot fill memory.
MAX_LINE_BYTES = 64 * 1024
# How often blocked threads look at the stop flag.
TICK_SECONDS = 0.2


class Position(NamedTuple):
    """How far a spool file has been imported: bytes and lines, both committed."""

    offset: int = 0
    lines: int = 0


class Spool:
    """Appends received lines, as bytes, to one file per day (UTC) in ``folder``.

    Each line is one ``write()`` of its bytes and b"\\n" under a lock, so lines of several
    connections never mix; every ``FSYNC_LINES`` lines are fsynced as they are appended, and
    ``sync()`` fsyncs what was written since (the flusher calls it every ``FSYNC_SECONDS``).
    """

    PATTERN = "feed-*.log"

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # several connections write at once
        self._fd: int | None = None
        self._path: Path | None = None
        self._dirty = 0  # lines written since the last fsync
        self.lines_received = 0

    def path_for(self, when: datetime) -> Path:
        return self.folder / f"feed-{when:%Y-%m-%d}.log"

    def files(self) -> list[Path]:
        return sorted(self.folder.glob(self.PATTERN))

    def append(self, raw: bytes) -> None:
        data = memoryview(raw + b"\n")
        with self._lock:
            fd = self._file_for(self.path_for(datetime.now(UTC)))
            while data:
                data = data[os.write(fd, data) :]
            self._dirty += 1
            self.lines_received += 1
            if self._dirty >= FSYNC_LINES:
                os.fsync(fd)
                self._dirty = 0

    def sync(self) -> None:
        """fsync what was appended since the last call."""
        with self._lock:
            if self._fd is not None and self._dirty:
                os.fsync(self._fd)
                self._dirty = 0

    def close(self) -> None:
        with self._lock:
            self._close()

    def _file_for(self, path: Path) -> int:
        if path == self._path:
            return self._fd
        self._close()
        created = not path.exists()
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        if created:
            _fsync_folder(self.folder)  # the new file's name survives a power loss too
        elif os.fstat(fd).st_size and _last_byte(path) != b"\n":
            os.write(fd, b"\n")  # a line cut by a crash stays on its own
        self._fd, self._path = fd, path
        return fd

    def _close(self) -> None:
        if self._fd is not None:
            if self._dirty:
                os.fsync(self._fd)
            os.close(self._fd)
        self._fd, self._path, self._dirty = None, None, 0


def _last_byte(path: Path) -> bytes:
    with open(path, "rb") as stream:
        stream.seek(-1, os.SEEK_END)
        return stream.read(1)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def position_path(spool_file: Path) -> Path:
    """Hidden, so that ``import_cdr <spool folder>`` skips it."""
    return spool_file.with_name(f".{spool_file.name}.pos")


def read_position(spool_file: Path) -> Position:
    try:
        offset, lines = position_path(spool_file).read_text().split()
        return Position(int(offset), int(lines))
    except FileNotFoundError:
        return Position()


def write_position(spool_file: Path, position: Position) -> None:
    """Atomically: a crash leaves the old position or the new one, never half of one."""
    target = position_path(spool_file)
    temporary = target.with_name(target.name + ".tmp")
    with open(temporary, "w") as out:
        out.write(f"{position.offset} {position.lines}\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, target)


def flush_every(spool: Spool, stop: threading.Event, seconds: float = FSYNC_SECONDS) -> None:
    """The flusher: fsync the spool every ``seconds`` until ``stop``, and once more after."""
    while not stop.wait(seconds):
        spool.sync()
    spool.sync()
