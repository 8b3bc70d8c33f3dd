"""Middleware of the project itself rather than of one app."""

import logging

from django.conf import settings
from django.db import OperationalError
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from core.client_address import from_trusted_proxy

logger = logging.getLogger(__name__)


class ForwardedProtoMiddleware:
    """X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER) believed only from a trusted proxy.

    Once the operator lists the proxies in front (EMGOV_TRUSTED_PROXIES), a request
    that reaches the site any other way cannot claim to have come over HTTPS: the
    header is dropped before SecurityMiddleware reads it, so the request is redirected
    to HTTPS like any plain one. With no proxy listed the header is believed as before
    (the proxy in front must then set it and drop any client's: docs/operations.md)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.EMGOV_TRUSTED_PROXIES and not from_trusted_proxy(request):
            request.META.pop("HTTP_X_FORWARDED_PROTO", None)
        return self.get_response(request)


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


# PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout.
QUERY_CANCELED = "57014"


class StatementTimeoutMiddleware:
    """A request whose query ran past the statement timeout (settings.
    STATEMENT_TIMEOUT_SECONDS) answers the site's own 503 page, with Retry-After,
    rather than the 500 page: nothing is broken, the request asked too much. The page
    needs no database, which may still be busy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError):
            return None
        if getattr(exception.__cause__, "pgcode", None) != QUERY_CANCELED:
            return None
        logger.warning("Statement timeout on %s %s", request.method, request.path)
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "30"
        patch_cache_control(response, no_store=True)
        return response
