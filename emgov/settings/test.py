"""Settings for the test suite (pyproject.toml points pytest here): the site's own,
with what makes tests fast and independent of one another."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, REST_FRAMEWORK, STORAGES

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

# Background tasks run at once, inside the request that enqueues them, so that a test
# sees their outcome deterministically; tests/test_import_tasks.py runs the database
# backend and its worker as production does.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
