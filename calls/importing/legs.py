"""One call in several records: joining the records of a group after a batch is written.

Avaya IP Office writes a transferred call as several SMDR records under one Call ID, Cisco
CUCM as several CDRs under one globalCallID; the parsers give such records one ``leg_group``.
Every record is stored as it was read (each one idempotent by its pbx_call_id, as any call),
and then, in the batch's transaction, the groups the batch touched are joined again from
what is stored, so the call's talk time and code do not depend on the order the records came
in, nor on the file or feed that brought them:

- the group's first record is the call (by start; of records with one start, as Avaya's
  records of a transfer have, the one stored first): ``leg_of`` empty, its
  ``talk_seconds`` the sum of every record's own talk time (kept in ``leg_talk_seconds``),
  and the code it was dialled with (its own, or else the first record's with a code) with
  that code's client and matter — unless a partner chose its client by hand;
- every other record points at it (``leg_of``) and keeps its own talk time, so the call
  log, the totals, the statements and the hour totals (their triggers leave out ``leg_of``
  rows) count the call once.

Only the rows whose values change are written: importing the same records again writes
nothing. A batch with no grouped record (every 3CX and Asterisk file) runs none of this.
PostgreSQL inserts a batch's records already joined among themselves and joins again only
the groups that hold a record of another batch (PG_JOINED_BATCH below); SQLite inserts each
grouped record with its own talk time and joins the groups of its batch after the insert.
"""

from django.db import connection

# The SQL selecting the groups a batch touched goes in {groups}. On PostgreSQL the batches
# of two connections may carry records of one group at once: each joins under this lock,
# taken in its own statement so the join's snapshot sees the other's committed records.
PG_LOCK = "SELECT pg_advisory_xact_lock(hashtext('calls_call_leg_groups'))"

_JOIN = """
WITH grouped AS (
    SELECT id, leg_of_id, talk_seconds, billing_code, client_id, matter_id,
        client_set_by_hand, leg_talk_seconds,
        coalesce(leg_talk_seconds, talk_seconds) AS own_talk,
        first_value(id) OVER by_time AS call_id,
        sum(coalesce(leg_talk_seconds, talk_seconds)) OVER (PARTITION BY leg_group) AS talk,
        first_value(billing_code) OVER by_code AS code,
        first_value(client_id) OVER by_code AS code_client,
        first_value(matter_id) OVER by_code AS code_matter
    FROM calls_call
    WHERE leg_group <> '' AND leg_group IN ({groups})
    WINDOW by_time AS (PARTITION BY leg_group ORDER BY start, id),
        by_code AS (PARTITION BY leg_group ORDER BY billing_code = '', start, id)
),
joined AS (
    SELECT id, own_talk,
        CASE WHEN id = call_id THEN NULL ELSE call_id END AS new_leg_of,
        CASE WHEN id = call_id THEN talk ELSE own_talk END AS new_talk,
        CASE WHEN id = call_id THEN code ELSE billing_code END AS new_code,
        CASE WHEN id = call_id AND NOT client_set_by_hand THEN code_client
            ELSE client_id END AS new_client,
        CASE WHEN id = call_id AND NOT client_set_by_hand THEN code_matter
            ELSE matter_id END AS new_matter,
        leg_of_id, talk_seconds, billing_code, client_id, matter_id, leg_talk_seconds
    FROM grouped
)
UPDATE calls_call SET
    leg_of_id = joined.new_leg_of,
    talk_seconds = joined.new_talk,
    leg_talk_seconds = joined.own_talk,
    billing_code = joined.new_code,
    client_id = joined.new_client,
    matter_id = joined.new_matter
FROM joined
WHERE calls_call.id = joined.id AND (
    joined.new_leg_of {distinct} joined.leg_of_id
    OR joined.new_talk <> joined.talk_seconds
    OR joined.leg_talk_seconds IS NULL
    OR joined.new_code <> joined.billing_code
    OR joined.new_client {distinct} joined.client_id
    OR joined.new_matter {distinct} joined.matter_id
)
"""

# The groups of the calls a SQLite batch inserted (ids only grow: AUTOINCREMENT).
SQLITE_NEW_GROUPS = "SELECT leg_group FROM calls_call WHERE id > %s AND leg_group <> ''"

# PostgreSQL joins a batch's records in two steps, so that a file of transfers costs about
# what a file without them does (bench/import_legs.py):
#
# 1. The batch's INSERT writes its records already joined among themselves (PG_JOINED_BATCH):
#    each staged record has its id before it is inserted (the staging table's default takes
#    it from calls_call's sequence), so the first record of a group is known, and the others
#    point at it, in the same statement. Most groups begin and end in one batch: their rows
#    are written once, as they stay, and no row trigger runs.
# 2. Under the lock, the join above runs only for the groups of the records the batch
#    inserted that hold a record the batch did not insert (PG_SPANNING_GROUPS): one of an
#    earlier file or batch, one the other connection committed meanwhile, or a record the
#    batch holds twice or that was stored already (a duplicate). For those the first step's
#    values were a guess from the batch alone; the join puts them right from every stored
#    record of the group. A leg pointing at a staged id that was not inserted (a duplicate)
#    is such a case, and is put right before the foreign key is checked (deferred, at
#    commit).
#
# The batch's records with their group's values as if the batch held every record of the
# group, read in one pass over the batch sorted by group and start. The code is the first
# record's with a code: an imported record has a client or a matter only through its code,
# so a group without a code has none.
PG_JOINED_BATCH = """
WITH grouped AS (
    SELECT staged.*,
        leg_group <> '' AND id = first_value(id) OVER by_time AS is_call,
        CASE WHEN leg_group <> '' AND id <> first_value(id) OVER by_time
            THEN first_value(id) OVER by_time END AS new_leg_of,
        sum(talk_seconds) OVER by_time AS talk,
        coalesce(
            (array_agg(billing_code) FILTER (WHERE billing_code <> '') OVER by_time)[1], ''
        ) AS code,
        (array_agg(client_id) FILTER (WHERE billing_code <> '') OVER by_time)[1] AS code_client,
        (array_agg(matter_id) FILTER (WHERE billing_code <> '') OVER by_time)[1] AS code_matter
    FROM {staging} AS staged
    WINDOW by_time AS (PARTITION BY leg_group ORDER BY start, id
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
)
SELECT {values} FROM grouped
"""
# The values PG_JOINED_BATCH's SELECT gives the columns of calls.importing.writers.CALL_FIELDS
# that joining changes; the others are the staged values.
PG_JOINED_VALUES = {
    "talk_seconds": "CASE WHEN is_call THEN talk ELSE talk_seconds END",
    "billing_code": "CASE WHEN is_call THEN code ELSE billing_code END",
    "client": "CASE WHEN is_call THEN code_client ELSE client_id END",
    "matter": "CASE WHEN is_call THEN code_matter ELSE matter_id END",
}
# ... and the columns it adds to them: the id the record was staged with, its call, its own
# talk time.
PG_JOINED_EXTRA = {
    "id": "id",
    "leg_of": "new_leg_of",
    "leg_talk_seconds": "CASE WHEN leg_group <> '' THEN talk_seconds END",
}
# The groups a PostgreSQL batch inserted a record of (its staged id is now a call's) that
# hold a record the batch did not insert: it staged more records of the group than it
# inserted, or more of them are stored than it inserted. A batch of duplicates inserted
# none: it looks up nothing.
PG_SPANNING_GROUPS = """
    SELECT leg_group FROM (
        SELECT staged.leg_group, count(*) AS staged, count(mine.id) AS inserted
        FROM {staging} AS staged LEFT JOIN calls_call AS mine ON mine.id = staged.id
        WHERE staged.leg_group <> ''
        GROUP BY staged.leg_group
    ) AS batch
    WHERE inserted > 0 AND (
        staged > inserted
        OR (
            SELECT count(*) FROM calls_call AS stored
            WHERE stored.leg_group = batch.leg_group AND stored.leg_group <> ''
        ) > inserted
    )
"""
# The second step looks each group and each id up in its index. While a bulk import fills
# the table its statistics lag behind (autoanalyze runs now and then), and the planner,
# taking a batch's 5,000 look-ups for more than the table holds, would read the whole table
# for every batch; so the step runs with the planner held to index look-ups (and without
# JIT, which the cost the planner then gives a table scan would start), and the settings go
# back to what they were before the batch goes on.
_PLANNER = ("enable_seqscan", "enable_bitmapscan", "enable_hashjoin", "enable_mergejoin", "jit")
PG_INDEX_LOOKUPS = "SELECT " + ", ".join(f"set_config('{name}', 'off', true)" for name in _PLANNER)
PG_PLANNER_AS_BEFORE = (
    "SELECT set_config(name, reset_val, true) FROM pg_settings "
    f"WHERE name IN ({', '.join(repr(name) for name in _PLANNER)})"
)


def join_sql(groups: str, vendor: str | None = None) -> str:
    """The statement joining the records of the groups ``groups`` (an SQL query) selects."""
    vendor = vendor or connection.vendor
    distinct = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    return _JOIN.format(groups=groups, distinct=distinct)


def legs_join(*, groups: list[str]) -> int:
    """Join the records of ``groups`` again from what is stored (inside the caller's
    transaction); returns how many rows changed. For a record fixed or added by hand."""
    if not groups:
        return 0
    placeholders = ", ".join(["%s"] * len(groups))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_LOCK)
        cursor.execute(join_sql(placeholders), groups)
        if cursor.rowcount >= 0:
            return cursor.rowcount
        # Python's sqlite3 counts no rows for a statement that begins with WITH.
        cursor.execute("SELECT changes()")
        return cursor.fetchone()[0]
