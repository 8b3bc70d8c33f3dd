"""The page cache's hit, timed in one process (bench/RESULTS.md, "The cached path"):
a page asked again and again through Django's WSGI handler with the site's own
settings and middleware, beside a static file through the same handler (WhiteNoise),
so that the network, nginx and gunicorn are left out and what is left is Django's.

Run with the production settings the site would run under, against a database that
has the page (the starter data's directive is the default) and Redis:

    export DJANGO_SETTINGS_MODULE=emgov.settings DJANGO_SECRET_KEY=bench-only-...
    export DJANGO_ALLOWED_HOSTS=localhost DATABASE_URL=... REDIS_URL=redis://127.0.0.1:6379/5
    export EMGOV_TRUSTED_PROXIES=127.0.0.1
    .venv/bin/python manage.py collectstatic --noinput
    PYTHONPATH=. .venv/bin/python bench/cached_hit.py [PATH] [--requests N] [--profile] 2>/dev/null

EMGOV_PAGE_CACHE_RECENT_MB=0 leaves each process's recent pages out (every hit reads
Redis); --profile prints where a hit's time goes (cProfile, by own time). The request
log (one JSON line a request, on standard error, as in production) is part of the cost.
"""

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time

import django


def wsgi_environ(path):
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "localhost",
        # As nginx passes a request on (scripts/prod/nginx.conf.in).
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_FORWARDED_FOR": "198.51.100.7",
        "HTTP_X_FORWARDED_PROTO": "https",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }


def timer(handler, path):
    statuses = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    def one():
        response = handler(wsgi_environ(path), start_response)
        b"".join(response)
        response.close()
        if statuses[-1] != "200 OK":
            raise SystemExit(f"{path} answered {statuses[-1]}")

    return one


def ms_each(one, requests):
    start = time.perf_counter()
    for _ in range(requests):
        one()
    return (time.perf_counter() - start) / requests * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", nargs="?", default="/directives/xi-2019-emergency-management/")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    arguments = parser.parse_args()

    django.setup()
    from django.conf import settings
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()
    page = timer(handler, arguments.path)
    static = timer(handler, staticfiles_storage.url("css/site.css"))
    page(), page(), static()  # built, then cached; the static file found
    pairs = [
        (ms_each(page, arguments.requests), ms_each(static, arguments.requests))
        for _ in range(arguments.runs)
    ]
    page_ms = statistics.median(pair[0] for pair in pairs)
    static_ms = statistics.median(pair[1] for pair in pairs)
    print(
        f"{arguments.path}: cached {page_ms:.3f} ms, static file {static_ms:.3f} ms "
        f"(median of {arguments.runs} runs of {arguments.requests}; recent pages "
        # (getattr: the script also times commits from before recent pages.)
        f"{getattr(settings, 'PAGE_CACHE_RECENT_BYTES', 0) // 2**20} MB, page cache "
        f"{settings.PAGE_CACHE_SECONDS:g} s)"
    )
    if arguments.profile:
        profile = cProfile.Profile()
        profile.runcall(lambda: [page() for _ in range(arguments.requests)])
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
