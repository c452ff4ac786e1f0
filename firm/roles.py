"""The three roles of ClientCalls, as Django groups with permissions.

Receptionists look up client codes and use the dial helper; partners also read the call
log, print reports, assign unassigned calls to clients and close months; administrators
manage everything in the admin site. The groups are created by a data migration and kept in
step by `sync_role_groups`.
"""

from django.utils.translation import pgettext_lazy

RECEPTIONIST = "Receptionist"
PARTNER = "Partner"
ADMINISTRATOR = "Administrator"
ROLES = (RECEPTIONIST, PARTNER, ADMINISTRATOR)
# The roles' names as people read them (the groups keep their English names: checks and
# migrations find them by name).
ROLE_LABELS = {
    RECEPTIONIST: pgettext_lazy("role", "Receptionist"),
    PARTNER: pgettext_lazy("role", "Partner"),
    ADMINISTRATOR: pgettext_lazy("role", "Administrator"),
}


def role_label(group_name: str) -> str:
    """A group's name in the user's language: a role's translated name, another group's own."""
    return str(ROLE_LABELS.get(group_name, group_name))


_LOOKUP = [
    "clients.view_client",
    "clients.view_contact",
    "clients.view_matter",
    "calls.view_trunk",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    RECEPTIONIST: _LOOKUP,
    PARTNER: [
        *_LOOKUP,
        "calls.view_call",
        "calls.assign_call",
        "calls.close_period",
        "clients.view_issuedstatement",
        "clients.issue_statement",
    ],
    # Every permission of these apps; see ADMINISTRATOR_APPS.
    ADMINISTRATOR: [
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        # Login attempts and lockouts (django-axes); deleting an attempt unlocks.
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accessfailurelog",
        "axes.view_accesslog",
    ],
}
ADMINISTRATOR_APPS = ["firm", "clients", "calls"]


def sync_role_groups(apps, *, missing_ok: bool = False) -> None:
    """Create the role groups and set their permissions. `apps` is a migration's app registry
    or django.apps.apps; permissions must exist already (see the data migration).

    `missing_ok` skips permissions of models not migrated yet: an early migration runs with
    today's ROLE_PERMISSIONS, and the migration that adds those models syncs again."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(names):
        found = []
        for name in names:
            app_label, codename = name.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is None and not missing_ok:
                raise Permission.DoesNotExist(f"No permission {name}")
            if permission is not None:
                found.append(permission)
        return found

    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        perms = permissions(names)
        if role == ADMINISTRATOR:
            perms += list(Permission.objects.filter(content_type__app_label__in=ADMINISTRATOR_APPS))
        group.permissions.set(perms)


def is_administrator(user) -> bool:
    """Administrators open the admin site: superusers and members of the Administrator group."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.groups.filter(name=ADMINISTRATOR).exists()


def sync_roles_in_migration(apps, schema_editor) -> None:
    """RunPython step: create the permissions of models migrated so far, then sync the roles.

    Each migration that adds models (so new permissions) runs this again."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_role_groups(apps, missing_ok=True)
