"""Settings for emgov, read from the environment (see docs/operations.md).

SQLite is the embedded default; PostgreSQL (production) is chosen by DATABASE_URL.
Debug is off unless DJANGO_DEBUG=1, and then a secret key must be given.

These are the site's settings, for production and `make run` alike; `emgov.settings`
is this module. The suite adds to them in `emgov.settings.test`, the benchmarks in
`emgov.settings.bench`.
"""

import datetime
import hashlib
import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_seconds(name, default):
    value = os.environ.get(name) or default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1
    if not 0 <= seconds < 86400:
        raise ImproperlyConfigured(
            f"{name} must be a number of seconds (0 for no limit): {value!r}"
        )
    return seconds


def env_count(name, default):
    value = os.environ.get(name) or default
    if not value.strip().isdigit():
        raise ImproperlyConfigured(f"{name} must be a whole number, 0 or more: {value!r}")
    return int(value)


DEBUG = env_bool("DJANGO_DEBUG", False)

# Left empty without DJANGO_SECRET_KEY when debug is off: Django then refuses whatever
# would sign with it, and the site refuses to serve (core.checks, emgov/wsgi.py).
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 (debug only)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if not USING_POSTGRES:
    # Overlapping writers queue for SQLite's one write lock instead of failing with
    # "database is locked": each transaction takes the lock as it begins (IMMEDIATE,
    # so a read-then-write never needs to upgrade it) and waits up to 20 s for it;
    # WAL lets pages be read while an editor's save is being written.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;",
    }
    # Tests use a file rather than memory: an in-memory database shared between
    # threads locks per table and fails at once, where a file waits like production.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("EMGOV_TEST_DATABASE_NAME") or str(BASE_DIR / "test-db.sqlite3")
    }

# Every statement the site runs on PostgreSQL is cancelled past this many seconds, so
# that no request holds a worker and a connection for long; the request then answers
# the site's 503 page (emgov.middleware.StatementTimeoutMiddleware). manage.py sets
# no limit by default (migrations, imports and index rebuilds may rightly take long):
# see docs/operations.md.
STATEMENT_TIMEOUT_SECONDS = env_seconds("EMGOV_STATEMENT_TIMEOUT", "10")


def bound_statements(database):
    options = database.setdefault("OPTIONS", {})
    timeout = f"-c statement_timeout={int(STATEMENT_TIMEOUT_SECONDS * 1000)}"
    options["options"] = f"{options['options']} {timeout}" if "options" in options else timeout


if USING_POSTGRES:
    bound_statements(DATABASES["default"])
if USING_POSTGRES:
    # Each work tree tests against a database of its own, so that two test runs on one
    # machine (two clones, or a clone and CI) never drop each other's database.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("EMGOV_TEST_DATABASE_NAME")
        or f"test_emgov_{hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:10]}"
    }

# A PostgreSQL streaming replica for public reads (docs/scaling.md): with
# DATABASE_REPLICA_URL set, emgov.db_router sends anonymous GETs of public pages to it
# and everything else to the primary; unset, there is no router and nothing changes.
# A client reads from the primary for REPLICA_PIN_SECONDS after it writes (it sees its
# own edit even if the replica lags); the replica must also have replayed the last
# write before anyone reads from it, which the shared cache (REDIS_URL) tells every
# app server.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
REPLICA_PIN_SECONDS = 10
DATABASE_ROUTERS = []
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True
    )
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql" or not USING_POSTGRES:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL names a PostgreSQL replica of DATABASE_URL's PostgreSQL"
        )
    bound_statements(DATABASES["replica"])
    # Tests never create a second database: the replica is the primary's test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["emgov.db_router.ReplicaRouter"]

# Query counts, durations and errors for /metrics: django-prometheus' subclass of
# Django's own backend, which takes the same options (the statement timeout, SQLite's
# transaction mode) and adds a counter and a timer around each statement.
for _database in DATABASES.values():
    _database["ENGINE"] = {
        "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
        "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
    }.get(_database["ENGINE"], _database["ENGINE"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "taggit",
    "django_filters",
    "csp",
    "simple_history",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "django_prometheus",
    "core",
    "policies",
    "cooperation",
    "findings",
    "api",
    "exports",
    "feeds",
    "search",
    "editorial",
    "browse",
]
if USING_POSTGRES:
    INSTALLED_APPS.append("django.contrib.postgres")

MIDDLEWARE = [
    # First, so that the request's time and count for /metrics cover all the rest.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # One JSON line a request (EMGOV_REQUEST_LOG), with the final status and the time
    # of all that follows.
    "emgov.request_log.RequestLogMiddleware",
    # X-Forwarded-Proto only from a trusted proxy, before anything reads it.
    "emgov.middleware.ForwardedProtoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETag on every full GET response below WhiteNoise (static files have their own),
    # and 304 to If-None-Match / If-Modified-Since. Staff responses get neither
    # (PrivateForStaffMiddleware, below, runs first on the way out).
    "django.middleware.http.ConditionalGetMiddleware",
    # Chooses the language (from the path, the cookie or Accept-Language), which the
    # page cache's key names. It reads no session.
    "django.middleware.locale.LocaleMiddleware",
    # Anonymous pages from the shared cache, filed under the public state's token. As
    # far out as it can be, so that a page from the cache passes through as little as
    # possible: what the middleware below it adds (the Content-Security-Policy,
    # X-Frame-Options) is stored with the page. ConditionalGetMiddleware, above, still
    # answers 304 to a cached page.
    "emgov.middleware.PublicPageCacheMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "emgov.middleware.PrivateForStaffMiddleware",
    # A query past the statement timeout: the site's 503 page, not its 500 page.
    "emgov.middleware.StatementTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records the logged-in editor as the author of every history entry.
    "simple_history.middleware.HistoryRequestMiddleware",
    # The response's status, view and size for /metrics. Last but django-axes, so that
    # it counts the lockout page that django-axes puts in place of a login's response.
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as django-axes requires: it answers a locked-out login attempt.
    "axes.middleware.AxesMiddleware",
]
if DATABASE_REPLICA_URL:
    # First of all: it decides where the request reads before anything reads.
    MIDDLEWARE.insert(0, "emgov.middleware.ReplicaReadsMiddleware")

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "emgov.urls"
WSGI_APPLICATION = "emgov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache: Redis when REDIS_URL names one (production: every worker and app server
# shares one cache, and so one count for each throttle), else each process's own
# memory (`make run`, the suite). A Redis that stops answering is a cache miss, logged,
# never an error page: pages are built afresh and throttles let requests through, and
# /healthz reports the cache as failed. Short socket timeouts keep a lost Redis from
# holding workers.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "emgov",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# How long an anonymous public page stays in that cache (0: pages are not cached).
# What a page shows changing is no reason to wait: every committed public write files
# pages under a new key at once (core.public_state); this only bounds the memory.
PAGE_CACHE_SECONDS = env_seconds("EMGOV_PAGE_CACHE_SECONDS", "600")
# And how much of them each process keeps in its own memory as well, the pages it
# served last, to send without asking Redis (megabytes of page; 0: none).
PAGE_CACHE_RECENT_BYTES = env_count("EMGOV_PAGE_CACHE_RECENT_MB", "32") * 1024 * 1024

# Progress of the imports that run as background tasks: files in a directory that the
# site and its task worker share (why files: editorial.import_tasks.ImportProgress).
PROGRESS_DIR = Path(os.environ.get("EMGOV_PROGRESS_DIR") or BASE_DIR / "var" / "progress")
CACHES["progress"] = {
    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
    "LOCATION": str(PROGRESS_DIR),
    # A job's progress is read while it runs; its outcome is kept with the job.
    "TIMEOUT": 7 * 24 * 3600,
}

# Built exports (exports.files): each collection's file, kept per public state, in
# this directory. EMGOV_EXPORTS_ACCEL_PREFIX, where nginx serves that directory as an
# internal location (scripts/prod/nginx.conf.in), has nginx send them.
EXPORTS_DIR = os.environ.get("EMGOV_EXPORTS_DIR") or str(BASE_DIR / "var" / "exports")
EXPORTS_ACCEL_PREFIX = os.environ.get("EMGOV_EXPORTS_ACCEL_PREFIX", "")

# Background tasks (bulk imports in the admin): Django's tasks framework (the
# django-tasks backport) with its database backend, so the queue is a table of the
# site's own database and needs no other service. `manage.py db_worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The proxies whose X-Forwarded-For is believed (addresses or networks, comma-
# separated): a request from one of them counts against the right-most address in that
# header that is not itself a trusted proxy (core.client_address); any other request
# counts against its connecting address, whatever headers it sends. Empty: the site is
# reached directly. Behind the project's own nginx on the same machine: 127.0.0.1.
EMGOV_TRUSTED_PROXIES = env_list("EMGOV_TRUSTED_PROXIES", "")

# Who may read /metrics (Prometheus' text, django-prometheus): addresses or networks,
# comma-separated, matched against the connecting address only. A request that carries
# X-Forwarded-For came through a proxy and is refused whatever it says: the public
# nginx in front never passes /metrics (scripts/prod/nginx.conf.in), and the operator's
# Prometheus scrapes gunicorn directly. Anyone else gets the site's 404.
EMGOV_METRICS_ALLOWED = env_list("EMGOV_METRICS_ALLOWED", "127.0.0.1,::1")
for _network in EMGOV_METRICS_ALLOWED:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"EMGOV_METRICS_ALLOWED: not an address or network: {_network!r}"
        ) from error

TAGGIT_CASE_INSENSITIVE = True

# Security. Everything below is on by default; DJANGO_SECURE_SSL_REDIRECT=0 lets the
# site answer plain HTTP (on loopback, or behind a proxy that redirects by itself).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# Health checks and the metrics' scrapes come over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True

# Password guessing: after 5 failed logins for one user name from one address, that
# pair is locked out for 30 minutes; a successful login clears the count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The client's own address, not a proxy's: behind a proxy, keying on the connecting
# address would let anyone lock a user name out for everyone with five bad passwords.
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_address"
# Counted where the throttles are: in the shared cache when there is one (Redis: every
# worker and app server sees one count, and a lost Redis falls back to the database),
# else in the database, which every process shares (local memory would not be).
AXES_HANDLER = (
    "emgov.lockout.SharedCacheLockoutHandler"
    if REDIS_URL
    else "axes.handlers.database.AxesDatabaseHandler"
)
# Sessions end when the browser closes and after two weeks at most (Django's default).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Editors' sessions (readers have none) are kept in the database, and with Redis read
# from it first (`cached_db`): a Redis restarted, flushed or down logs nobody out.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

# No inline script anywhere: scripts come from our own static files only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Warnings and errors to standard error; and, when EMGOV_REQUEST_LOG is on (by default
# when debug is off), one JSON line a request there too (emgov.request_log), for the
# service manager's journal or a log shipper.
EMGOV_REQUEST_LOG = env_bool("EMGOV_REQUEST_LOG", not DEBUG)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "emgov.request_log.JsonLineFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "requests": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "emgov.requests": {
            "handlers": ["requests"],
            "level": "INFO" if EMGOV_REQUEST_LOG else "WARNING",
            "propagate": False,
        }
    },
}

# Whether a reviewer may publish what they wrote or submitted themselves. Off, every
# publication has a second reader; a one-person site may turn it on.
REVIEWERS_MAY_PUBLISH_OWN_WORK = env_bool("EMGOV_REVIEWERS_PUBLISH_OWN_WORK", False)

# Synthetic benchmark data (make_synthetic) is never public unless this is set, for a
# benchmark run on a database of its own (docs/operations.md, bench/RESULTS.md);
# `check --deploy` warns whenever synthetic rows exist.
EMGOV_SYNTHETIC_PUBLIC = env_bool("EMGOV_SYNTHETIC_PUBLIC", False)

# How many entries a public list page shows.
PAGE_SIZE = 20

# A word in at least this many published documents is a common word: its search counts
# are kept (search.common_terms) rather than counted from its matches, which takes
# about a millisecond per 200 matches on PostgreSQL.
SEARCH_COMMON_TERM_DOCUMENTS = 2000

# What one client address may ask of the costliest public pages (core.throttle),
# counted in the default cache; past it, the 429 page. None: no limit. The API's own
# limit is API_REQUESTS_PER_MINUTE, below.
EMGOV_THROTTLE_RATES = {
    "search": "60/minute",
    # A whole collection a request: enough for every collection in both formats, twice.
    "exports": "30/hour",
    "feeds": "120/minute",  # feeds and sitemaps: a crawler reads many sections at once
    "citations": "60/minute",
}
# Off only for a load benchmark from one address (bench/pages), never on a served
# site: `check --deploy` warns (emgov.W003).
THROTTLES_ON = env_bool("EMGOV_THROTTLES", True)
if not THROTTLES_ON:
    EMGOV_THROTTLE_RATES = dict.fromkeys(EMGOV_THROTTLE_RATES)

# The read-only public API (api/). Anonymous clients only: it serves published data,
# so no one needs to log in, and every client is throttled alike.
API_REQUESTS_PER_MINUTE = 120
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": f"{API_REQUESTS_PER_MINUTE}/minute" if THROTTLES_ON else None
    },
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "emgov API",
    "DESCRIPTION": (
        "Read-only JSON access to the published entries of emgov: directives and their "
        "provisions, Belt and Road agreements and mechanisms, sources, findings, themes and "
        "countries. Lists take the same filters as the site's pages, `q` for the site's "
        "full-text search (the one /search/ uses; on themes and countries, which it does "
        "not cover, words in their names and descriptions), `page` and `page_size` (at "
        f"most 100). Each client may make {API_REQUESTS_PER_MINUTE} requests a minute; "
        "past that the API answers 429 with "
        "a Retry-After header. For whole collections use the bulk exports described at /data/."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.empty_filter_means_any",
    ],
}
