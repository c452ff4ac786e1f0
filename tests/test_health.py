"""/health/: for the reverse proxy and monitoring, no login, no data."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_answers_200_without_login_when_the_database_answers(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_503_when_the_database_does_not(client):
    broken = mock.Mock()
    broken.cursor.side_effect = OperationalError("connection refused")
    with mock.patch("firm.views.connection", broken):
        response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.content == b"database unavailable\n"


def test_it_shows_no_data_to_a_logged_in_user_either(admin_client):
    assert admin_client.get(reverse("health")).content == b"ok\n"


def test_it_answers_head_but_not_post(client):
    assert client.head(reverse("health")).status_code == 200
    assert client.post(reverse("health")).status_code == 405


def test_it_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("health")).status_code == 200
    assert client.get(reverse("login")).status_code == 301
