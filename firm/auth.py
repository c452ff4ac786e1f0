"""Login throttling with django-axes (README, Security).

After ``AXES_FAILURE_LIMIT`` failed logins for one username from one address, on the main
login page or the admin's, that username is locked out from that address for
``AXES_COOLOFF_TIME``: even the right password is refused, with a page that says so in the
reader's language (``lockout_response``). Every attempt is recorded (*Axes* in admin, for
Administrators); ``manage.py axes_reset_username NAME`` unlocks at once.
"""

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.shortcuts import render


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first among the backends, for logins over HTTP.

    ``authenticate()`` called without a request (a management command, the shell, a test)
    is no one's login attempt from an address: there is nothing to throttle, and the other
    backends decide. Every login page passes its request."""

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out login gets (status 429): how long to wait, whom to ask."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


def client_address(request) -> str | None:
    """Whose login attempt this is. Behind the reverse proxy of deploy/ (TRUST_PROXY_HEADERS)
    every request comes from the proxy: the client is the last address the proxy added to
    X-Forwarded-For (earlier ones are whatever the client sent, so they are not trusted).
    Without a trusted proxy, the connection's own address."""
    if settings.TRUST_PROXY_HEADERS:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR")
