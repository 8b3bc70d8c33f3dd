"""One JSON line a request, on standard error (the `emgov.requests` logger).

Each line holds the method, the path and its query string, the status, the time the
site took (milliseconds, until the response was returned: a streamed download goes on
after it), the client's address (core.client_address: the one the trusted proxy
reports), the logged-in user's id or null, and the request id: the one the trusted
proxy set in X-Request-ID (nginx's $request_id, which its own log carries too), else
one made here. Never a cookie, a header or a body. settings.LOGGING turns it on
(EMGOV_REQUEST_LOG; on when debug is off) and formats it (JsonLineFormatter).
"""

import logging
import re
import time
import uuid

from pythonjsonlogger.json import JsonFormatter

from core.client_address import client_address, from_trusted_proxy
from emgov.middleware import carries_session

logger = logging.getLogger("emgov.requests")

# nginx's $request_id is 32 hex digits; other proxies use UUIDs and the like. Anything
# else (or anything a client sent) is replaced, so no one can write into the log.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


class JsonLineFormatter(JsonFormatter):
    """A JSON object a line: time (UTC, ISO 8601), level, logger, message, extras."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", "%(levelname)s %(name)s %(message)s")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", True)
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)


def request_id(request):
    given = request.headers.get("x-request-id", "")
    if given and REQUEST_ID.fullmatch(given) and from_trusted_proxy(request):
        return given
    return uuid.uuid4().hex


def _user_id(request):
    if not carries_session(request):
        return None
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


class RequestLogMiddleware:
    """Logs each request once, when its response is ready (see the module's doc)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not logger.isEnabledFor(logging.INFO):
            return self.get_response(request)
        started = time.perf_counter()
        request.request_id = request_id(request)
        response = self.get_response(request)
        logger.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "query": request.META.get("QUERY_STRING", ""),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "client": client_address(request),
                "user_id": _user_id(request),
                "request_id": request.request_id,
            },
        )
        return response
