"""Middleware of the project itself rather than of one app."""

from django.conf import settings
from django.utils.cache import patch_cache_control


class PrivateForStaffMiddleware:
    """A logged-in editor's response is never stored, nor answered 304.

    Staff see what readers do not (previews of drafts, links to edit), at the same
    addresses. So their responses are `Cache-Control: private, no-store`, which keeps
    them out of every cache and makes ConditionalGetMiddleware (above this one) give
    them no ETag; any Last-Modified a view set (feeds, sitemaps) is dropped too, so an
    anonymous reader's validators never earn a staff request a 304, nor the other way
    round. Without a session cookie no one is logged in, so anonymous requests never
    load a session here (no query, no `Vary: Cookie` added)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if settings.SESSION_COOKIE_NAME in request.COOKIES and user and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
            for validator in ("ETag", "Last-Modified"):
                if validator in response:
                    del response[validator]
        return response
