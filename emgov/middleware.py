"""Middleware of the project itself rather than of one app."""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import has_vary_header, patch_cache_control
from django.utils.translation import get_language

from core import public_state
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


class PublicPageCacheMiddleware:
    """Anonymous GET responses kept in the cache (Redis in production, shared by every
    worker and app server) for settings.PAGE_CACHE_SECONDS, filed under the public
    state's token (core.public_state), which changes after every committed write the
    public could see: a page is never served once what it shows has changed, on any
    app server, with nothing to invalidate one by one.

    Only requests without a session cookie are served from the cache or fill it, so
    staff never get a cached page and never put one in; a response is kept only when
    it is a whole 200 that says nothing of its reader (no cookie set, no `Vary:
    Cookie`, not private or no-store). The key is the absolute address with its query
    and the language of the interface (LocaleMiddleware, above, has chosen it from the
    path). ConditionalGetMiddleware, further out, answers 304 to cached pages too."""

    # Not cached: the editors' side, the health check (it must look, every time), and
    # the language switch.
    EXCLUDED_PREFIXES = ("/admin/", "/healthz", "/i18n/")
    # Bigger responses are built each time rather than crowd out many smaller ones.
    MAX_BYTES = 4 * 1024 * 1024

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or not self._may_use_cache(request):
            return self.get_response(request)
        key = self._key(request)
        stored = cache.get(key)
        if stored is not None:
            return self._response(stored)
        response = self.get_response(request)
        if request.method == "GET" and self._may_keep(response):
            cache.set(key, self._stored(response), seconds)
        return response

    def _may_use_cache(self, request):
        return (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES
            and not request.path.startswith(self.EXCLUDED_PREFIXES)
        )

    def _key(self, request):
        address = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
        return f"page:{public_state.token()}:{get_language()}:{address}"

    def _may_keep(self, response):
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not has_vary_header(response, "Cookie")
            and not any(
                directive in response.get("Cache-Control", "")
                for directive in ("private", "no-store", "no-cache")
            )
            and len(response.content) <= self.MAX_BYTES
        )

    @staticmethod
    def _stored(response):
        return (response.content, list(response.items()))

    @staticmethod
    def _response(stored):
        content, headers = stored
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        return response
