"""Views of the project itself rather than of one app."""

import logging
import uuid

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse

logger = logging.getLogger(__name__)


def _database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def _cache_answers():
    """Whether a value written to the cache can be read back. A key of this request's
    own, so that two checks at once never read each other's value; and a read, because
    a Redis that is down is (by the site's settings) a silent miss, not an error."""
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=10)
        answered = cache.get(key) == value
        cache.delete(key)
    except Exception:  # whatever the backend raises: the cache is not answering
        logger.warning("healthz: the cache failed", exc_info=True)
        return False
    return answered


def healthz(request):
    """For load balancers: 200 when the database and the cache answer, 503 naming the
    one that does not."""
    checks = {"database": _database_answers(), "cache": _cache_answers()}
    body = {name: "ok" if ok else "failed" for name, ok in checks.items()}
    if all(checks.values()):
        return JsonResponse({"status": "ok", **body})
    return JsonResponse({"status": "unavailable", **body}, status=503)
