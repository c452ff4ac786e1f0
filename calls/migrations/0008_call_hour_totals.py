"""Calls per hour, direction and status (CallHourTotal), kept by triggers on calls_call.

The triggers are written per database, as the two speak different SQL:

- PostgreSQL: a statement-level trigger per INSERT and DELETE, which adds up the statement's
  rows (its transition table) in one INSERT … ON CONFLICT / UPDATE: an import batch of 5,000
  calls costs one grouped statement, not 5,000. TRUNCATE empties the totals.
- SQLite has row-level triggers only: one upsert per inserted or deleted call.
- On both, an UPDATE that changes start, direction, status or talk time moves the call from
  its old row to its new one (row level; no UPDATE of the app touches these columns, and an
  UPDATE of other columns, e.g. linking clients, does not fire it).

Hours are UTC: SQLite keeps times as 'YYYY-MM-DD HH:MM:SS' text in UTC (the hour is its first
13 characters); on PostgreSQL ``date_trunc`` is taken in UTC, whatever the session's zone.
The calls already stored are added up once, here.

A later migration that makes SQLite rebuild calls_call (adding a NOT NULL column, changing a
column) drops the SQLite triggers with the old table and must create them again, as 0009
does; the hour-totals tests fail when they are missing.
"""

from django.db import migrations, models

SQLITE_HOUR = "substr({row}.start, 1, 13) || ':00:00'"

SQLITE_ADD = """
    INSERT INTO calls_callhourtotal (hour, direction, status, calls, talk_seconds)
    VALUES ({hour}, {row}.direction, {row}.status, 1, {row}.talk_seconds)
    ON CONFLICT (hour, direction, status) DO UPDATE SET
        calls = calls + 1, talk_seconds = talk_seconds + excluded.talk_seconds;
"""
SQLITE_REMOVE = """
    UPDATE calls_callhourtotal
    SET calls = calls - 1, talk_seconds = talk_seconds - {row}.talk_seconds
    WHERE hour = {hour} AND direction = {row}.direction AND status = {row}.status;
"""


def _sqlite(statement: str, row: str) -> str:
    return statement.format(row=row, hour=SQLITE_HOUR.format(row=row))


SQLITE_FORWARD = [
    f"""CREATE TRIGGER calls_call_hour_totals_insert AFTER INSERT ON calls_call
    BEGIN {_sqlite(SQLITE_ADD, "NEW")} END""",
    f"""CREATE TRIGGER calls_call_hour_totals_delete AFTER DELETE ON calls_call
    BEGIN {_sqlite(SQLITE_REMOVE, "OLD")} END""",
    f"""CREATE TRIGGER calls_call_hour_totals_update
    AFTER UPDATE OF start, direction, status, talk_seconds ON calls_call
    BEGIN {_sqlite(SQLITE_REMOVE, "OLD")} {_sqlite(SQLITE_ADD, "NEW")} END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS calls_call_hour_totals_insert",
    "DROP TRIGGER IF EXISTS calls_call_hour_totals_delete",
    "DROP TRIGGER IF EXISTS calls_call_hour_totals_update",
]

PG_HOUR = "date_trunc('hour', start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
PG_GROUPED = f"""
    SELECT {PG_HOUR} AS hour, direction, status, count(*) AS calls,
           coalesce(sum(talk_seconds), 0) AS talk_seconds
    FROM {{rows}} GROUP BY 1, 2, 3
"""
PG_ADD = f"""
    INSERT INTO calls_callhourtotal (hour, direction, status, calls, talk_seconds)
    {PG_GROUPED}
    ON CONFLICT (hour, direction, status) DO UPDATE SET
        calls = calls_callhourtotal.calls + excluded.calls,
        talk_seconds = calls_callhourtotal.talk_seconds + excluded.talk_seconds;
"""
PG_REMOVE = f"""
    UPDATE calls_callhourtotal AS total
    SET calls = total.calls - gone.calls, talk_seconds = total.talk_seconds - gone.talk_seconds
    FROM ({PG_GROUPED}) AS gone
    WHERE total.hour = gone.hour AND total.direction = gone.direction
        AND total.status = gone.status;
"""


def _pg_function(name: str, body: str) -> str:
    return f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN {body} RETURN NULL; END $$"""


PG_FORWARD = [
    _pg_function("calls_call_hour_totals_add", PG_ADD.format(rows="new_calls")),
    _pg_function("calls_call_hour_totals_remove", PG_REMOVE.format(rows="old_calls")),
    _pg_function("calls_call_hour_totals_clear", "DELETE FROM calls_callhourtotal;"),
    _pg_function(
        "calls_call_hour_totals_move",
        PG_REMOVE.format(rows="(SELECT OLD.*) AS old_call")
        + PG_ADD.format(rows="(SELECT NEW.*) AS new_call"),
    ),
    """CREATE TRIGGER calls_call_hour_totals_insert AFTER INSERT ON calls_call
    REFERENCING NEW TABLE AS new_calls
    FOR EACH STATEMENT EXECUTE FUNCTION calls_call_hour_totals_add()""",
    """CREATE TRIGGER calls_call_hour_totals_delete AFTER DELETE ON calls_call
    REFERENCING OLD TABLE AS old_calls
    FOR EACH STATEMENT EXECUTE FUNCTION calls_call_hour_totals_remove()""",
    """CREATE TRIGGER calls_call_hour_totals_truncate AFTER TRUNCATE ON calls_call
    FOR EACH STATEMENT EXECUTE FUNCTION calls_call_hour_totals_clear()""",
    """CREATE TRIGGER calls_call_hour_totals_update
    AFTER UPDATE OF start, direction, status, talk_seconds ON calls_call
    FOR EACH ROW WHEN (
        OLD.start IS DISTINCT FROM NEW.start OR OLD.direction IS DISTINCT FROM NEW.direction
        OR OLD.status IS DISTINCT FROM NEW.status
        OR OLD.talk_seconds IS DISTINCT FROM NEW.talk_seconds
    ) EXECUTE FUNCTION calls_call_hour_totals_move()""",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS calls_call_hour_totals_insert ON calls_call",
    "DROP TRIGGER IF EXISTS calls_call_hour_totals_delete ON calls_call",
    "DROP TRIGGER IF EXISTS calls_call_hour_totals_truncate ON calls_call",
    "DROP TRIGGER IF EXISTS calls_call_hour_totals_update ON calls_call",
    "DROP FUNCTION IF EXISTS calls_call_hour_totals_add()",
    "DROP FUNCTION IF EXISTS calls_call_hour_totals_remove()",
    "DROP FUNCTION IF EXISTS calls_call_hour_totals_clear()",
    "DROP FUNCTION IF EXISTS calls_call_hour_totals_move()",
]

BACKFILL = {
    "sqlite": f"""INSERT INTO calls_callhourtotal (hour, direction, status, calls, talk_seconds)
        SELECT {SQLITE_HOUR.format(row="calls_call")}, direction, status, count(*),
               coalesce(sum(talk_seconds), 0)
        FROM calls_call GROUP BY 1, 2, 3""",
    "postgresql": "INSERT INTO calls_callhourtotal (hour, direction, status, calls, talk_seconds)"
    + PG_GROUPED.format(rows="calls_call"),
}


def _statements(schema_editor, forward: bool) -> list[str]:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        return SQLITE_FORWARD + [BACKFILL[vendor]] if forward else SQLITE_BACKWARD
    if vendor == "postgresql":
        return PG_FORWARD + [BACKFILL[vendor]] if forward else PG_BACKWARD
    raise NotImplementedError(f"No call hour totals triggers for {vendor}")


def create_triggers(apps, schema_editor):
    for statement in _statements(schema_editor, forward=True):
        schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    for statement in _statements(schema_editor, forward=False):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0007_billing_code_start_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="CallHourTotal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("hour", models.DateTimeField()),
                (
                    "direction",
                    models.CharField(
                        choices=[
                            ("outbound", "Outbound external"),
                            ("internal", "Internal"),
                            ("inbound", "Inbound"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("answered", "Answered"),
                            ("no_answer", "No answer"),
                            ("busy", "Busy"),
                            ("failed", "Failed"),
                        ],
                        max_length=10,
                    ),
                ),
                ("calls", models.BigIntegerField(default=0)),
                ("talk_seconds", models.BigIntegerField(default=0)),
            ],
            options={
                "default_permissions": (),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("hour", "direction", "status"), name="callhourtotal_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
