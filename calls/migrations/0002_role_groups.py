"""Create the Receptionist, Partner and Administrator groups with their permissions."""

from django.db import migrations

from firm.roles import sync_roles_in_migration


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("clients", "0001_initial"),
        ("calls", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_roles_in_migration, migrations.RunPython.noop)]
