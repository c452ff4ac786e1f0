"""Response headers every page needs (README, Security)."""

from django.utils.cache import patch_cache_control


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
