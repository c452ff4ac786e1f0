"""SQLite's index for the uncoded calls whose destination holds a '*' or '#' (what migration
0012 gives PostgreSQL): a billing-code pattern such as %**123 must also look at them, and
without an index SQLite reads every uncoded call of the period through the billing-code index
(%**123 over two years of 1,000,000 calls: ~500 ms).

SQLite's planner passes over a partial index here, but uses an index on the expression that
calls/pattern_queries.UncodedMarked writes; the two must read exactly alike. Like the
hour-totals triggers (0008), the index is not in the model's Meta, so a later migration that
makes SQLite rebuild calls_call drops it and must create it again; a test checks it is there.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS call_uncoded_marked_idx ON calls_call "
    "((billing_code = '' AND destination GLOB '*[*#]*'), start)"
)
DROP = "DROP INDEX IF EXISTS call_uncoded_marked_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE, params=None)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("calls", "0013_covering_billing_code_index")]

    operations = [migrations.RunPython(create_index, drop_index)]
