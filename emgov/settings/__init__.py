"""The site's settings: `emgov.settings` is `emgov.settings.base`, so manage.py, the
WSGI and ASGI entry points and any deployment that names `emgov.settings` get them.
The suite runs on `emgov.settings.test`, the benchmarks on `emgov.settings.bench`."""

from .base import *  # noqa: F403
