"""gunicorn, the production web server: ``gunicorn -c firm/gunicorn.conf.py``
(deploy/clientcalls-web.service). Settings of the app itself come from the environment as
usual (.env); these few may be overridden there too:

- ``GUNICORN_BIND`` (default ``127.0.0.1:8000``: the reverse proxy in front of it is the
  only client; ``unix:/run/clientcalls/web.sock`` works too);
- ``WEB_CONCURRENCY`` processes (default: the CPU count, 2 to 4), each with
  ``GUNICORN_THREADS`` threads (default 4).

Decisions
---------
1. Threads ("gthread"), a few processes. A page is mostly waiting for the database, so
   threads serve other requests meanwhile; and each process that prints a long PDF keeps its
   own pool of ``PDF_WORKERS`` rendering processes (firm/lib/pdf.py), so processes, not threads,
   are what costs memory: 2 to 4 processes of 4 threads serve 8 to 16 requests at once.
2. ``preload_app``: Django, every view module (WeasyPrint, pypdf, the tables) and the
   translations are loaded once in the master (``firm/warmup.py``) before it forks, so no
   worker's first request pays ~0.5 s of imports, and the workers share those pages of memory.
   The warm-up opens no database connection (a forked connection would be shared). An upgrade
   is therefore a restart, not a reload (README, Deploying).
3. Clean stop: on SIGTERM the master stops its workers (``graceful_timeout`` 8 s, inside
   systemd's 10 s); each worker shuts its PDF pool down on its way out (``worker_exit``,
   and atexit in firm/lib/pdf.py), so no rendering process outlives it.
"""

import os

wsgi_app = "firm.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
worker_class = "gthread"
# Plain int(): this file is read before the app (from any folder), so not through firm/env.py;
# a typo still fails loudly.
workers = int(os.environ.get("WEB_CONCURRENCY") or max(2, min(os.cpu_count() or 2, 4)))
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
preload_app = True
# A month pack or a 10,000-row print takes minutes (README, Client statements): let it finish.
timeout = 600
graceful_timeout = 8
keepalive = 5
# Requests (stdout) and errors (stderr) go to the journal.
accesslog = "-"
errorlog = "-"
# No control socket in $HOME: systemd starts, stops and restarts the service.
control_socket_disable = True


def when_ready(server):
    """In the master, after the app is loaded and before any worker is forked."""
    from firm.warmup import warm_up

    warm_up()


def worker_exit(server, worker):
    """In a worker on its way out, whatever the signal (SIGTERM, SIGINT, SIGQUIT)."""
    from firm.lib.pdf import shutdown_pool

    shutdown_pool()


def on_exit(server):
    """In the master, last. It renders nothing itself; this is the safety net."""
    from firm.lib.pdf import shutdown_pool

    shutdown_pool()
