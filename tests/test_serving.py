"""Serving: the shared cache (Redis when REDIS_URL names one), the real client address
that throttles and the login lockout count against, /healthz, conditional requests and
the database's statement timeout."""

import io
import json
import os
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import path

from core.client_address import client_address
from tests.builders import make_theme
from tests.conftest import under_site_settings

pytestmark = pytest.mark.django_db

API = "/api/v1/themes/"


def address(settings, remote, forwarded=None, trusted=()):
    settings.EMGOV_TRUSTED_PROXIES = list(trusted)
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **headers))


def test_a_direct_client_is_its_connecting_address_whatever_it_forwards(settings):
    assert address(settings, "203.0.113.5") == "203.0.113.5"
    assert address(settings, "203.0.113.5", "198.51.100.1") == "203.0.113.5"
    # Even a client on loopback, when loopback is not a trusted proxy.
    assert address(settings, "127.0.0.1", "198.51.100.1") == "127.0.0.1"
    # And a client that is not a trusted proxy, when one is configured.
    assert address(settings, "203.0.113.5", "198.51.100.1", trusted=["127.0.0.1"]) == (
        "203.0.113.5"
    )


def test_behind_a_trusted_proxy_the_right_most_untrusted_forwarded_address_counts(settings):
    trusted = ["127.0.0.1", "10.0.0.0/8"]
    # The proxy appended the address it was reached from; what the client wrote is left.
    assert address(settings, "127.0.0.1", "6.6.6.6, 198.51.100.7", trusted) == "198.51.100.7"
    # A chain of trusted proxies is walked through, from the right.
    assert address(settings, "127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3", trusted) == (
        "198.51.100.7"
    )
    assert address(settings, "127.0.0.1", "2001:db8::1", trusted) == "2001:db8::1"
    # Nothing forwarded, or only proxies: the last proxy is all that is known.
    assert address(settings, "127.0.0.1", None, trusted) == "127.0.0.1"
    assert address(settings, "127.0.0.1", "10.0.0.9", trusted) == "10.0.0.9"
    # Something that is not an address is never a key of its own choosing.
    assert address(settings, "127.0.0.1", "anything-at-all", trusted) == "127.0.0.1"


def test_only_a_trusted_proxy_may_say_a_request_came_over_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    claim = {"HTTP_X_FORWARDED_PROTO": "https"}
    settings.EMGOV_TRUSTED_PROXIES = ["127.0.0.1"]
    assert client.get("/themes/", REMOTE_ADDR="127.0.0.1", **claim).status_code == 200
    refused = client.get("/themes/", REMOTE_ADDR="203.0.113.5", **claim)
    assert refused.status_code == 301 and refused["Location"].startswith("https://")
    # With no proxy listed the header is believed, as before (the proxy must strip it).
    settings.EMGOV_TRUSTED_PROXIES = []
    assert client.get("/themes/", REMOTE_ADDR="203.0.113.5", **claim).status_code == 200


def throttle_at(settings, rate):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": rate}}


def test_a_made_up_forwarded_header_does_not_reset_the_api_throttle(client, settings):
    throttle_at(settings, "3/minute")
    make_theme(slug="fictional-theme")
    for number in range(3):
        assert client.get(API, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}").status_code == 200
    refused = client.get(API, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert refused.status_code == 429


def test_clients_behind_a_trusted_proxy_are_throttled_each_on_their_own(client, settings):
    throttle_at(settings, "2/minute")
    settings.EMGOV_TRUSTED_PROXIES = ["127.0.0.1"]
    behind = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(2):
        assert client.get(API, HTTP_X_FORWARDED_FOR="198.51.100.1", **behind).status_code == 200
    assert client.get(API, HTTP_X_FORWARDED_FOR="198.51.100.1", **behind).status_code == 429
    # Another client behind the same proxy has its own count...
    assert client.get(API, HTTP_X_FORWARDED_FOR="198.51.100.2", **behind).status_code == 200
    # ...and the first cannot escape by writing an address before the proxy's.
    spoofed = "198.51.100.3, 198.51.100.1"
    assert client.get(API, HTTP_X_FORWARDED_FOR=spoofed, **behind).status_code == 429


def guess_passwords(remote, forwarded, times=5):
    client = Client(REMOTE_ADDR=remote, headers={"x-forwarded-for": forwarded})
    for _ in range(times):
        response = client.post("/admin/login/", {"username": "ed", "password": "wrong guess"})
    return response


def log_in(remote, forwarded):
    client = Client(REMOTE_ADDR=remote, headers={"x-forwarded-for": forwarded})
    return client.post("/admin/login/", {"username": "ed", "password": "correct horse battery"})


def test_a_password_guesser_behind_the_proxy_does_not_lock_the_user_out_for_everyone(
    editor, settings
):
    settings.EMGOV_TRUSTED_PROXIES = ["127.0.0.1"]
    assert guess_passwords("127.0.0.1", "198.51.100.66").status_code == 429
    assert log_in("127.0.0.1", "198.51.100.66").status_code == 429  # the guesser is locked out
    assert log_in("127.0.0.1", "198.51.100.10").status_code == 302  # the editor is not


def test_a_direct_password_guesser_cannot_escape_the_lockout_with_a_forwarded_header(editor):
    assert guess_passwords("203.0.113.66", "198.51.100.1").status_code == 429
    assert log_in("203.0.113.66", "198.51.100.2").status_code == 429


SHARED_LOCKOUT = "emgov.lockout.SharedCacheLockoutHandler"
CACHED_SESSIONS = "django.contrib.sessions.backends.cached_db"


def site_settings(redis_url=None):
    """The cache, lockout and session store the site's own settings (not the suite's)
    choose, with or without REDIS_URL."""
    program = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.CACHES['default']['BACKEND'], s.CACHES['default'].get('LOCATION'),"
        " s.AXES_HANDLER, s.SESSION_ENGINE]))"
    )
    run = under_site_settings(program, REDIS_URL=redis_url)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_redis_url_makes_redis_the_cache_the_lockouts_counter_and_the_sessions_cache():
    assert site_settings() == [
        "django.core.cache.backends.locmem.LocMemCache",
        None,
        "axes.handlers.database.AxesDatabaseHandler",
        "django.contrib.sessions.backends.db",
    ]
    assert site_settings("redis://127.0.0.1:6379/3") == [
        "django_redis.cache.RedisCache",
        "redis://127.0.0.1:6379/3",
        SHARED_LOCKOUT,
        CACHED_SESSIONS,
    ]


def test_with_redis_an_editors_session_is_read_from_it_and_survives_losing_it(
    editor, settings, redis_cache
):
    server, prefix = redis_cache
    settings.SESSION_ENGINE = CACHED_SESSIONS
    client = Client()
    login = {"username": "ed", "password": "correct horse battery"}
    assert client.post("/admin/login/", login).status_code == 302
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=session_key).exists()
    assert list(server.scan_iter(match=f"{prefix}:*{session_key}"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/admin/").status_code == 200
    assert not [query for query in queries if "django_session" in query["sql"]]
    # Redis restarted or flushed: the editor is still logged in, from the database.
    for key in server.scan_iter(match=f"{prefix}:*"):
        server.delete(key)
    assert client.get("/admin/").status_code == 200


def lockout_counts(server, prefix):
    return {key: int(server.get(key)) for key in server.scan_iter(match=f"{prefix}:*axes-*")}


def test_with_redis_the_login_lockout_is_counted_where_every_worker_sees_it(
    editor, settings, redis_cache
):
    server, prefix = redis_cache
    settings.AXES_HANDLER = SHARED_LOCKOUT
    settings.EMGOV_TRUSTED_PROXIES = ["127.0.0.1"]
    assert guess_passwords("127.0.0.1", "198.51.100.66").status_code == 429
    # One count, for the user name and the real client's address, in Redis (which
    # another worker's or app server's connection reads), none in the database.
    assert list(lockout_counts(server, prefix).values()) == [5]
    assert not AccessAttempt.objects.exists()
    assert log_in("127.0.0.1", "198.51.100.66").status_code == 429
    assert log_in("127.0.0.1", "198.51.100.10").status_code == 302  # the editor is not
    # An operator lifts one lockout, by its user name and address.
    call_command("axes_reset_ip_username", "198.51.100.66", "ed", stdout=io.StringIO())
    assert lockout_counts(server, prefix) == {}
    assert log_in("127.0.0.1", "198.51.100.66").status_code == 302


def test_with_redis_axes_reset_clears_every_lockout_and_a_reset_it_cannot_do_says_so(
    editor, settings, redis_cache
):
    server, prefix = redis_cache
    settings.AXES_HANDLER = SHARED_LOCKOUT
    guess_passwords("203.0.113.66", "")
    guess_passwords("203.0.113.67", "", times=2)
    assert sorted(lockout_counts(server, prefix).values()) == [2, 5]
    # The cache's keys are hashes of name and address together: by name alone it
    # cannot find them, and says so rather than report that nothing was locked.
    with pytest.raises(CommandError, match="give both"):
        call_command("axes_reset_username", "ed", stdout=io.StringIO())
    call_command("axes_reset", stdout=io.StringIO())
    assert lockout_counts(server, prefix) == {}
    assert log_in("203.0.113.66", "").status_code == 302


def test_a_redis_that_does_not_answer_leaves_the_lockout_to_the_database(editor, settings):
    settings.CACHES = {  # nothing listens on port 1
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "IGNORE_EXCEPTIONS": True},
        }
    }
    settings.AXES_HANDLER = SHARED_LOCKOUT
    # A clear refusal, not an error page, and the guesser is still locked out.
    assert guess_passwords("203.0.113.66", "").status_code == 429
    assert AccessAttempt.objects.get().failures_since_start == 5
    assert log_in("203.0.113.66", "").status_code == 429
    assert log_in("203.0.113.10", "").status_code == 302


def test_the_api_throttle_is_counted_in_redis_where_every_worker_sees_it(
    client, settings, redis_cache
):
    server, prefix = redis_cache
    throttle_at(settings, "3/minute")
    make_theme(slug="fictional-theme")
    for _ in range(3):
        assert client.get(API, REMOTE_ADDR="198.51.100.5").status_code == 200
    # The count is in Redis, where another worker's (or app server's) connection reads it.
    keys = [key.decode() for key in server.scan_iter(match=f"{prefix}:*")]
    assert keys == [f"{prefix}:1:throttle_anon_198.51.100.5"]
    assert client.get(API, REMOTE_ADDR="198.51.100.5").status_code == 429
    assert client.get(API, REMOTE_ADDR="198.51.100.6").status_code == 200


def test_healthz_reports_the_database_and_the_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


@pytest.mark.parametrize("quiet", [True, False], ids=["misses-quietly", "raises"])
def test_healthz_names_a_cache_that_does_not_answer(client, settings, quiet):
    # Nothing listens on port 1: a Redis that is down, whether the backend turns its
    # errors into misses (the site's setting) or raises them.
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "IGNORE_EXCEPTIONS": quiet},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "cache": "failed"}


def test_healthz_names_a_database_that_does_not_answer(client, monkeypatch):
    from django.db import DatabaseError
    from django.db.backends.utils import CursorWrapper

    def broken(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "failed", "cache": "ok"}


def test_healthz_finds_the_real_redis_answering(client, redis_cache):
    server, prefix = redis_cache
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert not list(server.scan_iter(match=f"{prefix}:*"))  # and leaves nothing behind


def revalidate(client, path, **validators):
    """The first response to an anonymous GET, and the answer to asking again with
    its validators."""
    first = client.get(path)
    assert first.status_code == 200
    headers = {}
    if validators.get("etag", True):
        assert first.has_header("ETag"), path
        headers["HTTP_IF_NONE_MATCH"] = first["ETag"]
    if validators.get("last_modified"):
        assert first.has_header("Last-Modified"), path
        headers["HTTP_IF_MODIFIED_SINCE"] = first["Last-Modified"]
    return first, client.get(path, **headers)


CONDITIONAL_SURFACES = [
    "/",
    "/directives/",
    "/directives/xi-2019-emergency-management/",
    "/zh-hans/directives/xi-2019-emergency-management/",
    "/search/?q=emergency",
    "/sitemap.xml",
    "/sitemap-directives.xml",
    "/api/v1/directives/",
    "/api/v1/directives/xi-2019-emergency-management/",
]


@pytest.mark.parametrize("path", CONDITIONAL_SURFACES)
def test_an_anonymous_reader_asking_again_gets_304_for_an_unchanged_page(client, seeded, path):
    first, again = revalidate(client, path)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"]
    assert "private" not in first.get("Cache-Control", "")


def test_a_feed_answers_304_to_its_etag_and_to_its_last_modified(client, seeded):
    first, again = revalidate(client, "/feeds/latest.atom", last_modified=True)
    assert again.status_code == 304
    only_date = client.get("/feeds/latest.atom", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert only_date.status_code == 304


def test_a_changed_entry_is_sent_again_in_full(client, seeded):
    from policies.models import Directive

    path = "/directives/xi-2019-emergency-management/"
    first = client.get(path)
    Directive.objects.filter(slug="xi-2019-emergency-management").update(
        title="A fictional new title for the test"
    )
    again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and b"A fictional new title for the test" in again.content


def test_staff_pages_are_never_stored_nor_answered_304(client, seeded, editor):
    from core.models import Status
    from tests.builders import make_directive

    draft = make_directive(title="Fictional draft plan", status=Status.DRAFT)
    published = "/directives/xi-2019-emergency-management/"
    anonymous = client.get(published)
    feed = client.get("/feeds/latest.atom")
    client.force_login(editor)

    preview = client.get(draft.get_absolute_url())
    assert preview.status_code == 200 and b"Fictional draft plan" in preview.content
    assert {"private", "no-store"} <= {part.strip() for part in preview["Cache-Control"].split(",")}
    assert not preview.has_header("ETag") and not preview.has_header("Last-Modified")
    assert client.get(draft.get_absolute_url(), HTTP_IF_NONE_MATCH='"*"').status_code == 200

    # An anonymous reader's validators never earn the editor a 304, nor the other way.
    staff_view = client.get(published, HTTP_IF_NONE_MATCH=anonymous["ETag"])
    assert staff_view.status_code == 200 and "no-store" in staff_view["Cache-Control"]
    staff_feed = client.get(
        "/feeds/latest.atom",
        HTTP_IF_NONE_MATCH=feed["ETag"],
        HTTP_IF_MODIFIED_SINCE=feed["Last-Modified"],
    )
    assert staff_feed.status_code == 200 and not staff_feed.has_header("Last-Modified")


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the statement timeout is PostgreSQL's"
)


def current_statement_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


@postgres_only
def test_the_sites_connections_carry_the_statement_timeout():
    assert django_settings.STATEMENT_TIMEOUT_SECONDS == 10  # the default, for the site
    assert current_statement_timeout() == "10s"


def slow_page(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(2)")
    return HttpResponse("finished")


urlpatterns = [path("slow/", slow_page)]


@postgres_only
def test_a_request_whose_query_runs_too_long_is_cancelled_and_answers_the_503_page(
    client, settings
):
    settings.ROOT_URLCONF = __name__
    with connection.cursor() as cursor:
        # This test's transaction only (rolled back at its end): 0.1 s, not 10.
        cursor.execute("SET LOCAL statement_timeout = '100ms'")
    response = client.get("/slow/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert b"This took too long" in response.content and b"Traceback" not in response.content


@postgres_only
def test_management_commands_run_without_a_statement_timeout_unless_one_is_set():
    program = (
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('SHOW statement_timeout'); print(c.fetchone()[0])"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "emgov.settings", "DJANGO_DEBUG": "1"}
    env.pop("EMGOV_STATEMENT_TIMEOUT", None)
    command = [sys.executable, "manage.py", "shell", "--no-imports", "-c", program]
    unbounded = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert unbounded.stdout.split() == ["0"]
    env["EMGOV_STATEMENT_TIMEOUT"] = "2.5"
    bounded = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert bounded.stdout.split() == ["2500ms"]


def test_a_statement_timeout_that_is_not_a_number_of_seconds_is_refused_clearly():
    refused = under_site_settings(
        "import django; django.setup()", EMGOV_STATEMENT_TIMEOUT="ten seconds"
    )
    assert refused.returncode != 0
    assert "EMGOV_STATEMENT_TIMEOUT must be a number of seconds" in refused.stderr
