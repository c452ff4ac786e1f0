"""The user admin: Administrators manage accounts and roles, never superuser powers."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from firm.roles import ADMINISTRATOR, PARTNER, RECEPTIONIST
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", "root@example.com", "pw")


def change_url(user):
    return reverse("admin:auth_user_change", args=[user.pk])


def posted(user, **fields):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "groups": [group.pk for group in user.groups.all()],
    }
    data.update(fields)
    return data


def test_an_administrator_gives_a_user_a_role(anna, rita):
    partner = Group.objects.get(name=PARTNER)
    response = logged_in(anna).post(change_url(rita), posted(rita, groups=[partner.pk]))
    assert response.status_code == 302
    assert list(rita.groups.values_list("name", flat=True)) == [PARTNER]


def test_an_administrator_cannot_make_anyone_superuser_or_give_permissions(anna, paolo):
    permission = Permission.objects.get(codename="delete_group")
    response = logged_in(anna).post(
        change_url(paolo),
        posted(paolo, is_superuser="on", is_staff="on", user_permissions=[permission.pk]),
    )
    assert response.status_code == 302
    paolo.refresh_from_db()
    assert not paolo.is_superuser
    assert not paolo.is_staff
    assert not paolo.user_permissions.exists()


def test_an_administrator_cannot_make_herself_superuser(anna):
    logged_in(anna).post(change_url(anna), posted(anna, is_superuser="on"))
    anna.refresh_from_db()
    assert not anna.is_superuser


def test_the_administrators_form_has_no_superuser_staff_or_permission_fields(anna, paolo):
    form = logged_in(anna).get(change_url(paolo)).context["adminform"].form
    assert not {"is_superuser", "is_staff", "user_permissions"} & set(form.fields)


def test_an_administrator_may_give_only_the_three_roles(anna, paolo):
    other = Group.objects.create(name="Hidden powers")
    other.permissions.add(Permission.objects.get(codename="delete_group"))
    browser = logged_in(anna)
    offered = browser.get(change_url(paolo)).context["adminform"].form.fields["groups"].queryset
    assert set(offered.values_list("name", flat=True)) == {RECEPTIONIST, PARTNER, ADMINISTRATOR}
    response = browser.post(change_url(paolo), posted(paolo, groups=[other.pk]))
    assert response.status_code == 200  # the form's error
    assert list(paolo.groups.values_list("name", flat=True)) == [PARTNER]


def test_an_administrator_cannot_change_a_superuser_or_set_its_password(anna, root):
    browser = logged_in(anna)
    response = browser.post(change_url(root), posted(root, is_active=""))
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.is_active
    password_url = reverse("admin:auth_user_password_change", args=[root.pk])
    assert browser.get(password_url).status_code == 403
    response = browser.post(
        password_url, {"password1": "Nuova-123456", "password2": "Nuova-123456"}
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.check_password("pw")


def test_an_administrator_cannot_delete_a_superuser(anna, root):
    anna.user_permissions.add(Permission.objects.get(codename="delete_user"))
    response = logged_in(anna).post(
        reverse("admin:auth_user_delete", args=[root.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert User.objects.filter(pk=root.pk).exists()


def test_superusers_keep_the_full_user_admin(root, paolo):
    permission = Permission.objects.get(codename="delete_group")
    browser = logged_in(root)
    form = browser.get(change_url(paolo)).context["adminform"].form
    assert {"is_superuser", "is_staff", "user_permissions"} <= set(form.fields)
    response = browser.post(
        change_url(paolo),
        posted(
            paolo,
            is_superuser="on",
            user_permissions=[permission.pk],
            date_joined_0="2026-01-01",
            date_joined_1="09:00:00",
        ),
    )
    assert response.status_code == 302
    paolo.refresh_from_db()
    assert paolo.is_superuser
    assert paolo.user_permissions.filter(pk=permission.pk).exists()


def test_an_administrator_still_adds_users(anna):
    response = logged_in(anna).post(
        reverse("admin:auth_user_add"),
        {
            "username": "nuovo",
            "usable_password": "true",
            "password1": "Segreta-123456",
            "password2": "Segreta-123456",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(username="nuovo", is_superuser=False).exists()
