"""After a PostgreSQL restart, a connection kept between requests (CONN_MAX_AGE) is dead: with
CONN_HEALTH_CHECKS the next request finds out before using it and opens a new one, instead of
answering 500 (issue 21, 2.4)."""

import psycopg
import pytest
from django.conf import settings
from django.core import signals
from django.db import connection
from django.urls import reverse


def test_connection_health_checks_are_on():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


@pytest.fixture
def kept_connection(transactional_db):
    """The default connection as production keeps it: reused for 60 s between requests."""
    connection.close()
    saved = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 60
    try:
        yield connection
    finally:
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = saved


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a server-side restart: PostgreSQL")
def test_the_first_request_after_the_server_dropped_the_connection_answers(kept_connection, client):
    signals.request_started.send(sender=None)  # what a real request does first
    assert client.get(reverse("health")).status_code == 200
    signals.request_finished.send(sender=None)
    backend = kept_connection.connection.info.backend_pid

    params = kept_connection.get_connection_params()
    params.pop("context", None)
    params.pop("cursor_factory", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [backend])

    signals.request_started.send(sender=None)
    assert client.get(reverse("health")).status_code == 200
    assert kept_connection.connection.info.backend_pid != backend
    signals.request_finished.send(sender=None)
