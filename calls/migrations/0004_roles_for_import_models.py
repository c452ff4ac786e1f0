"""Give the Administrator role the permissions of the import models."""

from django.db import migrations

from firm.roles import sync_roles_in_migration


class Migration(migrations.Migration):
    dependencies = [("calls", "0003_cdr_import")]

    operations = [migrations.RunPython(sync_roles_in_migration, migrations.RunPython.noop)]
