"""Benchmark: receptionist search among N clients (default 10,000), run by hand.

    .venv/bin/python bench/client_search.py [--clients 10000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clientcalls \
        .venv/bin/python bench/client_search.py

Builds a throw-away test database, fills it, and times the search page's query (first page
plus the count the paginator needs) for typical queries. Target: well under 1 s each; the
ratio printed is the median time over that 1 s budget.
"""

import argparse
import random
import statistics
import time

from _django import connection, throwaway_database  # sets Django up: import it first

BUDGET_SECONDS = 1.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    with throwaway_database():
        run(args)


def run(args):
    from calls.demo import _clients
    from clients.models import Client, Contact
    from clients.selectors import client_search

    rng = random.Random(1)
    Client.objects.bulk_create(_clients(rng, args.clients), batch_size=2000)
    clients = list(Client.objects.all()[:500])
    for n, client in enumerate(clients):
        contact = Contact.objects.create(name=f"Contatto {n} Verdi", phone="3450000000")
        contact.clients.add(client)
    print(
        f"{connection.vendor}: {Client.objects.count()} clients, {Contact.objects.count()} contacts"
    )
    for query in ["affaroni", "123", "rossi costruzioni", "IT0123", "verdi", "zzz-nothing", ""]:
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            found = client_search(query=query)
            count = found.count()
            list(found[:25])
            timings.append(time.perf_counter() - started)
        median = statistics.median(timings)
        print(
            f"  q={query!r:22} {count:6} found  median {median * 1000:7.1f} ms"
            f"  ratio to 1 s budget {median / BUDGET_SECONDS:.3f}"
        )


if __name__ == "__main__":
    main()
