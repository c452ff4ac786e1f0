"""listen_cdr: take 3CX's live CDR feed (one line per call, over TCP) and import it as it comes.

    python manage.py listen_cdr --listen 0.0.0.0:5000 --allow 192.168.1.10   # active socket
    python manage.py listen_cdr --connect 192.168.1.10:5000                  # passive socket

Runs until stopped (Ctrl+C, SIGTERM). Every line is written to the spool folder first
(``--spool``, default ``CDR_SPOOL_DIR``) and imported from there by one importer thread, at
start-up and whenever the database answers again after an outage. See calls/importing/live_feed.py.
"""

import signal
import socket
import threading
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.db import DatabaseError
from django.db import connection as database

from calls.importing import live_feed
from calls.selectors import cdr_layout_default, cdr_layout_named


class Command(BaseCommand):
    help = "Import 3CX's live CDR socket feed as calls arrive (lines are spooled to disk first)."

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument(
            "--listen", metavar="HOST:PORT", help="active socket: the PBX connects here"
        )
        mode.add_argument(
            "--connect", metavar="HOST:PORT", help="passive socket: connect to the PBX"
        )
        parser.add_argument(
            "--allow",
            action="append",
            default=[],
            metavar="ADDRESS",
            help="with --listen: an address the PBX connects from (repeat for several); "
            "without it, only loopback, and only when listening on loopback",
        )
        parser.add_argument("--layout", help="3CX field order (default: detected per feed)")
        parser.add_argument("--spool", type=Path, help="spool folder (default: CDR_SPOOL_DIR)")

    @no_translations  # an operator's tool: English output, like Django's own commands
    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        layout = self._layout(options["layout"])
        if options["listen"]:
            server, allowed = self._server(options["listen"], options["allow"])
        else:
            server, target = None, self._target(options["connect"])
        feed = live_feed.Feed(
            options["spool"] or settings.CDR_SPOOL_DIR,
            threecx_layout=layout,
            max_connections=settings.CDR_FEED_MAX_CONNECTIONS,
            idle_seconds=settings.CDR_FEED_IDLE_SECONDS,
        )
        if server:
            run = partial(feed.listen, server, allowed)
            host, port, *_rest = server.getsockname()
            self._say(
                f"Listening on {host}:{port} for {', '.join(sorted(allowed))} "
                f"(at most {feed.connections.limit} connections); "
                f"spooling to {feed.spool.folder}."
            )
        else:
            run = partial(feed.connect, target)
            self._say(f"Reading the feed of {options['connect']}; spooling to {feed.spool.folder}.")
        on_main_thread = threading.current_thread() is threading.main_thread()
        if on_main_thread:
            previous = signal.signal(signal.SIGTERM, lambda *_: feed.stop.set())
        feed.start()
        try:
            run()
        except KeyboardInterrupt:
            pass
        finally:
            if server:
                server.close()  # accept no more
            stopped_cleanly = feed.shutdown()
            if on_main_thread:
                signal.signal(signal.SIGTERM, previous)
        self._report(feed, stopped_cleanly)

    def _layout(self, name):
        """A function giving the 3CX field order, asked at every import run (the database
        may be down now); a --layout name is checked now when the database answers."""
        if not name:
            return cdr_layout_default
        try:
            found = cdr_layout_named(name)
        except DatabaseError as error:
            self.stderr.write(f"--layout {name}: cannot be checked now ({error}).")
        else:
            if found is None:
                raise CommandError(f"--layout {name}: no layout of that name.")
        finally:
            database.close()  # the importer opens its own connection when a line comes
        return partial(cdr_layout_named, name)

    def _server(self, address, allow):
        try:
            host, port = live_feed.parse_address(address, default_host="0.0.0.0")  # noqa: S104
        except ValueError as error:
            raise CommandError(f"--listen: {error}") from None
        allowed = live_feed.allowed_peers(allow, host)
        if not allowed:
            raise CommandError(
                "--listen on a network address needs --allow with the PBX's address: "
                "call logs are confidential."
            )
        try:
            return socket.create_server((host, port)), allowed
        except OSError as error:
            raise CommandError(f"--listen {address}: {error.strerror or error}") from None

    def _target(self, address):
        try:
            target = live_feed.parse_address(address)
        except ValueError as error:
            raise CommandError(f"--connect: {error}") from None
        if not target[0]:
            raise CommandError("--connect needs the PBX's host, e.g. 192.168.1.10:5000")
        return target

    def _say(self, message):
        if self.verbosity >= 1:
            self.stdout.write(message)

    def _report(self, feed, stopped_cleanly):
        totals, connections = feed.importer.totals, feed.connections
        self._say(
            f"Stopped: {feed.spool.lines_received} lines received on {connections.accepted} "
            f"connections ({connections.held} waited for a reader, {connections.refused} "
            f"refused beyond the limit); {totals.passes} import "
            f"runs: {totals.lines_read} lines read, {totals.imported} imported, "
            f"{totals.duplicates} duplicates, {totals.rejected} rejected."
        )
        if not stopped_cleanly:
            self.stderr.write(
                "The importer had not finished: the lines it had not committed are imported at "
                "the next start."
            )
