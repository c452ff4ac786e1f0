"""The data migration creates the three roles with the permissions each page checks."""

import pytest
from django.contrib.auth.models import Group, Permission

from firm.roles import ADMINISTRATOR, PARTNER, RECEPTIONIST, sync_role_groups

pytestmark = pytest.mark.django_db


def _perms(role):
    group = Group.objects.get(name=role)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_the_three_roles_exist_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        RECEPTIONIST,
        PARTNER,
        ADMINISTRATOR,
    }


def test_receptionists_look_up_clients_and_trunks_but_not_calls():
    perms = _perms(RECEPTIONIST)
    assert {"clients.view_client", "clients.view_contact", "calls.view_trunk"} <= perms
    assert "calls.view_call" not in perms
    assert not any(p.split(".")[1].startswith(("add_", "change_", "delete_")) for p in perms)


def test_partners_also_read_calls():
    perms = _perms(PARTNER)
    assert {"clients.view_client", "calls.view_call"} <= perms
    assert "calls.change_trunk" not in perms


def test_administrators_manage_every_model_of_the_apps_and_users():
    perms = _perms(ADMINISTRATOR)
    for app_label in ("clients", "calls"):
        app_perms = Permission.objects.filter(content_type__app_label=app_label)
        assert {f"{app_label}.{p.codename}" for p in app_perms} <= perms
    assert {"auth.add_user", "auth.change_user"} <= perms
    assert "auth.delete_group" not in perms


def test_syncing_again_restores_a_tampered_role_without_duplicating_it():
    group = Group.objects.get(name=RECEPTIONIST)
    group.permissions.clear()
    from django.apps import apps

    sync_role_groups(apps)
    assert Group.objects.filter(name=RECEPTIONIST).count() == 1
    assert "clients.view_client" in _perms(RECEPTIONIST)


def test_partners_assign_calls_and_close_periods_and_receptionists_do_not():
    assert {"calls.assign_call", "calls.close_period"} <= _perms(PARTNER)
    assert {"calls.assign_call", "calls.close_period"} <= _perms(ADMINISTRATOR)
    assert not {"calls.assign_call", "calls.close_period"} & _perms(RECEPTIONIST)


def test_a_permission_that_does_not_exist_is_an_error_outside_migrations(monkeypatch):
    from django.apps import apps

    from firm import roles

    monkeypatch.setitem(roles.ROLE_PERMISSIONS, PARTNER, ["calls.no_such_permission"])
    with pytest.raises(Permission.DoesNotExist):
        sync_role_groups(apps)


def test_administrators_see_login_attempts_and_unlock_and_others_do_not():
    axes = {"axes.view_accessattempt", "axes.delete_accessattempt", "axes.view_accessfailurelog"}
    assert axes <= _perms(ADMINISTRATOR)
    assert not axes & (_perms(PARTNER) | _perms(RECEPTIONIST))
