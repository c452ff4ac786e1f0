"""Give the Administrator role the login attempts and lockouts (django-axes) in admin."""

from django.db import migrations

from firm.roles import sync_roles_in_migration


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0003_roles_for_billing_policy"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(sync_roles_in_migration, migrations.RunPython.noop)]
