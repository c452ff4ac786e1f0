"""Benchmark: issuing and sending a month's statements (#16), run by hand.

    .venv/bin/python bench/issue_statements.py [--clients 100] [--calls 10000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clientcalls \\
        .venv/bin/python bench/issue_statements.py

A throw-away database filled as bench/client_statements_pack.py fills it (every client with
a billing address), and a local SMTP server (aiosmtpd on 127.0.0.1, a sink: nothing leaves
the machine). Times ``statements_issue`` (freeze every statement with its PDF, close the
month), ``statements_send`` (one e-mail with its PDF per client) and a rerun of both (which
must issue and send nothing), and prints the rerun as a ratio of the first run.
"""

import argparse
import socket
import time

from _django import connection, throwaway_database  # sets Django up: import it first
from client_statements_pack import fill


class Sink:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--calls", type=int, default=10_000)
    args = parser.parse_args()
    from aiosmtpd.controller import Controller
    from django.conf import settings

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with throwaway_database():
            from datetime import date

            from django.contrib.auth.models import User

            from clients.billing.issuing import statements_issue, statements_send
            from clients.models import Client

            settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
            settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
            settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
            fill(args.clients, args.calls)
            for client in Client.objects.all():
                client.billing_email = f"conti@cliente{client.code}.example"
                client.save(update_fields=["billing_email"])
            user = User.objects.create_user("bench-partner")
            month = date(2026, 5, 1)
            print(f"{connection.vendor}: {args.clients} clients, {args.calls} calls in May 2026")

            started = time.perf_counter()
            issued = statements_issue(month=month, user=user).issued
            issue_s = time.perf_counter() - started
            started = time.perf_counter()
            outcomes = statements_send(month=month)
            send_s = time.perf_counter() - started
            sent = sum(outcome.status == "sent" for outcome in outcomes)
            print(
                f"  issue: {len(issued)} statements in {issue_s:.1f} s "
                f"({issue_s / max(len(issued), 1):.2f} s each, PDF included)"
            )
            print(
                f"  send: {sent} e-mails in {send_s:.2f} s "
                f"({1000 * send_s / max(sent, 1):.1f} ms each); the server got {sink.count}"
            )
            started = time.perf_counter()
            again = statements_issue(month=month, user=user).issued
            outcomes = statements_send(month=month)
            rerun_s = time.perf_counter() - started
            print(
                f"  rerun: {len(again)} issued, {len(outcomes)} sent in {rerun_s:.2f} s "
                f"({rerun_s / (issue_s + send_s):.3f}x the first run)"
            )
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
