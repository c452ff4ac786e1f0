"""One call in several records (a transfer: Avaya IP Office's Call ID, Cisco CUCM's
globalCallID): Call.leg_group, leg_of and leg_talk_seconds, and hour totals that count a call
once.

The hour-totals triggers of 0008 are replaced by ones that leave out a call's later records
(``leg_of`` set), and move a record out of (or into) the totals when the importer makes it a
later record of a call (or the call itself): the importer first inserts every record as a
call, then joins the records of a group (calls.importing.legs).

SQLite rebuilds calls_call to add a NOT NULL column, and with the old table go the triggers and
the index on uncoded marked calls (0014): both are created here. A later migration that
rebuilds calls_call must create them again with ``recreate_sqlite_triggers_and_index`` of
this migration (not 0018's, whose triggers count every record).
"""

import importlib

import django.db.models.deletion
import django.db.models.manager
from django.db import migrations, models

_hour_totals = importlib.import_module("calls.migrations.0008_call_hour_totals")
_uncoded_marked = importlib.import_module("calls.migrations.0014_sqlite_uncoded_marked_index")
_rebuilt = importlib.import_module("calls.migrations.0018_import_run_without_constraint")

SQLITE_HOUR = _hour_totals.SQLITE_HOUR
# A row is counted when it is a call (leg_of empty); a SELECT … WHERE, as a trigger's
# statements cannot be conditional otherwise.
SQLITE_ADD = """
    INSERT INTO calls_callhourtotal (hour, direction, status, calls, talk_seconds)
    SELECT {hour}, {row}.direction, {row}.status, 1, {row}.talk_seconds
    WHERE {row}.leg_of_id IS NULL
    ON CONFLICT (hour, direction, status) DO UPDATE SET
        calls = calls + 1, talk_seconds = talk_seconds + excluded.talk_seconds;
"""
SQLITE_REMOVE = """
    UPDATE calls_callhourtotal
    SET calls = calls - 1, talk_seconds = talk_seconds - {row}.talk_seconds
    WHERE hour = {hour} AND direction = {row}.direction AND status = {row}.status
        AND {row}.leg_of_id IS NULL;
"""


def _sqlite(statement: str, row: str) -> str:
    return statement.format(row=row, hour=SQLITE_HOUR.format(row=row))


SQLITE_FORWARD = [
    f"""CREATE TRIGGER calls_call_hour_totals_insert AFTER INSERT ON calls_call
    BEGIN {_sqlite(SQLITE_ADD, "NEW")} END""",
    f"""CREATE TRIGGER calls_call_hour_totals_delete AFTER DELETE ON calls_call
    BEGIN {_sqlite(SQLITE_REMOVE, "OLD")} END""",
    f"""CREATE TRIGGER calls_call_hour_totals_update
    AFTER UPDATE OF start, direction, status, talk_seconds, leg_of_id ON calls_call
    BEGIN {_sqlite(SQLITE_REMOVE, "OLD")} {_sqlite(SQLITE_ADD, "NEW")} END""",
]

PG_GROUPED = f"""
    SELECT {_hour_totals.PG_HOUR} AS hour, direction, status, count(*) AS calls,
           coalesce(sum(talk_seconds), 0) AS talk_seconds
    FROM {{rows}} WHERE leg_of_id IS NULL GROUP BY 1, 2, 3
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
    return f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN {body} RETURN NULL; END $$"""


PG_FORWARD = [
    _pg_function("calls_call_hour_totals_add", PG_ADD.format(rows="new_calls")),
    _pg_function("calls_call_hour_totals_remove", PG_REMOVE.format(rows="old_calls")),
    _pg_function(
        "calls_call_hour_totals_move",
        PG_REMOVE.format(rows="(SELECT OLD.*) AS old_call")
        + PG_ADD.format(rows="(SELECT NEW.*) AS new_call"),
    ),
    "DROP TRIGGER IF EXISTS calls_call_hour_totals_update ON calls_call",
    """CREATE TRIGGER calls_call_hour_totals_update
    AFTER UPDATE OF start, direction, status, talk_seconds, leg_of_id ON calls_call
    FOR EACH ROW WHEN (
        OLD.start IS DISTINCT FROM NEW.start OR OLD.direction IS DISTINCT FROM NEW.direction
        OR OLD.status IS DISTINCT FROM NEW.status
        OR OLD.talk_seconds IS DISTINCT FROM NEW.talk_seconds
        OR OLD.leg_of_id IS DISTINCT FROM NEW.leg_of_id
    ) EXECUTE FUNCTION calls_call_hour_totals_move()""",
]


def recreate_sqlite_triggers_and_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in _hour_totals.SQLITE_BACKWARD + SQLITE_FORWARD:
        schema_editor.execute(statement, params=None)
    schema_editor.execute(_uncoded_marked.CREATE, params=None)


def leg_aware_pg_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_FORWARD:
            schema_editor.execute(statement, params=None)


def leg_unaware_pg_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in _hour_totals.PG_BACKWARD:
            schema_editor.execute(statement, params=None)
        for statement in _hour_totals.PG_FORWARD:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("calls", "0026_watchedfile")]

    operations = [
        # Undoing this migration rebuilds the table again: 0018's (leg-unaware) triggers then.
        migrations.RunPython(
            migrations.RunPython.noop, _rebuilt.recreate_sqlite_triggers_and_index
        ),
        migrations.AddField(
            model_name="call",
            name="leg_group",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text="The records of one transferred call share it.",
                max_length=100,
                verbose_name="PBX call group",
            ),
        ),
        migrations.AddField(
            model_name="call",
            name="leg_of",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="legs",
                to="calls.call",
                verbose_name="part of call",
            ),
        ),
        migrations.AddField(
            model_name="call",
            name="leg_talk_seconds",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="talk time of this record (s)"
            ),
        ),
        migrations.AlterModelOptions(
            name="call",
            options={
                "base_manager_name": "records",
                "ordering": ["-start", "-pk"],
                "permissions": [("assign_call", "Can assign calls to clients")],
                "verbose_name": "call",
                "verbose_name_plural": "calls",
            },
        ),
        migrations.AlterModelManagers(
            name="call",
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("records", django.db.models.manager.Manager()),
            ],
        ),
        migrations.AddIndex(
            model_name="call",
            index=models.Index(
                condition=models.Q(("leg_group", ""), _negated=True),
                fields=["leg_group"],
                name="call_leg_group_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="call",
            index=models.Index(
                condition=models.Q(("leg_of__isnull", False)),
                fields=["leg_of"],
                name="call_leg_of_idx",
            ),
        ),
        migrations.RunPython(recreate_sqlite_triggers_and_index, migrations.RunPython.noop),
        migrations.RunPython(leg_aware_pg_triggers, leg_unaware_pg_triggers),
    ]
