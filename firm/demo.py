"""Demo data of the firm itself: its name and one user per role, with known passwords.
Part of the ``demo_data`` command (calls.demo); never meant for production."""

from django.contrib.auth.models import Group, User

from firm.models import FirmSettings
from firm.roles import ADMINISTRATOR, PARTNER, RECEPTIONIST

DEMO_USERS = [
    # username, password, role, full name
    ("admin", "demo-admin", ADMINISTRATOR, "Anna Amministratrice"),
    ("partner", "demo-partner", PARTNER, "Paolo Partner"),
    ("reception", "demo-reception", RECEPTIONIST, "Rita Reception"),
]


def demo_firm_settings() -> None:
    firm = FirmSettings.load()
    firm.firm_name = "Studio Legale Associato Demo"
    firm.save()


def demo_users_create() -> None:
    for username, password, role, full_name in DEMO_USERS:
        user, _created = User.objects.get_or_create(username=username)
        first, last = full_name.split(" ", 1)
        user.first_name, user.last_name = first, last
        user.email = f"{username}@studio.example"
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=role)])
