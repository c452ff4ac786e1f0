"""invoice_xml: write the FatturaPA XML of a paid avviso di parcella.

    python manage.py invoice_xml --statement 2026-05/1 --number 15 --date 2026-06-10 --output DIR

Records the invoice number and date on the issued statement ``2026-05/1`` (the firm's own
invoice sequence) and writes ``DIR/IT<firm VAT>_<progressive>.xml``, the file the firm uploads
to SDI; the same file as the issued list's download (clients/billing/invoicing.py). Exit 1
with a message when the statement does not exist or something the invoice needs is missing.
"""

from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clients.billing.invoicing import invoice_file, invoice_record
from clients.models import IssuedStatement


class Command(BaseCommand):
    help = "Write the FatturaPA XML of a paid avviso di parcella (an issued statement)."

    def add_arguments(self, parser):
        parser.add_argument("--statement", required=True, help="its number, e.g. 2026-05/1")
        parser.add_argument("--number", help="the invoice number (the firm's own sequence)")
        parser.add_argument("--date", help="the invoice date, YYYY-MM-DD")
        parser.add_argument("--output", required=True, help="folder to write the XML into")

    def handle(self, *args, **options):
        statement = (
            IssuedStatement.objects.select_related("client")
            .filter(number=options["statement"])
            .first()
        )
        if statement is None:
            raise CommandError(f"--statement {options['statement']!r}: no such issued statement.")
        try:
            if options["number"] or options["date"]:
                if not (options["number"] and options["date"]):
                    raise CommandError("Give both --number and --date.")
                try:
                    invoice_date = date.fromisoformat(options["date"])
                except ValueError:
                    raise CommandError(
                        f"--date {options['date']!r}: give a date as YYYY-MM-DD."
                    ) from None
                invoice_record(
                    statement=statement, number=options["number"], invoice_date=invoice_date
                )
            invoice = invoice_file(statement)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        folder = Path(options["output"])
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / invoice.name).write_bytes(invoice.content)
        except OSError as error:
            raise CommandError(f"Cannot write into {folder}: {error.strerror}.") from None
        self.stdout.write(
            f"{folder / invoice.name}: invoice {statement.invoice_number} of "
            f"{statement.invoice_date:%Y-%m-%d}, {statement.number}."
        )
