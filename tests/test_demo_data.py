import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from calls import dialing
from calls.models import Call, Trunk
from calls.selectors import dial_plan_get
from clients.models import Client

pytestmark = pytest.mark.django_db


def test_demo_data_creates_a_firm_to_try_with_users_for_every_role(settings, capsys):
    settings.DEBUG = True
    call_command("demo_data", "--clients", "40", "--calls", "300")
    out = capsys.readouterr().out
    assert Client.objects.count() == 40
    assert Client.objects.get(code="123").name == "Affaroni S.p.A."
    assert Call.objects.count() == 300
    assert set(Trunk.objects.values_list("prefix", flat=True)) == {"8", "9"}
    for username, password, role in [
        ("admin", "demo-admin", "Administrator"),
        ("partner", "demo-partner", "Partner"),
        ("reception", "demo-reception", "Receptionist"),
    ]:
        user = authenticate(username=username, password=password)
        assert user is not None and user.groups.filter(name=role).exists()
        assert password in out


def test_demo_calls_follow_the_dial_rules_and_find_their_clients(settings):
    settings.DEBUG = True
    call_command("demo_data", "--clients", "40", "--calls", "300")
    plan = dial_plan_get()
    coded = Call.objects.exclude(billing_code="")
    assert coded.exists()
    for call in coded.select_related("client"):
        number, code = dialing.split_billing_code(call.destination, plan.marker)
        assert (number, code) == (call.dialled_number, call.billing_code)
        assert (call.client.code if call.client else None) == (
            code if Client.objects.filter(code=code).exists() else None
        )


def test_running_demo_data_twice_adds_nothing(settings):
    settings.DEBUG = True
    call_command("demo_data", "--clients", "30", "--calls", "100")
    counts = (Client.objects.count(), Call.objects.count(), Trunk.objects.count())
    call_command("demo_data", "--clients", "30", "--calls", "100")
    assert (Client.objects.count(), Call.objects.count(), Trunk.objects.count()) == counts


def test_demo_data_refuses_to_run_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_data")
    assert not Client.objects.exists()
