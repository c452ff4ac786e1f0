"""The CDR import service: the only writer of imported calls. A file (``cdr_import``), a live
feed (``cdr_feed_import``) or rejected lines read again (``rejected_lines_retry``): each line
becomes a call, a duplicate or a rejected line, in batches (``calls.importing.writers``), and
every import is one ImportRun, opened, counted and closed by ``import_run``."""

import hashlib
import itertools
import os
import socket
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from calls.cdr import (
    CdrRecord,
    CdrRejection,
    CdrSkip,
    DetectedFormat,
    NotCdrError,
    detect_format,
    parse,
)
from calls.cdr.detect import NUL_RUN
from calls.cdr.reasons import english
from calls.importing.counts import ImportCounts
from calls.importing.files import CdrFile, first_line, open_cdr_lines, open_cdr_part_lines
from calls.importing.messages import line_message, reason_message
from calls.importing.writers import CallRow, batch_writer, call_row
from calls.limits import REJECTED_RAW_KEPT_CHARS
from calls.matching import CallValues, MatchError, match_record
from calls.models import Call, ImportRun, RejectedLine
from calls.selectors import NO_OWNER, cdr_layout_default, code_owners_get, match_rules_get

BATCH_SIZE = 5000
SHOWN_REJECTIONS = 20
# A running import not heard of for this long (no batch written; a quiet live feed says it
# is alive every minute) is taken as interrupted, even from another machine.
STALE_AFTER = timedelta(minutes=10)
HEARTBEAT_EVERY = timedelta(minutes=1)
_HOST = socket.gethostname()[:255]


@dataclass(kw_only=True)
class ImportSummary(ImportCounts):
    """What one file's import did; `run` is None for a dry run (nothing written)."""

    file_name: str
    format_description: str
    # Lines that are no call (a printer's page header, a CUCM start record): counted here,
    # neither imported nor rejected; not part of lines_read.
    skipped: int = 0
    rejections: list["ShownRejection"] = field(default_factory=list)  # the first few
    run: ImportRun | None = None


class ShownRejection(NamedTuple):
    """A rejected line as reported after an import: ``message()`` says it in the active
    language (calls.importing.messages), ``str()`` in English for the command's output."""

    file_name: str
    line_number: int
    reason: str  # in English
    code: str = ""
    params: dict = {}  # noqa: RUF012 - a NamedTuple's default, never changed

    def message(self) -> str:
        return line_message(
            self.file_name, self.line_number, reason_message(self.code, self.params, self.reason)
        )

    def __str__(self) -> str:
        return f"{self.file_name} line {self.line_number}: {self.reason}"


def shown_nul(text: str) -> str:
    """NUL bytes written out (PostgreSQL stores none in text): '\\x00', a long run as
    '\\x00 × 4096' (the zeros a power loss leaves at the end of a file)."""
    if "\x00" not in text:
        return text
    text = NUL_RUN.sub(lambda run: f"\\x00 × {len(run.group())}", text)
    return text.replace("\x00", "\\x00")


def _rejected_line(run, file_name, line_number, raw, field_name, code, params) -> RejectedLine:
    """The rejected line to store: the line's first REJECTED_RAW_KEPT_CHARS characters, its
    length and SHA-256; the whole line's SHA-1 keeps it once (``rejectedline_raw_unique``)."""
    if raw and not raw.strip("\x00 \t\r\n"):
        code, params = "line_only_nul", {}
    # Kept as JSON: numbers and text (a Decimal limit becomes its text, as in the sentence).
    params = {
        name: value if isinstance(value, int | str) else str(value)
        for name, value in params.items()
    }
    params = {name: shown_nul(v) if isinstance(v, str) else v for name, v in params.items()}
    shown = shown_nul(raw)  # a run of NUL bytes is shown in a few characters
    reason = english(code, params)
    return RejectedLine(
        import_run=run,
        file_name=shown_nul(file_name)[:255],
        line_number=line_number,
        field=shown_nul(field_name)[:40],
        reason=reason,
        reason_code=code,
        reason_params=params,
        raw=shown[:REJECTED_RAW_KEPT_CHARS],
        raw_length=len(raw),
        raw_sha256=hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest(),
        raw_sha1=hashlib.sha1(shown.encode("utf-8", "replace")).hexdigest(),
    )


def _shown(line: RejectedLine) -> ShownRejection:
    return ShownRejection(
        line.file_name, line.line_number, line.reason, line.reason_code, line.reason_params
    )


class _Batch:
    """Calls and rejected lines of one transaction; counts where every line went."""

    def __init__(self, *, summary, run, file_name, dry_run):
        self.summary, self.run, self.file_name, self.dry_run = summary, run, file_name, dry_run
        self.run_id = run.pk if run else None
        # Who each code bills, read once: no query per line (a few thousand clients and
        # matters at most). A code names one client or one matter (clients.models).
        self.owners = code_owners_get()
        self.rows: list[CallRow] = []
        self.raws: list[str] = []  # each row's line, for a call the database might refuse
        self.rejects: list[RejectedLine] = []
        self.refused_reasons: dict[str, RejectedLine] = {}  # by raw_sha1, for a retry
        self.writer = None if dry_run else batch_writer(run.pk, refused=self.refused)
        self.call_row = self.writer.call_row if self.writer else call_row
        self.heard_at = timezone.now()

    def __len__(self):
        return len(self.rows) + len(self.rejects)

    def add_call(self, values: CallValues, raw: str):
        # No code ('') is never an owner's: one lookup serves every call.
        client_id, matter_id = self.owners.get(values.billing_code, NO_OWNER)
        self.rows.append(self.call_row(values, client_id, self.run_id, matter_id))
        self.raws.append(raw)

    def add_rejection(self, line_number, raw, field_name, code, params):
        line = _rejected_line(self.run, self.file_name, line_number, raw, field_name, code, params)
        self.rejects.append(line)
        self._show(line)

    def refused(self, line_number, raw, detail) -> RejectedLine:
        """The rejected line of a call the database refused (calls.importing.writers)."""
        code, params = "database_refused", {"error": detail}
        line = _rejected_line(self.run, self.file_name, line_number, raw, "", code, params)
        self._show(line)
        self.refused_reasons[line.raw_sha1] = line
        return line

    def _show(self, line: RejectedLine):
        if len(self.summary.rejections) < SHOWN_REJECTIONS:
            self.summary.rejections.append(_shown(line))

    def flush(self):
        if not self.rows and not self.rejects:
            return
        if self.dry_run:
            inserted = self._count_new()
            self.count(
                [
                    ImportCounts.of_batch(
                        calls=len(self.rows), inserted=inserted, rejects=len(self.rejects)
                    )
                ]
            )
        else:
            self.count(self.writer.write(self.rows, self.rejects, self.raws))
            self.heard_at = timezone.now()
        self.rows, self.raws, self.rejects = [], [], []

    def commit(self):
        """Write what is left and wait until everything written so far is committed. A live
        feed commits in every quiet spell: now and then that says the run is alive."""
        self.flush()
        if not self.dry_run:
            self.count(self.writer.finish())
            if timezone.now() - self.heard_at >= HEARTBEAT_EVERY:
                self.heard_at = timezone.now()
                ImportRun.objects.filter(pk=self.run.pk).update(heartbeat_at=self.heard_at)

    def release(self):
        """After the last batch (or a failure): the writer's extra connections go."""
        if self.writer:
            self.writer.release()

    def count(self, done: list[ImportCounts]):
        for counts in done:
            self.summary.add(counts)

    def _count_new(self) -> int:
        ids = {row.pbx_call_id for row in self.rows}
        stored = set(Call.records.filter(pbx_call_id__in=ids).values_list("pbx_call_id", flat=True))
        return len(ids - stored)


def import_runs_mark_interrupted(*, now=None, ids: Iterable[int] = ()) -> int:
    """Mark as interrupted the runs left 'running' by a process that died (killed, a power
    loss, the database gone): those of this machine whose process is gone, any not heard
    of for STALE_AFTER, and ``ids`` (runs of a live process that the database lost: the live
    feed's, calls.importing.live_feed). Run by every import, the admin's list of runs and the
    daily `mark_interrupted_imports`. Returns how many were marked."""
    now = now or timezone.now()
    running = ImportRun.objects.filter(status=ImportRun.Status.RUNNING)
    gone = [
        pk
        for pk, pid in running.filter(host=_HOST, pid__isnull=False).values_list("pk", "pid")
        if not _process_alive(pid)
    ]
    stale = Q(pk__in=gone) | Q(heartbeat_at__lt=now - STALE_AFTER)
    stale |= Q(heartbeat_at__isnull=True, started_at__lt=now - STALE_AFTER)
    stale |= Q(pk__in=list(ids))
    return running.filter(stale).update(
        status=ImportRun.Status.INTERRUPTED,
        error=(
            "The import stopped before its end (the process was killed, the power or the "
            "database went away). Import the same file again to complete it: calls already "
            "stored count as duplicates."
        ),
        finished_at=now,
    )


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # a process of another user holds it
    return True


def _storable(name: str, value):
    """A run's text as PostgreSQL stores it: a NUL (a header's column name may hold one)
    written out, then cut to the field's length."""
    if not isinstance(value, str):
        return value
    return shown_nul(value)[: ImportRun._meta.get_field(name).max_length]


@contextmanager
def import_run(summary: ImportSummary, **fields) -> Iterator[ImportRun]:
    """The ImportRun of one import: created (after marking dead runs as interrupted), then
    marked finished when the block ends, or failed with the error when it raises — unless
    the database is gone too, and then the next import marks it interrupted."""
    import_runs_mark_interrupted()
    fields = {name: _storable(name, value) for name, value in fields.items()}
    run = ImportRun.objects.create(
        host=_HOST, pid=os.getpid(), heartbeat_at=timezone.now(), **fields
    )
    summary.run = run
    try:
        yield run
    except BaseException as error:
        try:
            ImportRun.objects.filter(pk=run.pk).update(
                status=ImportRun.Status.FAILED,
                error=f"{type(error).__name__}: {error}",
                finished_at=timezone.now(),
            )
        except DatabaseError:  # noqa: S110 - the error that stopped the run is the one to report
            pass
        raise
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.FINISHED, finished_at=timezone.now()
    )
    run.refresh_from_db()


def cdr_import(
    *,
    cdr_file: CdrFile,
    dry_run: bool = False,
    user=None,
    via: str = "command",
    time_zone: str | None = None,
    progress: Callable[[int], None] | None = None,
    batch_size: int | None = None,
) -> ImportSummary:
    """Import one inspected CDR file: every line becomes a call, a duplicate, or a rejected line.

    Commits every `batch_size` lines, so a run that is killed keeps what it did and a second
    run finishes the job (calls already stored count as duplicates). `progress` is called
    with the number of bytes read so far.
    """
    fmt = cdr_file.fmt
    summary = ImportSummary(file_name=cdr_file.name, format_description=fmt.description)
    if dry_run:
        _read_file(cdr_file, summary, None, time_zone, progress, batch_size)
        return summary
    with import_run(
        summary,
        file_name=cdr_file.name[:255],
        file_size=cdr_file.size,
        sha256=cdr_file.sha256,
        format_name=fmt.name,
        format_description=fmt.description[:200],
        layout=", ".join(fmt.layout),
        user=user,
        via=via,
    ) as run:
        _read_file(cdr_file, summary, run, time_zone, progress, batch_size)
    return summary


def _read_file(cdr_file, summary, run, time_zone, progress, batch_size) -> None:
    batch_size = batch_size or BATCH_SIZE
    tz = ZoneInfo(time_zone or settings.TIME_ZONE)
    rules = match_rules_get()
    batch = _Batch(summary=summary, run=run, file_name=cdr_file.name, dry_run=run is None)
    try:
        with open_cdr_lines(cdr_file) as reader:
            for item in parse(reader, cdr_file.fmt, tz):
                _add_to_batch(item, rules, batch)
                if len(batch) >= batch_size:
                    batch.flush()
                    if progress:
                        progress(reader.count)
            batch.commit()
            if progress:
                progress(reader.count)
    except BaseException:
        if batch.writer:
            batch.writer.abort()
        raise
    finally:
        batch.release()


def _add_to_batch(item: CdrRecord | CdrRejection | CdrSkip, rules, batch: _Batch) -> None:
    if isinstance(item, CdrSkip):
        batch.summary.skipped += 1
        return
    if isinstance(item, CdrRejection):
        batch.add_rejection(item.line_number, item.raw, item.field, item.code, item.params)
        return
    try:
        values = match_record(item, rules)
    except MatchError as error:
        batch.add_rejection(item.line_number, item.raw, error.field, error.code, error.params)
        return
    batch.add_call(values, item.raw)


def cdr_file_part_import(
    *,
    cdr_file: CdrFile,
    offset: int,
    end: int,
    lines_before: int,
    via: str = "watch",
    time_zone: str | None = None,
) -> ImportSummary:
    """Import the lines of ``cdr_file`` between bytes ``offset`` and ``end``: the part of a
    file that is new since it was last read (``listen_cdr --watch``, calls/importing/watch.py).

    ``lines_before`` lines come before ``offset``: rejected lines keep the file's own line
    numbers. A format whose first line names the columns reads that line first, and the
    lines after ``offset`` under it. One ImportRun (``via``), committed in batches like
    ``cdr_import``: a run cut short is completed by reading the same part again.
    """
    fmt = cdr_file.fmt
    summary = ImportSummary(file_name=cdr_file.name, format_description=fmt.description)
    header = [first_line(cdr_file.path)] if offset and fmt.name in _HEADERED_FORMATS else []
    shift = lines_before - len(header)
    tz = ZoneInfo(time_zone or settings.TIME_ZONE)
    with import_run(
        summary,
        file_name=cdr_file.name[:255],
        file_size=cdr_file.size,
        sha256=cdr_file.sha256,
        format_name=fmt.name,
        format_description=fmt.description[:200],
        layout=", ".join(fmt.layout),
        via=via,
    ) as run:
        rules = match_rules_get()
        batch = _Batch(summary=summary, run=run, file_name=cdr_file.name, dry_run=False)
        try:
            with open_cdr_part_lines(cdr_file.path, offset, end) as reader:
                for item in parse(itertools.chain(header, reader), fmt, tz):
                    if shift:
                        item = replace(item, line_number=item.line_number + shift)
                    _add_to_batch(item, rules, batch)
                    if len(batch) >= BATCH_SIZE:
                        batch.flush()
                batch.commit()
        except BaseException:
            batch.writer.abort()
            raise
        finally:
            batch.release()
    return summary


# Formats whose first line names the columns: a rejected line is read again under it.
_HEADERED_FORMATS = ("headered_csv", "cisco_cucm", "grandstream_ucm", "yeastar")


def _retry_items(line: RejectedLine, tz, threecx_layout) -> CdrRecord | CdrRejection:
    """Read a rejected line again with today's layouts; the original line number is kept."""
    run = line.import_run
    if run.format_name in _HEADERED_FORMATS:
        header = run.layout.split(", ")
        delimiter = ";" if line.raw.count(";") > line.raw.count(",") else ","
        lines = [delimiter.join(header) + "\n", line.raw + "\n"]
        fmt = DetectedFormat(run.format_name, tuple(header), run.format_description)
    else:
        lines = [line.raw + "\n"]
        try:
            fmt = detect_format(lines, threecx_layout=threecx_layout)
        except NotCdrError as error:
            return CdrRejection(line.line_number, line.raw, "", error.code, error.params)
    items = [item for item in parse(lines, fmt, tz) if not isinstance(item, CdrSkip)]
    if not items:
        return CdrRejection(line.line_number, line.raw, "", "line_empty")
    return replace(items[-1], line_number=line.line_number)


def rejected_lines_retry(*, lines: Iterable[RejectedLine], user=None) -> ImportSummary:
    """Import rejected lines again after a layout or rule was fixed. Lines that now import
    (or turn out to be stored already) leave the list; the others get today's reason."""
    lines = list(lines)
    file_name = f"retry of {len(lines)} rejected lines"
    summary = ImportSummary(file_name=file_name, format_description="")
    with import_run(
        summary,
        file_name=file_name,
        file_size=0,
        sha256="",
        format_name="retry",
        format_description="Retry of rejected lines",
        user=user,
        via="retry",
    ) as run:
        batch = _Batch(summary=summary, run=run, file_name=file_name, dry_run=False)
        rules, tz, now = match_rules_get(), ZoneInfo(settings.TIME_ZONE), timezone.now()
        layout = cdr_layout_default()  # once, not per line
        resolved, still = [], []
        for line in lines:
            if line.is_cut:  # only its beginning is kept: reading it again proves nothing
                line.retried_at = now
                still.append(line)
                continue
            item = _retry_items(line, tz, layout)
            if isinstance(item, CdrRecord):
                try:
                    batch.add_call(match_record(item, rules), line.raw)
                    resolved.append(line)
                    continue
                except MatchError as error:
                    item = CdrRejection(
                        line.line_number, line.raw, error.field, error.code, error.params
                    )
            today = _rejected_line(
                run, line.file_name, line.line_number, line.raw, item.field, item.code, item.params
            )
            line.field, line.retried_at = today.field, now
            line.reason, line.reason_code, line.reason_params = (
                today.reason,
                today.reason_code,
                today.reason_params,
            )
            still.append(line)
        with transaction.atomic():
            writer = batch.writer
            done = writer.write(batch.rows, [], batch.raws) + writer.finish()
            writer.release()
            # A call the database refused keeps its rejected line, with the database's reason
            # (the writer's new rejected line for it is the same line: not stored twice).
            refused = batch.refused_reasons
            for line in resolved:
                if line.raw_sha1 in refused:
                    today = refused[line.raw_sha1]
                    line.field, line.retried_at = "", now
                    line.reason, line.reason_code, line.reason_params = (
                        today.reason,
                        today.reason_code,
                        today.reason_params,
                    )
                    still.append(line)
            RejectedLine.objects.filter(pk__in=[line.pk for line in resolved]).exclude(
                raw_sha1__in=refused
            ).delete()
            RejectedLine.objects.bulk_update(
                still, ["field", "reason", "reason_code", "reason_params", "retried_at"]
            )
            imported = sum(c.imported for c in done)
            duplicates = sum(c.duplicates for c in done)
            ImportRun.objects.filter(pk=run.pk).update(
                lines_read=len(lines),
                imported=imported,
                duplicates=duplicates,
                rejected=len(lines) - imported - duplicates,
            )
    summary.lines_read, summary.imported = run.lines_read, run.imported
    summary.duplicates, summary.rejected = run.duplicates, run.rejected
    summary.rejections = [_shown(line) for line in still[:SHOWN_REJECTIONS]]
    return summary


def cdr_feed_import(
    *,
    lines: Iterable[str | None],
    source: str,
    threecx_layout: tuple[str, ...] | None = None,
    fmt: DetectedFormat | None = None,
    time_zone: str | None = None,
    first_line_number: int = 1,
    summary: ImportSummary | None = None,
) -> ImportSummary:
    """Import CDR lines as a live feed delivers them (3CX's CDR socket, calls.importing.live_feed).

    ``lines`` yields each received line, or None when the feed has been quiet for a moment:
    then what was received is committed, so a call shows up within a second or so. The
    format is ``fmt`` when given (an SMDR feed, calls.importing.feeds), else detected from
    the first line that is a call record (or ``threecx_layout``); lines before it are
    rejected with the reason, never dropped. One ImportRun per feed
    (via "feed"), finished when the feed ends. Lines are numbered from ``first_line_number``
    (a feed resumed in the middle of its spool file keeps that file's line numbers).
    ``summary``, when given, is filled as batches are committed: after a failure it still
    says what was stored, and its ``run`` which run to mark interrupted.
    """
    tz = ZoneInfo(time_zone or settings.TIME_ZONE)
    rules = match_rules_get()
    summary = summary or ImportSummary(file_name=source, format_description="")
    with import_run(
        summary, file_name=source[:255], file_size=0, sha256="", format_name="feed", via="feed"
    ) as run:
        batch = _Batch(summary=summary, run=run, file_name=source, dry_run=False)
        line_number = first_line_number - 1
        if fmt is not None:
            _record_format(run, summary, fmt)
        try:
            for line in lines:
                if line is None:
                    batch.commit()  # the feed is quiet: what was received is stored now
                    continue
                line_number += 1
                if not line.strip():
                    continue
                if fmt is None:
                    try:
                        fmt = detect_format([line], threecx_layout=threecx_layout)
                    except NotCdrError as error:
                        batch.add_rejection(
                            line_number, line.rstrip("\r\n"), "", error.code, error.params
                        )
                        continue
                    _record_format(run, summary, fmt)
                for item in parse([line], fmt, tz):
                    _add_to_batch(replace(item, line_number=line_number), rules, batch)
                if len(batch) >= BATCH_SIZE:
                    batch.flush()
            batch.commit()
        except BaseException:
            batch.writer.abort()
            raise
        finally:
            batch.release()
    return summary


def _record_format(run: ImportRun, summary: ImportSummary, fmt: DetectedFormat) -> None:
    summary.format_description = fmt.description
    ImportRun.objects.filter(pk=run.pk).update(
        format_name=fmt.name,
        format_description=fmt.description[:200],
        layout=", ".join(fmt.layout),
    )
