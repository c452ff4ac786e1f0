"""firm/warmup.py: what gunicorn's master loads before it forks (firm/gunicorn.conf.py)."""

import sys

from firm.warmup import warm_up


def test_warm_up_loads_every_view_module_without_touching_the_database():
    # No django_db mark: pytest-django fails any database access here.
    warm_up()
    assert {"calls.views", "clients.views", "weasyprint", "pypdf"} <= set(sys.modules)
