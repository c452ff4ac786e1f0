from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from calls.demo import DEMO_USERS, demo_data_create


class Command(BaseCommand):
    """Fill an empty database with demo trunks, clients, users per role and calls."""

    help = "Create demo data (trunks, ~200 clients, users per role, calls). DEBUG only."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=200)
        parser.add_argument("--calls", type=int, default=3000)

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo_data sets known passwords: it runs only with DEBUG on.")
        result = demo_data_create(client_count=options["clients"], call_count=options["calls"])
        self.stdout.write(
            f"Demo data: {result.trunks} trunks, {result.clients} clients, "
            f"{result.contacts} contacts, {result.calls} calls."
        )
        self.stdout.write("Log in at http://127.0.0.1:8000/ as:")
        for username, password, role, _name in DEMO_USERS:
            self.stdout.write(f"  {role:<14} user {username:<10} password {password}")
