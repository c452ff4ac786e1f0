"""Demo data for a first look: trunks, ~200 clients with contacts (clients.demo), users per
role (firm.demo), calls.

Deterministic (seeded) so screenshots and docs stay true. Never meant for production:
the command refuses to run with DEBUG off.
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from calls.cdr.synthetic import threecx_lines
from calls.models import Trunk, TrunkIdentifier
from clients.demo import demo_clients_create
from clients.models import Client, Contact
from firm.demo import demo_firm_settings, demo_users_create


@dataclass
class DemoResult:
    trunks: int
    clients: int
    contacts: int
    calls: int = 0


def write_demo_cdr(path: Path, *, call_count: int, client_codes: list[str]) -> int:
    """Write a realistic 3CX cdr.log: working days up to today, about 80 calls a day.

    Most client codes are real; a few are codes no client has (shown as unknown)."""
    today = timezone.now().date()
    days = max(1, call_count // 80)
    codes = client_codes + ["9991", "9992"]
    written, day = 0, today - timedelta(days=1)  # whole days only, none in the future
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as out:
        for index in range(days):
            while day.weekday() >= 5:  # the office is closed at weekends
                day -= timedelta(days=1)
            count = call_count - written if index == days - 1 else call_count // days
            start = datetime.combine(day, time(7, 30), tzinfo=UTC)
            out.writelines(
                threecx_lines(
                    count,
                    seed=index,
                    start=start,
                    client_codes=codes,
                    coded_share=0.45,
                    first_history_id=100_000 + written,
                )
            )
            written += count
            day -= timedelta(days=1)
    return written


@transaction.atomic
def demo_data_create(*, client_count: int = 200, seed: int = 2026) -> DemoResult:
    """Firm settings, trunks, clients with contacts and one user per role (calls come from
    a CDR file: see write_demo_cdr and the demo_data command)."""
    rng = random.Random(seed)
    demo_firm_settings()

    cellular, _ = Trunk.objects.get_or_create(
        name="Gateway cellulare",
        defaults={"kind": Trunk.Kind.CELLULAR, "prefix": "9", "is_default": True},
    )
    voip, _ = Trunk.objects.get_or_create(
        name="Provider VoIP", defaults={"kind": Trunk.Kind.VOIP, "prefix": "8"}
    )
    TrunkIdentifier.objects.get_or_create(value="10001", defaults={"trunk": cellular})
    TrunkIdentifier.objects.get_or_create(value="10000", defaults={"trunk": voip})

    demo_clients_create(rng, client_count)
    demo_users_create()

    return DemoResult(
        trunks=Trunk.objects.count(),
        clients=Client.objects.count(),
        contacts=Contact.objects.count(),
    )
