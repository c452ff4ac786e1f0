"""mark_interrupted_imports: show import runs whose process died as interrupted.

An import killed mid-way (kill -9, a power loss, the database gone) cannot say so itself: its
run stays 'running'. Every import and the admin's list of runs already mark such runs; the
daily timer runs this too (deploy/). Importing the same file again completes the import.
"""

from django.core.management.base import BaseCommand, no_translations

from calls.importing.services import import_runs_mark_interrupted


class Command(BaseCommand):
    help = (
        "Mark import runs left 'running' by a process that is gone (or silent for 10 minutes) "
        "as interrupted."
    )

    @no_translations  # an operator's tool: English output, like Django's own commands
    def handle(self, *args, **options):
        marked = import_runs_mark_interrupted()
        if options["verbosity"] >= 1:
            self.stdout.write(f"{marked} import runs marked interrupted.")
