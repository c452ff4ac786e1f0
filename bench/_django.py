"""The shared start of every benchmark: Django set up on this project, and a throw-away
database. A benchmark script (run as `.venv/bin/python bench/NAME.py`) imports it first."""

import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firm.settings")
# The development settings the benchmarks were measured with (DEBUG now defaults to off);
# bench/load.py starts its server with the production ones.
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


@contextmanager
def throwaway_database():
    """A fresh database (DATABASE_URL's server, or SQLite) for one run, dropped afterwards.

    Yields a temporary folder. SQLite is a file in it, as in real use: an in-memory test
    database would count the stored rows as the benchmark's own memory."""
    setup_test_environment()
    with tempfile.TemporaryDirectory() as folder:
        if connection.vendor == "sqlite":
            connection.settings_dict["TEST"]["NAME"] = str(Path(folder) / "bench.sqlite3")
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            yield Path(folder)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def partner_browser(username: str = "bench-partner"):
    """Django's test client logged in as a Partner of the throw-away database, to time pages
    through the real views."""
    from django.contrib.auth.models import Group, User
    from django.test import Client

    user = User.objects.create_user(username, password="x")
    user.groups.add(Group.objects.get(name="Partner"))
    browser = Client()
    browser.force_login(user)
    return browser
