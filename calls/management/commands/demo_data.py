from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from calls.demo import demo_data_create, write_demo_cdr
from calls.models import Call
from clients.models import Client, Matter
from firm.demo import DEMO_USERS


class Command(BaseCommand):
    """Fill a database with demo data; the calls go through a 3CX CDR file and import_cdr."""

    help = "Create demo data (trunks, ~200 clients, users per role, calls). DEBUG only."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=200)
        parser.add_argument("--calls", type=int, default=3000)
        parser.add_argument(
            "--cdr-file",
            default=str(settings.BASE_DIR / "var" / "demo-cdr.log"),
            help="where to write the demo 3CX call records before importing them",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo_data sets known passwords: it runs only with DEBUG on.")
        result = demo_data_create(client_count=options["clients"])
        if options["calls"]:
            from pathlib import Path

            path = Path(options["cdr_file"])
            codes = list(Client.objects.values_list("code", flat=True))
            # Matters' codes too, as staff dial them (calls of the closed matter included).
            codes += list(Matter.objects.values_list("code", flat=True)) * 5
            write_demo_cdr(path, call_count=options["calls"], client_codes=codes)
            call_command(
                "import_cdr",
                str(path),
                no_progress=True,
                stdout=self.stdout,
                stderr=self.stderr,
                verbosity=options["verbosity"],
            )
        self.stdout.write(
            f"Demo data: {result.trunks} trunks, {result.clients} clients, "
            f"{result.contacts} contacts, {Call.objects.count()} calls."
        )
        self.stdout.write("Log in at http://127.0.0.1:8000/ as:")
        for username, password, role, _name in DEMO_USERS:
            self.stdout.write(f"  {role:<14} user {username:<10} password {password}")
