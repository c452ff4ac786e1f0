"""Response headers every page needs, and input no page can store (README, Security)."""

import logging

from django.http import HttpResponseBadRequest
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class NoStoreForUsersMiddleware:
    """``Cache-Control: private, no-store`` on every response to a logged-in user.

    Call logs, phone numbers, statements and their exports and PDFs are confidential: no
    browser cache, shared proxy or back button on a shared computer may keep a copy. Pages
    for anonymous users (the login page) and static files (served by WhiteNoise before this
    middleware) keep their own caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


# Characters no database stores in text: PostgreSQL refuses NUL in any string, so a NUL in a
# filter, a search or a form field would turn into a 500 wherever the value reaches a query.
UNSTORABLE = "\x00"
# The admin's date_hierarchy (`start__year=…`) builds a datetime from these before any query:
# a year like 9999999999 overflows. Within this range every year, month and day is a date.
DATE_PART_RANGES = {"__year": (1970, 2999), "__month": (1, 12), "__day": (1, 31)}


class RefuseUnstorableInputMiddleware:
    """400 Bad Request for a request whose query string or form holds a NUL, in a name or a
    value, and for a date part (``…__year``, ``…__month``, ``…__day``) that is not a small
    number in range. One place instead of a guard in every filter: no page, admin list,
    search or form of ours, or of Django's and django-axes' admin, sees such input. Uploaded
    files are not looked at (a CDR or XLSX file may hold any byte)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = _unstorable(request.GET.lists())
        if problem is None and request.method == "POST" and _is_form(request):
            problem = _unstorable(request.POST.lists(), date_parts=False)
        if problem is not None:
            logger.warning("Bad request %s %s: %s", request.method, request.path, problem)
            return HttpResponseBadRequest(
                _("Bad request: %(problem)s") % {"problem": problem}, content_type="text/plain"
            )
        return self.get_response(request)


def _is_form(request) -> bool:
    kind = request.content_type or ""
    return kind in {"application/x-www-form-urlencoded", "multipart/form-data"}


def _unstorable(items, *, date_parts=True) -> str | None:
    """What is wrong with these (name, values) pairs, or None."""
    for name, values in items:
        if UNSTORABLE in name or any(UNSTORABLE in value for value in values):
            return _("a NUL character in %(name)s") % {"name": name.replace(UNSTORABLE, "\\0")}
        if not date_parts:
            continue
        for suffix, (low, high) in DATE_PART_RANGES.items():
            if name.endswith(suffix) and not all(_in_range(v, low, high) for v in values):
                return _("%(name)s is not a number from %(low)s to %(high)s") % {
                    "name": name,
                    "low": low,
                    "high": high,
                }
    return None


def _in_range(value: str, low: int, high: int) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= 4 and low <= int(value) <= high
