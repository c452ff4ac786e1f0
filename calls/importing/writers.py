"""Fast insertion of imported calls, one path per database.

Plain ORM inserts run at ~25,000 rows/s; a CDR import needs several times that. Every path
skips a call whose PBX identity (pbx_call_id) is already stored — in SQL, so two
processes importing the same file at once still store each call once — and reports how
many rows were really inserted (the rest are duplicates).

Each writer writes one batch (calls, rejected lines, the run's counters) per transaction,
so a killed run keeps what it wrote. A batch holding records of a call in several records
(a transfer) joins them in the same transaction (calls.importing.legs). On SQLite, whose
triggers run once per row, the batch adds its calls to the hourly totals (CallHourTotal) in
one grouped statement instead: the row trigger is dropped and created again inside the
batch's transaction (SQLite's DDL is transactional and its writers take turns, so no other
connection ever writes without it).

On PostgreSQL it COPYs the batch into a temporary table and sends the INSERT … SELECT in
pipeline mode without waiting, the batches taking turns over two server connections: the
server inserts on both cores while Python reads the next batch. Their counts arrive later
(``finish()`` waits for all of them; ``release()`` closes the extra connection at the end).
"""

from collections import namedtuple
from collections.abc import Callable
from operator import itemgetter

import psycopg
from django.conf import settings
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Now
from psycopg import errors as psycopg_errors
from psycopg.types.json import Jsonb

from calls.importing.counts import ImportCounts
from calls.importing.legs import (
    PG_INDEX_LOOKUPS,
    PG_JOINED_BATCH,
    PG_JOINED_EXTRA,
    PG_JOINED_VALUES,
    PG_LOCK,
    PG_PLANNER_AS_BEFORE,
    PG_SPANNING_GROUPS,
    SQLITE_NEW_GROUPS,
    join_sql,
)
from calls.models import Call, ImportRun, RejectedLine
from firm.database import first_line

# The columns of calls.Call every writer inserts, in the order of its INSERT and COPY
# statements; a row (CallRow) holds one call's values under these names.
CALL_FIELDS = (
    "start",
    "answered",
    "end",
    "talk_seconds",
    "ring_seconds",
    "caller",
    "caller_name",
    "destination",
    "dialled_number",
    "billing_code",
    "client",
    "matter",
    "trunk",
    "direction",
    "status",
    "cost",
    "pbx_call_id",
    "pbx_trunk",
    "import_run",
    "source_line",
    "leg_group",
)
# A tuple, so the database driver takes it as it is; times are aware UTC datetimes (SQLite:
# UTC text, and the cost as text: sqlite_call_row), client, matter, trunk and import_run are
# ids.
CallRow = namedtuple("CallRow", CALL_FIELDS)
# A row's group and talk time, from a CallRow or any tuple in its order (a batch written again
# in halves may hold plain tuples).
_leg_group = itemgetter(CALL_FIELDS.index("leg_group"))
_talk_seconds = itemgetter(CALL_FIELDS.index("talk_seconds"))
_STAGING = "calls_call_staging"
_CONFLICT = "ON CONFLICT (pbx_call_id) DO NOTHING"
# The SQLite insert trigger of migration 0008, and the same sums for a whole batch: the
# calls inserted after `last_id` (ids only grow: AUTOINCREMENT) per UTC hour, direction, status.
_SQLITE_HOUR_TRIGGER = "calls_call_hour_totals_insert"
_SQLITE_ADD_HOURS = """
    INSERT INTO calls_callhourtotal (hour, direction, status, calls, talk_seconds)
    SELECT substr(start, 1, 13) || ':00:00', direction, status, count(*),
           coalesce(sum(talk_seconds), 0)
    FROM calls_call WHERE id > %s GROUP BY 1, 2, 3
    ON CONFLICT (hour, direction, status) DO UPDATE SET
        calls = calls + excluded.calls, talk_seconds = talk_seconds + excluded.talk_seconds
"""
_REJECT_FIELDS = (
    *("import_run", "file_name", "line_number", "field", "reason", "reason_code"),
    *("reason_params", "raw", "raw_length", "raw_sha256", "raw_sha1"),
)
# How the database refuses the values of a batch (a check, a length, a range, a byte it cannot
# store), as opposed to an error of the connection: such a batch is written again in halves,
# down to the calls refused, which become rejected lines (SqliteBatchWriter._write_in_halves).
REFUSALS = (IntegrityError, DataError, OverflowError, psycopg.IntegrityError, psycopg.DataError)
# What makes a rejected line of a call the database refused: (line number, raw line, the
# database's message).
RefusedCall = Callable[[int, str, str], RejectedLine]


def refusal_detail(error: BaseException) -> str:
    """'new row … violates check constraint "…"': the reason's parameter (the reason
    'database_refused' says 'the database refused the call: …')."""
    return first_line(error)[:300]


def call_row(values, client_id, run_id, matter_id=None) -> CallRow:
    """The row of one call (times as aware UTC datetimes); ``matter_id`` when the code
    dialled is a matter's (``client_id`` is then the matter's client)."""
    return CallRow(
        values.start,
        values.answered,
        values.end,
        values.talk_seconds,
        values.ring_seconds,
        values.caller,
        values.caller_name,
        values.destination,
        values.dialled_number,
        values.billing_code,
        client_id,
        matter_id,
        values.trunk_key,
        values.direction,
        values.status,
        values.cost,
        values.pbx_call_id,
        values.pbx_trunk,
        run_id,
        values.source_line,
        values.leg_group,
    )


def _sqlite_time(value):
    # Django keeps datetimes in SQLite as naive UTC text, 'YYYY-MM-DD HH:MM:SS[.ffffff]';
    # CDR records carry UTC already.
    return None if value is None else str(value.replace(tzinfo=None))


def sqlite_call_row(values, client_id, run_id, matter_id=None) -> CallRow:
    """call_row() with the values SQLite stores: times as UTC text, the cost as text."""
    row = call_row(values, client_id, run_id, matter_id)
    return row._replace(
        start=str(row.start.replace(tzinfo=None)),
        answered=_sqlite_time(row.answered),
        end=_sqlite_time(row.end),
        cost=None if row.cost is None else str(row.cost),
    )


def _columns(model, names) -> str:
    quote = connection.ops.quote_name
    return ", ".join(quote(model._meta.get_field(name).column) for name in names)


def batch_writer(run_id: int, *, refused: RefusedCall) -> "SqliteBatchWriter":
    """The writer for the database in use. ``refused`` makes the rejected line of a call the
    database refuses."""
    if connection.vendor == "postgresql":
        return PostgresBatchWriter(run_id, refused=refused)
    return SqliteBatchWriter(run_id, refused=refused)


class SqliteBatchWriter:
    """Writes batches synchronously with executemany (SQLite). PostgresBatchWriter builds on
    it: writing a refused batch again in halves is the same on both databases."""

    call_row = staticmethod(sqlite_call_row)

    def __init__(self, run_id: int, *, refused: RefusedCall):
        self.run_id = run_id
        self.refused = refused
        self.table = connection.ops.quote_name(Call._meta.db_table)
        self.columns = _columns(Call, CALL_FIELDS)
        self.leg_talk_column = _columns(Call, ["leg_talk_seconds"])

    def write(
        self, rows: list[CallRow], rejects: list[RejectedLine], raws: list[str]
    ) -> list[ImportCounts]:
        """Write one batch (``raws``: each row's line as read); returns the counts of the
        batches now known to be written."""
        if not rows and not rejects:
            return []
        try:
            return self._write_now(rows, rejects)
        except REFUSALS as error:
            return self._write_in_halves(rows, rejects, raws, error)

    def _write_now(self, rows: list[CallRow], rejects: list[RejectedLine]) -> list[ImportCounts]:
        """Write one batch in its own transaction (a savepoint inside an outer one), now."""
        with transaction.atomic():
            inserted = self.insert_calls(rows)
            RejectedLine.objects.bulk_create(rejects, ignore_conflicts=True)
            ImportRun.objects.filter(pk=self.run_id).update(
                lines_read=F("lines_read") + len(rows) + len(rejects),
                imported=F("imported") + inserted,
                duplicates=F("duplicates") + len(rows) - inserted,
                rejected=F("rejected") + len(rejects),
                heartbeat_at=Now(),
            )
        return [ImportCounts.of_batch(calls=len(rows), inserted=inserted, rejects=len(rejects))]

    def _write_in_halves(self, rows, rejects, raws, error: BaseException) -> list[ImportCounts]:
        """The database refused a batch (``error``), for a reason the parsers and the matcher
        did not foresee: write it again in halves, and the half refused in halves again,
        down to the calls refused, which become rejected lines with the database's reason.
        The batch's own rejected lines go with its first half. About 2 log2(batch size)
        small writes per call refused; the rest of the batch is imported as usual."""
        done = self.finish()  # nothing else in flight while the halves are written
        if len(rows) <= 1:
            if not rows:
                raise error  # the rejected lines themselves were refused: a bug, not data
            line = self.refused(
                CallRow._make(rows[0]).source_line,  # a tuple in CallRow order will do
                raws[0],
                refusal_detail(error),
            )
            return done + self._write_now([], [*rejects, line])
        half = len(rows) // 2
        for part, part_raws, part_rejects in (
            (rows[:half], raws[:half], rejects),
            (rows[half:], raws[half:], []),
        ):
            try:
                done += self._write_now(part, part_rejects)
            except REFUSALS as part_error:
                done += self._write_in_halves(part, part_rejects, part_raws, part_error)
        return done

    def finish(self) -> list[ImportCounts]:
        """Wait until every batch written so far is committed; returns their counts. The
        writer can go on writing (a live feed commits in its quiet spells)."""
        return []

    def release(self) -> None:
        """Give back what the writer holds beyond Django's connection (after the last batch)."""

    def abort(self) -> None:
        """Give up the batches in flight after an error; those committed stay."""

    def insert_calls(self, rows: list[CallRow]) -> int:
        """Insert `rows` inside the caller's transaction; returns how many were new."""
        if not rows:
            return 0
        placeholders = ", ".join(["%s"] * len(CALL_FIELDS))
        with connection.cursor() as cursor:
            # The row trigger costs ~40% of a batch; one grouped statement, next to nothing.
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                [_SQLITE_HOUR_TRIGGER],
            )
            trigger = cursor.fetchone()
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {self.table}")
            (last_id,) = cursor.fetchone()
            if trigger:
                cursor.execute(f"DROP TRIGGER {_SQLITE_HOUR_TRIGGER}")
            legs = _has_legs(rows)
            if legs:
                # A grouped record keeps its own talk time from the start: the join then
                # writes only the rows of groups of several records (calls.importing.legs).
                cursor.executemany(
                    f"INSERT INTO {self.table} ({self.columns}, {self.leg_talk_column}) "
                    f"VALUES ({placeholders}, %s) {_CONFLICT}",
                    [(*row, _talk_seconds(row) if _leg_group(row) else None) for row in rows],
                )
            else:
                cursor.executemany(
                    f"INSERT INTO {self.table} ({self.columns}) VALUES ({placeholders}) "
                    f"{_CONFLICT}",
                    rows,
                )
            inserted = cursor.rowcount
            if trigger:
                cursor.execute(_SQLITE_ADD_HOURS, [last_id])
                cursor.execute(trigger[0])
            if inserted and legs:
                cursor.execute(join_sql(SQLITE_NEW_GROUPS), [last_id])
            return inserted


class _Lane:
    """One server connection inserting batches: its own temporary staging table, and at most
    one batch in flight (rows kept until it is known to be written, to write it again)."""

    def __init__(self, pg_connection):
        self.connection = pg_connection
        self.cursor = pg_connection.cursor()
        self.pending = None  # (pipeline, counts cursor, counts, rows, rejects)
        self.open = False  # a batch transaction (or savepoint) is open


class PostgresBatchWriter(SqliteBatchWriter):
    """Binary COPY + pipelined INSERT … SELECT over one or more connections ("lanes").

    Outside a transaction, batches take turns over `settings.CDR_IMPORT_CONNECTIONS` server
    connections (default 2), so the server inserts on every core while Python reads the
    file: each batch is still one transaction of its own, and the unique constraint still
    decides what is a duplicate. Two lanes may deadlock only when the same call is in two
    batches written at once (a file that repeats itself); the batch the server gave up is
    written again. Inside a transaction (tests, retried lines) there is one lane, and a
    batch is a savepoint of that transaction.
    """

    call_row = staticmethod(call_row)

    def __init__(self, run_id: int, *, refused: RefusedCall):
        super().__init__(run_id, refused=refused)
        connection.ensure_connection()
        # Inside an outer transaction (tests, retries) a batch is a savepoint, else its own.
        self.nested = connection.in_atomic_block
        self.begin, self.end = (
            ("SAVEPOINT cdr_batch", "RELEASE SAVEPOINT cdr_batch")
            if self.nested
            else ("BEGIN", "COMMIT")
        )
        self.lane_count = 1 if self.nested else max(1, settings.CDR_IMPORT_CONNECTIONS)
        with connection.cursor() as cursor:  # where a staged row takes its id from
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Call._meta.db_table])
            (self.id_sequence,) = cursor.fetchone()
        # Django's own connection is the first lane; the others are opened when first used.
        self.lanes = [_Lane(connection.connection)]
        self._create_staging(self.lanes[0])
        self.turn = 0
        cursor = self.lanes[0].cursor
        # Binary COPY dumps rows ~3x faster than text; it needs each column's type (the
        # staged id comes after them: the table's default gives it).
        cursor.execute(
            "SELECT atttypid::int FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            [_STAGING],
        )
        self.types = [oid for (oid,) in cursor.fetchall()][: len(CALL_FIELDS)]
        self.reject_sql = (
            f"INSERT INTO {connection.ops.quote_name(RejectedLine._meta.db_table)} "
            f"({_columns(RejectedLine, _REJECT_FIELDS)}, created_at) "
            f"VALUES ({', '.join(['%s'] * len(_REJECT_FIELDS))}, now()) "
            "ON CONFLICT (raw_sha1) DO NOTHING"
        )
        # A batch without grouped records inserts its staged rows as they are; one with
        # them, joined among themselves (calls.importing.legs).
        self.batch_sql = self._batch_sql(
            _columns(Call, ("id", *CALL_FIELDS)), f"SELECT id, {self.columns} FROM {_STAGING}"
        )
        quote = connection.ops.quote_name
        joined_values = ", ".join(
            PG_JOINED_VALUES.get(name) or quote(Call._meta.get_field(name).column)
            for name in CALL_FIELDS
        )
        self.legs_batch_sql = self._batch_sql(
            _columns(Call, (*CALL_FIELDS, *PG_JOINED_EXTRA)),
            PG_JOINED_BATCH.format(
                staging=_STAGING,
                values=f"{joined_values}, {', '.join(PG_JOINED_EXTRA.values())}",
            ),
        )
        self.join_sql = join_sql(PG_SPANNING_GROUPS.format(staging=_STAGING))

    def _batch_sql(self, columns: str, rows: str) -> str:
        """The statement inserting a staged batch (``rows``: the SELECT of the values of
        ``columns``) and adding its counts to the run's, returning how many were new."""
        return (
            f"WITH inserted AS (INSERT INTO {self.table} ({columns}) "
            f"{rows} {_CONFLICT} RETURNING 1), "
            "counted AS (SELECT count(*) AS n FROM inserted) "
            f"UPDATE {connection.ops.quote_name(ImportRun._meta.db_table)} SET "
            "lines_read = lines_read + %(read)s, "
            "imported = imported + (SELECT n FROM counted), "
            "duplicates = duplicates + %(calls)s - (SELECT n FROM counted), "
            "rejected = rejected + %(rejected)s, heartbeat_at = now() "
            "WHERE id = %(run)s RETURNING (SELECT n FROM counted)"
        )

    def _create_staging(self, lane: _Lane) -> None:
        # Each staged row takes its call's id from the table's sequence as it is copied in,
        # so a batch's records of one call can point at the first (calls.importing.legs).
        lane.cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_STAGING} AS "
            f"SELECT {self.columns} FROM {self.table} WITH NO DATA"
        )
        lane.cursor.execute(
            f"ALTER TABLE {_STAGING} ADD COLUMN IF NOT EXISTS id bigint "
            f"DEFAULT nextval('{self.id_sequence}'::regclass)"
        )

    def _next_lane(self) -> _Lane:
        index, self.turn = self.turn, (self.turn + 1) % self.lane_count
        if index == len(self.lanes):
            extra = connection.get_new_connection(connection.get_connection_params())
            extra.autocommit = True
            lane = _Lane(extra)
            self.lanes.append(lane)
            self._create_staging(lane)
        return self.lanes[index]

    def write(self, rows, rejects, raws):
        # psycopg's own errors (these connections are used directly) as Django's, so callers
        # tell a lost server (OperationalError) from the rest as everywhere else.
        with connection.wrap_database_errors:
            return self._write(rows, rejects, raws)

    def _write(self, rows, rejects, raws):
        if not rows and not rejects:
            return []
        lane = self._next_lane()
        done = self._collect(lane)
        try:
            try:
                self._send(lane, rows, rejects, raws)
            except psycopg_errors.DeadlockDetected:  # given up while still being sent
                done += [
                    c for other in self.lanes if other is not lane for c in self._collect(other)
                ]
                self._send(lane, rows, rejects, raws)
        except REFUSALS as error:  # refused while being sent (psycopg checks some values)
            return done + self._write_in_halves(rows, rejects, raws, error)
        return done

    def _write_now(self, rows, rejects):
        # Only while a refused batch is written in halves: nothing else is in flight.
        lane = self.lanes[0]
        self._send(lane, rows, rejects, [])
        return self._collect(lane, split=False)

    def _send(self, lane: _Lane, rows, rejects, raws) -> None:
        """Start writing one batch on `lane`; the server works on it while we go on."""
        cursor = lane.cursor
        cursor.execute(self.begin)
        lane.open = True
        try:
            copy_sql = f"COPY {_STAGING} ({self.columns}) FROM STDIN (FORMAT BINARY)"
            with cursor.copy(copy_sql) as copy:
                copy.set_types(self.types)
                for row in rows:
                    copy.write_row(row)
            pipeline = lane.connection.pipeline()
            pipeline.__enter__()
            lane.pending = (pipeline, None, None, rows, rejects)
            if rejects:
                cursor.executemany(self.reject_sql, [_reject_values(r) for r in rejects])
            legs = _has_legs(rows)
            counts_cursor = lane.connection.cursor()
            counts_cursor.execute(
                self.legs_batch_sql if legs else self.batch_sql,
                {
                    "read": len(rows) + len(rejects),
                    "calls": len(rows),
                    "rejected": len(rejects),
                    "run": self.run_id,
                },
            )
            if legs:
                cursor.execute(PG_LOCK)
                cursor.execute(PG_INDEX_LOOKUPS)
                cursor.execute(self.join_sql)
                cursor.execute(PG_PLANNER_AS_BEFORE)
            cursor.execute(f"TRUNCATE {_STAGING}")
            cursor.execute(self.end)
        except (*REFUSALS, psycopg_errors.DeadlockDetected):
            # Pipelined, the server's answer to the INSERT may come while later statements
            # are sent. Give up this batch only: the caller writes it again (in halves).
            self._give_up(lane)
            raise
        except BaseException:
            self.abort()
            raise
        counts = ImportCounts.of_batch(calls=len(rows), inserted=0, rejects=len(rejects))
        lane.pending = (pipeline, counts_cursor, counts, rows, rejects, raws)

    def _give_up(self, lane: _Lane) -> None:
        """Roll back the batch `lane` is writing (its pipeline first, when one is open)."""
        if lane.pending is not None:
            pipeline = lane.pending[0]
            lane.pending = None
            try:
                pipeline.__exit__(None, None, None)
            except psycopg.Error:  # noqa: S110 - the batch's own error, being handled
                pass
        if lane.open:
            self._roll_back(lane)

    def _collect(self, lane: _Lane, *, split: bool = True) -> list[ImportCounts]:
        """Wait for the batch `lane` is writing and return its counts; a batch the server
        gave up to end a deadlock with another lane is written again, alone; a batch it
        refused is written in halves (``split``; else the refusal is raised)."""
        if lane.pending is None:
            return []
        pipeline, counts_cursor, counts, rows, rejects, raws = lane.pending
        lane.pending = None
        try:
            pipeline.__exit__(None, None, None)
        except psycopg_errors.DeadlockDetected:
            self._roll_back(lane)
            done = [c for other in self.lanes if other is not lane for c in self._collect(other)]
            try:
                self._send(lane, rows, rejects, raws)
            except REFUSALS as error:
                if not split:
                    raise
                return done + self._write_in_halves(rows, rejects, raws, error)
            return done + self._collect(lane, split=split)
        except REFUSALS as error:
            self._roll_back(lane)
            if not split:
                raise
            return self._write_in_halves(rows, rejects, raws, error)
        except BaseException:
            self.abort()
            raise
        lane.open = False
        inserted = counts_cursor.fetchone()[0]
        counts.imported, counts.duplicates = inserted, counts.duplicates - inserted
        return [counts]

    def finish(self):
        with connection.wrap_database_errors:
            return [counts for lane in self.lanes for counts in self._collect(lane)]

    def abort(self):
        """Give up the batches in flight after an error, or when the run is stopped; batches
        already committed stay."""
        for lane in self.lanes:
            if lane.pending is not None:
                pipeline = lane.pending[0]
                lane.pending = None
                try:
                    pipeline.__exit__(None, None, None)
                    lane.open = False
                except Exception:  # noqa: S110 - the error that stopped the run is the one to report
                    pass
            if lane.open:
                try:
                    self._roll_back(lane)
                except Exception:  # noqa: S110 - as above
                    lane.open = False
        self.release()

    def _roll_back(self, lane: _Lane) -> None:
        lane.open = False
        if self.nested:
            lane.cursor.execute("ROLLBACK TO SAVEPOINT cdr_batch")
            lane.cursor.execute("RELEASE SAVEPOINT cdr_batch")
        else:
            lane.cursor.execute("ROLLBACK")

    def release(self):
        for lane in self.lanes[1:]:
            if not lane.connection.closed:
                lane.connection.close()
        del self.lanes[1:]  # opened again if the writer goes on
        self.turn = 0


def _has_legs(rows: list[CallRow]) -> bool:
    """Whether a batch holds a record of a call in several records (calls.importing.legs)."""
    return any(map(_leg_group, rows))


def _reject_values(reject: RejectedLine) -> tuple:
    return tuple(
        reject.import_run_id
        if name == "import_run"
        else Jsonb(reject.reason_params)
        if name == "reason_params"
        else getattr(reject, name)
        for name in _REJECT_FIELDS
    )
