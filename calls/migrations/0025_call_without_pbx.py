"""Call.pbx goes: no importer ever wrote anything but '' into it, so a call's PBX identity is
its pbx_call_id alone, and the unique constraint (same name) is rebuilt on that column.

SQLite rebuilds calls_call to change a unique constraint, and with the old table go the
hour-totals triggers (0008) and the index on uncoded marked calls (0014): both are created
again here, as in 0018.
"""

import importlib

from django.db import migrations, models

_rebuilt = importlib.import_module("calls.migrations.0018_import_run_without_constraint")


class Migration(migrations.Migration):
    dependencies = [("calls", "0024_reminders")]

    operations = [
        # Undoing this migration rebuilds the table again: the reverse of this first step
        # recreates them then.
        migrations.RunPython(
            migrations.RunPython.noop, _rebuilt.recreate_sqlite_triggers_and_index
        ),
        migrations.RemoveConstraint(model_name="call", name="call_pbx_identity_unique"),
        migrations.RemoveField(model_name="call", name="pbx"),
        migrations.AddConstraint(
            model_name="call",
            constraint=models.UniqueConstraint(
                fields=("pbx_call_id",), name="call_pbx_identity_unique"
            ),
        ),
        migrations.RunPython(
            _rebuilt.recreate_sqlite_triggers_and_index, migrations.RunPython.noop
        ),
    ]
