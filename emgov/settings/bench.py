"""Settings for the search benchmarks (`make bench`, bench/RESULTS.md): the site's own
plus the `bench` app, whose commands write, time and remove a synthetic corpus.
Production leaves the app out, so no deployed site has a command that writes tens of
thousands of entries."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, LOGGING, STORAGES

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]

# search_bench requests whole pages through Django's test client: over plain HTTP,
# and with no collectstatic run for the manifest that production's storage reads.
SECURE_SSL_REDIRECT = False
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The commands time pages as they are built: no page cache (page_bench, search_bench
# request the same address again and again), and no request log line for each.
PAGE_CACHE_SECONDS = 0
LOGGING = {
    **LOGGING,
    "loggers": {
        **LOGGING["loggers"],
        "emgov.requests": {**LOGGING["loggers"]["emgov.requests"], "level": "WARNING"},
    },
}
