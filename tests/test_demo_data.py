from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.utils import timezone

from calls.models import Call, ImportRun, Trunk
from clients.models import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.DEBUG = True

    def run(clients=40, calls=300):
        call_command(
            "demo_data",
            "--clients",
            str(clients),
            "--calls",
            str(calls),
            "--cdr-file",
            str(tmp_path / "demo.log"),
        )

    return run


def test_demo_data_creates_a_firm_to_try_with_users_for_every_role(demo, capsys):
    demo()
    out = capsys.readouterr().out
    assert Client.objects.count() == 40
    assert Client.objects.get(code="123").name == "Affaroni S.p.A."
    # Statements show amounts for most clients, time only for some.
    assert Client.objects.get(code="123").hourly_rate == Decimal("180.00")
    assert Client.objects.filter(hourly_rate__isnull=True).exists()
    assert Client.objects.filter(hourly_rate__isnull=False).count() > 20
    assert set(Trunk.objects.values_list("prefix", flat=True)) == {"8", "9"}
    for username, password, role in [
        ("admin", "demo-admin", "Administrator"),
        ("partner", "demo-partner", "Partner"),
        ("reception", "demo-reception", "Receptionist"),
    ]:
        user = authenticate(username=username, password=password)
        assert user is not None and user.groups.filter(name=role).exists()
        assert password in out


def test_demo_calls_come_from_a_3cx_file_through_import_cdr(demo, capsys):
    demo()
    assert "300 lines read, 300 imported, 0 duplicates, 0 rejected" in capsys.readouterr().out
    run = ImportRun.objects.get()
    assert run.format_name == "threecx"
    assert Call.objects.count() == 300
    coded = Call.objects.exclude(billing_code="")
    assert coded.filter(client__isnull=False).exists()  # codes of real clients
    assert coded.filter(client__isnull=True).exists()  # and a few unknown codes
    assert Call.objects.filter(trunk__isnull=False).exists()
    assert Call.objects.filter(start__gt=timezone.now()).count() == 0
    for call in coded:
        assert call.destination == f"{call.dialled_number}**{call.billing_code}"


def test_running_demo_data_twice_adds_nothing(demo):
    demo(clients=30, calls=100)
    counts = (Client.objects.count(), Call.objects.count(), Trunk.objects.count())
    demo(clients=30, calls=100)
    assert (Client.objects.count(), Call.objects.count(), Trunk.objects.count()) == counts


def test_demo_data_refuses_to_run_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_data")
    assert not Client.objects.exists()
