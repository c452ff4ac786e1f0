"""A partial index on PostgreSQL for the uncoded calls whose destination holds a '*' or '#'
(calls/pattern_queries.py, decision 3): a billing-code pattern such as %**123 must also look
at them, and without the index that means reading every uncoded call of the period.

PostgreSQL only: SQLite's planner does not use it for these queries. The condition must read
exactly as pattern_queries.UNCODED_MARKED writes it, or PostgreSQL will not use the index.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS call_uncoded_marked_idx ON calls_call (start) "
    "WHERE billing_code = '' AND (destination LIKE '%*%' OR destination LIKE '%#%')"
)
DROP = "DROP INDEX IF EXISTS call_uncoded_marked_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("calls", "0011_saved_call_log_filter")]

    operations = [migrations.RunPython(create_index, drop_index)]
