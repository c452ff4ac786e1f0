"""The role groups follow FirmSettings into firm: administrators keep every permission of
the model under its new label (``firm.change_firmsettings`` …). From here on, the migrations
that sync the role groups (firm/roles.py) are firm's."""

from django.db import migrations

from firm.roles import sync_roles_in_migration


class Migration(migrations.Migration):
    dependencies = [
        ("firm", "0001_initial"),
        ("calls", "0020_firmsettings_moves_to_firm"),
        ("clients", "0004_roles_for_login_attempts"),
    ]

    operations = [migrations.RunPython(sync_roles_in_migration, migrations.RunPython.noop)]
