"""FirmSettings moves from calls to firm (calls.0020, firm.0001-0002): migrated forward from
the schema before the move, the row and the administrators' permissions are kept."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("calls", "0019_import_run_interrupted"), ("clients", "0004_roles_for_login_attempts")]


def _migrate(targets):
    """Migrate the test database to `targets`; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_settings_row_and_its_permissions_survive_the_move():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = _migrate([*BEFORE, ("firm", None)])
    try:
        old.get_model("calls", "FirmSettings").objects.update_or_create(
            pk=1, defaults={"firm_name": "Studio Rossi", "billing_marker": "##"}
        )
        change = old.get_model("auth", "Permission").objects.get(
            content_type__app_label="calls", codename="change_firmsettings"
        )
        old.get_model("auth", "User").objects.create(username="carla").user_permissions.add(change)
    finally:
        new = _migrate(latest)  # also when the test fails: later tests need today's schema

    settings = new.get_model("firm", "FirmSettings").objects.get()
    assert (settings.pk, settings.firm_name, settings.billing_marker) == (1, "Studio Rossi", "##")
    administrators = new.get_model("auth", "Group").objects.get(name="Administrator")
    carla = new.get_model("auth", "User").objects.get(username="carla")
    for perms in (administrators.permissions, carla.user_permissions):
        names = {(p.content_type.app_label, p.codename) for p in perms.all()}
        assert ("firm", "change_firmsettings") in names
        assert not any(label == "calls" and "firmsettings" in name for label, name in names)
    ContentType = new.get_model("contenttypes", "ContentType")
    assert not ContentType.objects.filter(app_label="calls", model="firmsettings").exists()
