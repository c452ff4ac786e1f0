"""PostgreSQL: vacuum calls_call after every ~1% of new calls, not the default 20%.

The table only grows (imports), and PostgreSQL vacuums such a table after inserts alone once
their number passes 1,000 + 20% of its rows: for a firm with 1,000,000 calls and ~1,500 new
ones a day, every five months. Vacuum sets the visibility map, which lets the call log's totals
of a billing-code pattern read the covering index alone (migration 0013) instead of visiting
every call; with 1% it runs about weekly there, and each run reads only the pages added since.
"""

from django.db import migrations


def set_storage_parameter(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE calls_call SET (autovacuum_vacuum_insert_scale_factor = 0.01)",
            params=None,
        )


def reset_storage_parameter(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE calls_call RESET (autovacuum_vacuum_insert_scale_factor)", params=None
        )


class Migration(migrations.Migration):
    dependencies = [("calls", "0015_destination_trigram_index")]

    operations = [migrations.RunPython(set_storage_parameter, reset_storage_parameter)]
