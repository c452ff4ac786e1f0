"""Call.import_run keeps its foreign key in Django but no constraint in the database: checking
it costs the PostgreSQL import ~12% (one lookup per call), and import runs are never deleted
(read-only in admin; calls and rejected lines PROTECT them).

SQLite rebuilds calls_call to drop the constraint, and with the old table go the hour-totals
triggers (0008) and the index on uncoded marked calls (0014): both are created again here.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

_hour_totals = importlib.import_module("calls.migrations.0008_call_hour_totals")
_uncoded_marked = importlib.import_module("calls.migrations.0014_sqlite_uncoded_marked_index")


def recreate_sqlite_triggers_and_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in _hour_totals.SQLITE_BACKWARD + _hour_totals.SQLITE_FORWARD:
        schema_editor.execute(statement, params=None)
    schema_editor.execute(_uncoded_marked.CREATE, params=None)


class Migration(migrations.Migration):
    dependencies = [("calls", "0017_covering_start_index")]

    operations = [
        # Undoing this migration rebuilds the table again: the reverse of this first step
        # recreates them then.
        migrations.RunPython(migrations.RunPython.noop, recreate_sqlite_triggers_and_index),
        migrations.AlterField(
            model_name="call",
            name="import_run",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="calls",
                to="calls.importrun",
                verbose_name="import run",
            ),
        ),
        migrations.RunPython(recreate_sqlite_triggers_and_index, migrations.RunPython.noop),
    ]
