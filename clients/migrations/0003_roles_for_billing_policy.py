"""Give the Administrator role the permissions of the billing policy model."""

from django.db import migrations

from firm.roles import sync_roles_in_migration


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0002_billing_policy_and_hourly_rate"),
        ("calls", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(sync_roles_in_migration, migrations.RunPython.noop)]
