"""FirmSettings now belongs to the firm app (firm.0001 took it over, table and row unchanged):
only the model's state leaves calls; the database is not touched."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0019_import_run_interrupted"),
        ("firm", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="FirmSettings")],
            database_operations=[],
        ),
    ]
