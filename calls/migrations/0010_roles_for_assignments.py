"""Give partners the queue and the period lock (calls.assign_call, calls.close_period), and
administrators every permission of the new models."""

from django.db import migrations

from firm.roles import sync_roles_in_migration


class Migration(migrations.Migration):
    dependencies = [("calls", "0009_assignments_and_period_lock")]

    operations = [migrations.RunPython(sync_roles_in_migration, migrations.RunPython.noop)]
