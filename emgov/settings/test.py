"""Settings for the test suite (pyproject.toml points pytest here): the site's own,
with what makes tests fast and independent of one another."""

import copy

from .base import *  # noqa: F403
from .base import (
    CACHES,
    DATABASES,
    EMGOV_THROTTLE_RATES,
    INSTALLED_APPS,
    LOGGING,
    REST_FRAMEWORK,
    STORAGES,
    USING_POSTGRES,
)

# Never a production key: the suite signs sessions and CSRF tokens with it.
SECRET_KEY = "test-only-secret-key-not-for-production-0123456789abcdef"  # noqa: S105

# The test client and the browser tests' live server speak plain HTTP. The tests of
# a production start run manage.py under the site's own settings (tests/test_security.py).
SECURE_SSL_REDIRECT = False

# The tests cover the benchmark commands too.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]

# MD5 keeps creating users fast; it is never used outside the suite.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Plain static storage needs no collectstatic run before the tests.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Every test client is the same anonymous address: only the throttle's own test
# (tests/test_api.py) turns the API's limit on, so that no other test can trip it.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None}}
# The same for the pages' throttles (tests/test_throttles.py turns them on).
EMGOV_THROTTLE_RATES = dict.fromkeys(EMGOV_THROTTLE_RATES)

# Each test process's own memory, even where REDIS_URL is set: tests clear the cache,
# and must never clear a shared one. The tests of Redis itself (tests/test_serving.py)
# point the cache at it with a key prefix of their own.
CACHES = {**CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# And so the login lockout counts in the database, as without Redis; the tests of the
# shared cache's lockout (tests/test_serving.py) choose its handler themselves.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Sessions likewise (tests/test_serving.py tries them in Redis).
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Each test sees pages as built for it; the tests of the page cache turn it on
# (tests/test_page_cache.py).
PAGE_CACHE_SECONDS = 0

# Exports are streamed afresh each time: most tests write without committing, so the
# public state, which changes on commit, would not tell their files apart. The tests
# of built exports (tests/test_built_exports.py) give them a directory.
EXPORTS_DIR = ""

# The suite's databases are thrown away after it: a commit need not wait for the disk
# (the tests that commit, races and browser journeys, are many).
_options = DATABASES["default"]["OPTIONS"]
if USING_POSTGRES:
    _options["options"] = f"{_options.get('options', '')} -c synchronous_commit=off".strip()
else:
    _options["init_command"] += "PRAGMA synchronous=OFF;"

# A "replica" alias for the router's tests (tests/test_db_router.py): another
# connection to the primary's own test database (a mirror, so no second database is
# created). No query goes there unless a test installs the router.
if "replica" not in DATABASES:
    DATABASES["replica"] = {**copy.deepcopy(DATABASES["default"]), "TEST": {"MIRROR": "default"}}

# Background tasks run at once, inside the request that enqueues them, so that a test
# sees their outcome deterministically; tests/test_import_tasks.py runs the database
# backend and its worker as production does.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# No request log: thousands of requests would bury the failures. Its own test
# (tests/test_request_log.py) turns it on and reads it.
LOGGING = {
    **LOGGING,
    "loggers": {
        **LOGGING["loggers"],
        "emgov.requests": {**LOGGING["loggers"]["emgov.requests"], "level": "WARNING"},
    },
}
