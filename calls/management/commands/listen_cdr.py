"""listen_cdr: take a PBX's live call records (one line per call, over TCP) and import them as
they come, or import the files a PBX puts in a folder.

    python manage.py listen_cdr --listen 0.0.0.0:5000 --allow 192.168.1.10   # 3CX active socket
    python manage.py listen_cdr --connect 192.168.1.10:5000                  # 3CX passive socket
    python manage.py listen_cdr --format avaya_smdr --listen 0.0.0.0:1150 --allow 192.168.1.11
    python manage.py listen_cdr --format panasonic_smdr --connect 192.168.1.20:2300
    python manage.py listen_cdr --watch /srv/cdr-inbox                       # a watched folder

Runs until stopped (Ctrl+C, SIGTERM). Every line of a feed is written to the spool folder first
(``--spool``, default ``CDR_SPOOL_DIR``, a sub-folder per format other than 3CX) and imported
from there by one importer thread, at start-up and whenever the database answers again after
an outage (calls/importing/live_feed.py; the SMDR log-in and reconnection: feeds.py). The
Panasonic log-in comes from PBX_SMDR_USER and PBX_SMDR_PASSWORD. A watched folder's files are
their own spool (calls/importing/watch.py).
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

from calls.importing import feeds, live_feed, watch
from calls.selectors import cdr_layout_default, cdr_layout_named


class Command(BaseCommand):
    help = (
        "Import a PBX's live call records as they arrive (3CX, Avaya SMDR, Panasonic SMDR; "
        "lines are spooled to disk first), or the files put in a watched folder."
    )

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument(
            "--listen", metavar="HOST:PORT", help="active socket: the PBX connects here"
        )
        mode.add_argument(
            "--connect", metavar="HOST:PORT", help="passive socket: connect to the PBX"
        )
        mode.add_argument(
            "--watch",
            type=Path,
            metavar="DIR",
            help="import each new or grown call-record file in this folder",
        )
        parser.add_argument(
            "--format",
            choices=feeds.LIVE_FORMATS,
            default="threecx",
            help="what the feed carries: threecx (default), avaya_smdr (the PBX connects: "
            "--listen), panasonic_smdr (we connect and log in: --connect)",
        )
        parser.add_argument(
            "--date-order",
            choices=("dd/mm/yy", "mm/dd/yy"),
            default="dd/mm/yy",
            help="panasonic_smdr: how the PBX prints dates (a PBX setting; default dd/mm/yy)",
        )
        parser.add_argument(
            "--settle-seconds",
            type=float,
            help="--watch: read a file once unchanged this long (default: "
            "CDR_WATCH_SETTLE_SECONDS)",
        )
        parser.add_argument(
            "--final-seconds",
            type=float,
            help="--watch: read a last line without its line end once the file is unchanged "
            "this long (default: CDR_WATCH_FINAL_SECONDS)",
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
        if options["watch"]:
            return self._watch(options, layout)
        name = options["format"]
        if name == "avaya_smdr" and options["connect"]:
            raise CommandError(
                "--format avaya_smdr: IP Office connects to us; use --listen (port 1150)."
            )
        if name == "panasonic_smdr" and options["listen"]:
            raise CommandError(
                "--format panasonic_smdr: the PBX serves SMDR; use --connect PBX:2300."
            )
        if options["listen"]:
            server, allowed = self._server(options["listen"], options["allow"])
        else:
            server, target = None, self._target(options["connect"])
        spool = options["spool"] or settings.CDR_SPOOL_DIR
        if not options["spool"] and name != "threecx":
            spool = Path(spool) / name  # a spool of its own: its importer knows the format
        feed = live_feed.Feed(
            spool,
            threecx_layout=layout,
            feed_format=feeds.feed_format(name, month_first=options["date_order"] == "mm/dd/yy"),
            max_connections=settings.CDR_FEED_MAX_CONNECTIONS,
            idle_seconds=settings.CDR_FEED_IDLE_SECONDS,
        )
        # SIGTERM stops the feed cleanly from before the first line says it is ready: a
        # supervisor (or a test) may stop it as soon as it reads that line.
        on_main_thread = threading.current_thread() is threading.main_thread()
        if on_main_thread:
            previous = signal.signal(signal.SIGTERM, lambda *_: feed.stop.set())
        if server:
            run = partial(feed.listen, server, allowed)
            host, port, *_rest = server.getsockname()
            self._say(
                f"Listening on {host}:{port} for {', '.join(sorted(allowed))} "
                f"(at most {feed.connections.limit} connections); "
                f"spooling to {feed.spool.folder}."
            )
        elif name == "panasonic_smdr":
            login = feeds.Login(settings.PBX_SMDR_USER, settings.PBX_SMDR_PASSWORD)
            run = partial(
                feeds.connect_smdr_forever,
                target,
                feed.spool,
                login,
                stop=feed.stop,
                connections=feed.connections,
                max_pause=settings.CDR_FEED_RECONNECT_MAX_SECONDS,
            )
            self._say(
                f"Reading the Panasonic SMDR of {options['connect']} as {login.user}; "
                f"spooling to {feed.spool.folder}."
            )
        else:
            run = partial(feed.connect, target)
            self._say(f"Reading the feed of {options['connect']}; spooling to {feed.spool.folder}.")
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

    def _watch(self, options, layout):
        folder = options["watch"]
        if not folder.is_dir():
            raise CommandError(f"--watch {folder}: no such folder.")
        settle = options["settle_seconds"]
        final = options["final_seconds"]
        watcher = watch.FolderWatch(
            folder,
            stop=threading.Event(),
            settle_seconds=settings.CDR_WATCH_SETTLE_SECONDS if settle is None else settle,
            final_seconds=settings.CDR_WATCH_FINAL_SECONDS if final is None else final,
            threecx_layout=layout,
        )
        on_main_thread = threading.current_thread() is threading.main_thread()
        if on_main_thread:  # before the line that says it is ready, as for a feed
            previous = signal.signal(signal.SIGTERM, lambda *_: watcher.stop.set())
        self._say(
            f"Watching {folder}: a file is read once unchanged for {watcher.settle_seconds:g} s."
        )
        try:
            watcher.run()
        except KeyboardInterrupt:
            pass
        finally:
            if on_main_thread:
                signal.signal(signal.SIGTERM, previous)
        totals = watcher.totals
        self._say(
            f"Stopped: {totals.files} files read: {totals.lines_read} lines read, "
            f"{totals.imported} imported, {totals.duplicates} duplicates, "
            f"{totals.rejected} rejected, {totals.skipped} skipped."
        )

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
