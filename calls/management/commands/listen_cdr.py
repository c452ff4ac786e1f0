"""listen_cdr: take 3CX's live CDR feed (one line per call, over TCP) and import it as it comes.

    python manage.py listen_cdr --listen 0.0.0.0:5000 --allow 192.168.1.10   # active socket
    python manage.py listen_cdr --connect 192.168.1.10:5000                  # passive socket

Runs until stopped (Ctrl+C, SIGTERM: within about a second, open feeds included, after
importing what they sent). Every line is written to the spool folder first
(``--spool``, default ``CDR_SPOOL_DIR``), so nothing is lost if the database is away:
``import_cdr <spool folder>`` imports it later without duplicates. See calls/live_feed.py.
"""

import signal
import socket
import threading
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.db import connection as database

from calls import live_feed
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
            help="with --listen: an address the PBX connects from (repeat for several)",
        )
        parser.add_argument("--layout", help="3CX field order (default: detected per feed)")
        parser.add_argument("--spool", type=Path, help="spool folder (default: CDR_SPOOL_DIR)")

    @no_translations  # an operator's tool: English output, like Django's own commands
    def handle(self, *args, **options):
        layout = None
        if options["layout"]:
            layout = cdr_layout_named(options["layout"])
            if layout is None:
                raise CommandError(f"--layout {options['layout']}: no layout of that name.")
        else:
            layout = cdr_layout_default()
        spool = live_feed.Spool(options["spool"] or settings.CDR_SPOOL_DIR)
        stop = threading.Event()
        handle = partial(self._import, spool=spool, layout=layout, stop=stop)
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            if options["listen"]:
                self._listen(options["listen"], options["allow"], handle, stop, spool)
            else:
                self._connect(options["connect"], handle, stop, spool)
        except KeyboardInterrupt:
            stop.set()
        self.stdout.write("Stopped.")

    def _listen(self, address, allow, handle, stop, spool):
        try:
            host, port = live_feed.parse_address(address, default_host="0.0.0.0")  # noqa: S104
        except ValueError as error:
            raise CommandError(f"--listen: {error}") from None
        if not allow and host not in ("127.0.0.1", "localhost", "::1"):
            raise CommandError(
                "--listen on a network address needs --allow with the PBX's address: "
                "call logs are confidential."
            )
        allowed = set(allow) | {"127.0.0.1", "::1"}
        try:
            server = socket.create_server((host, port))
        except OSError as error:
            raise CommandError(f"--listen {address}: {error.strerror or error}") from None
        with server:
            self.stdout.write(
                f"Listening on {host}:{port} for {', '.join(sorted(allowed))}; "
                f"spooling to {spool.folder}."
            )
            live_feed.serve(server, handle, allowed=allowed, stop=stop)

    def _connect(self, address, handle, stop, spool):
        try:
            target = live_feed.parse_address(address)
        except ValueError as error:
            raise CommandError(f"--connect: {error}") from None
        if not target[0]:
            raise CommandError("--connect needs the PBX's host, e.g. 192.168.1.10:5000")
        self.stdout.write(f"Reading the feed of {address}; spooling to {spool.folder}.")
        live_feed.connect_forever(target, handle, stop=stop)

    def _import(self, connection, peer, *, spool, layout, stop):
        try:
            summary = live_feed.import_connection(
                connection, peer, spool=spool, threecx_layout=layout, stop=stop
            )
        finally:
            database.close()  # each feed runs on its own thread, with its own connection
        if summary is None:
            self.stderr.write(f"{peer}: import failed; its lines are kept in {spool.folder}.")
            return
        self.stdout.write(
            f"{peer}: {summary.lines_read} lines read, {summary.imported} imported, "
            f"{summary.duplicates} duplicates, {summary.rejected} rejected"
        )
