"""Throttles for the public pages that cost the most (search, exports, feeds and
sitemaps, citation downloads): each client address may make so many requests of a
kind in a window of time, counted in the default cache (Redis in production, so
every worker and app server shares one count) and keyed on the real client address
(core.client_address), never on a header a client can set. The API has DRF's own
throttle (api.throttling), counted the same way.

Fixed windows: one counter per client, kind and window, created with add() and
counted with incr(), both atomic in Redis, so two requests at once are both counted.
A cache that does not answer lets requests through: a throttle bounds cost, and a
lost Redis must not take the site down with it."""

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from core.client_address import client_address

SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_rate(rate):
    """'60/minute' → (60, 60); None (no limit) → None."""
    if rate is None:
        return None
    count, period = rate.split("/")
    return int(count), SECONDS[period]


def over_limit(request, kind):
    """Count this request; the seconds to wait if it is over the kind's limit, else 0."""
    rate = parse_rate(settings.EMGOV_THROTTLE_RATES.get(kind))
    if rate is None:
        return 0
    limit, seconds = rate
    now = int(time.time())
    window = now // seconds
    key = f"throttle:{kind}:{client_address(request)}:{window}"
    try:
        cache.add(key, 0, seconds + 1)
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr(): this is the first
        count = 1
    if count is None or count <= limit:  # None: a cache that ignored its error
        return 0
    return (window + 1) * seconds - now


def throttled(kind):
    """A view (or any callable taking the request first) limited by the rate
    settings.EMGOV_THROTTLE_RATES gives `kind`; past it, the site's 429 page with
    Retry-After."""

    def decorator(view):
        @wraps(view)
        def throttled_view(request, *args, **kwargs):
            wait = over_limit(request, kind)
            if wait:
                response = render(request, "429.html", {"wait": wait}, status=429)
                response["Retry-After"] = str(wait)
                patch_cache_control(response, no_store=True)
                return response
            return view(request, *args, **kwargs)

        return throttled_view

    return decorator
