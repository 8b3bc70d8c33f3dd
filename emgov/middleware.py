"""Middleware of the project itself rather than of one app."""

import hashlib
import logging
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, OperationalError
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.utils.cache import has_vary_header, patch_cache_control, set_response_etag
from django.utils.translation import get_language

from core import public_state
from core.client_address import from_trusted_proxy
from emgov import db_router

logger = logging.getLogger(__name__)


def carries_session(request):
    """Whether the request may belong to someone logged in. Without a session cookie
    no one is, and nothing needs to load a session (a query) to know it: the page
    cache, the replica's routing, the staff rule and the request log all ask this."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


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
        if carries_session(request) and user and user.is_authenticated:
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


class RecentPages:
    """The pages one process served last, kept in its memory in front of the shared
    cache, so that a page asked again costs no round trip to Redis. Filed under the
    shared cache's own keys, which carry the public state's token, so it is never
    staler than that cache; each page expires as there. Bounded by bytes: the least
    recently served page goes first. The threads of a worker share it."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self._pages = OrderedDict()  # key -> (expires, stored)
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            kept = self._pages.get(key)
            if kept is None:
                return None
            if kept[0] <= time.monotonic():
                self._drop(key)
                return None
            self._pages.move_to_end(key)
            return kept[1]

    def put(self, key, stored, seconds):
        # A page that would take more than an eighth of the room is left to Redis.
        if not self.max_bytes or len(stored[0]) * 8 > self.max_bytes:
            return
        with self._lock:
            if key in self._pages:
                self._drop(key)
            self._pages[key] = (time.monotonic() + seconds, stored)
            self._bytes += len(stored[0])
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._pages)))

    def _drop(self, key):
        _expires, stored = self._pages.pop(key)
        self._bytes -= len(stored[0])


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
    and the language of the interface (LocaleMiddleware, above, has chosen it).
    ConditionalGetMiddleware, further out, answers 304 to cached pages too; the ETag
    it would compute for each is computed once and stored with the page. Each process
    also keeps the pages it served last (RecentPages, settings.PAGE_CACHE_RECENT_BYTES)
    under the same keys."""

    # Not cached: the editors' side, the health check (it must look, every time), and
    # the language switch.
    EXCLUDED_PREFIXES = ("/admin/", "/healthz", "/i18n/")
    # Bigger responses are built each time rather than crowd out many smaller ones.
    MAX_BYTES = 4 * 1024 * 1024

    def __init__(self, get_response):
        self.get_response = get_response
        self.recent = RecentPages(settings.PAGE_CACHE_RECENT_BYTES)

    def __call__(self, request):
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or not self._may_use_cache(request):
            return self.get_response(request)
        key = self._key(request)
        stored = self.recent.get(key)
        if stored is None:
            stored = cache.get(key)
            if stored is not None:
                # Not how long it has left in Redis (another round trip): the
                # remaining life of a page is at most this, and it is never stale.
                self.recent.put(key, stored, seconds)
        if stored is not None:
            return self._response(stored)
        response = self.get_response(request)
        if request.method == "GET" and self._may_keep(response):
            stored = self._stored(response)
            cache.set(key, stored, seconds)
            self.recent.put(key, stored, seconds)
        return response

    def _may_use_cache(self, request):
        return (
            request.method in ("GET", "HEAD")
            and not carries_session(request)
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
        # The ETag ConditionalGetMiddleware would compute on every hit, once.
        set_response_etag(response)
        return (response.content, list(response.items()))

    @staticmethod
    def _response(stored):
        content, headers = stored
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        return response


class ReplicaReadsMiddleware:
    """Which requests may read from the replica (emgov.db_router), and read-your-writes.

    Installed only with a replica (DATABASE_REPLICA_URL), first of all middleware, so
    that it decides before anything reads. A request may read from the replica when it
    is a GET or HEAD outside the admin that carries neither a session cookie (logged-in
    editors: they see drafts and expect their own edits, and sessions are read from the
    primary) nor the pin cookie. Any other request reads from the primary.

    After any request that wrote, or used an unsafe method, the response sets the pin
    cookie (`emgov_primary`, REPLICA_PIN_SECONDS): that client reads from the primary
    for those seconds, whichever app server it reaches. A cookie rather than the
    session, because readers have no session (making one would cost a write on every
    POST, and reading it would need the primary anyway) and a cookie is free and
    stateless; it names no one and grants nothing, so a forged one only sends its
    client to the primary. For every other client the router's check of the replica's
    replayed position does the same: after a request that wrote, the primary's log
    position is recorded in the shared cache, and no request reads a replica until it
    has replayed that far."""

    PIN_COOKIE = "emgov_primary"
    SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = db_router.begin_request(may_use_replica=self.may_use_replica(request))
        try:
            response = self.get_response(request)
            if state.wrote:
                self.record_write(request)
        finally:
            db_router.end_request()
        if response.streaming and not response.is_async and not isinstance(response, FileResponse):
            # An export: its rows are read after this returns, routed as its request.
            response.streaming_content = db_router.read_as(state, response.streaming_content)
        if state.wrote or request.method not in self.SAFE_METHODS:
            response.set_cookie(
                self.PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def record_write(self, request):
        # The write is done: failing to record it must not turn it into an error page.
        try:
            db_router.note_primary_write()
        except DatabaseError:
            logger.warning(
                "Could not record the primary's position after %s %s",
                request.method,
                request.path,
                exc_info=True,
            )

    def may_use_replica(self, request):
        return (
            request.method in self.SAFE_METHODS
            and not carries_session(request)
            and self.PIN_COOKIE not in request.COOKIES
            and not request.path_info.startswith("/admin/")
        )
