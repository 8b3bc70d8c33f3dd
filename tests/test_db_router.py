"""The read replica's router and who reads where (emgov.db_router, docs/scaling.md).

The suite has no replica: its "replica" alias is a second connection to the primary's
own test database (emgov/settings/test.py), and these tests install the router and its
middleware as DATABASE_REPLICA_URL does. Which connection each query went over shows
where it was routed. Tests that route commit (transaction=True): inside the test's own
transaction every read rightly stays on the primary. tests/test_replica.py runs the
real thing: two app servers, a streaming replica and Redis."""

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import OperationalError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from core.checks import replica_has_a_shared_cache
from emgov import db_router
from emgov.db_router import PRIMARY, REPLICA, ReplicaRouter
from policies.models import Directive
from tests.builders import make_directive
from tests.conftest import under_site_settings
from tests.test_query_counts import PAGES, populate

ROUTED = pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])
PIN_COOKIE = "emgov_primary"


@pytest.fixture
def routed(settings):
    """The router and its middleware, as DATABASE_REPLICA_URL installs them."""
    settings.DATABASE_ROUTERS = ["emgov.db_router.ReplicaRouter"]
    settings.MIDDLEWARE = ["emgov.middleware.ReplicaReadsMiddleware", *settings.MIDDLEWARE]


def queries_by_database(client, method, url, **kwargs):
    """The response, and how many queries it ran on the primary and on the replica
    (a streamed response's included: it is read here)."""
    with (
        CaptureQueriesContext(connections[PRIMARY]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = getattr(client, method)(url, **kwargs)
        streamed = response.streaming and b"".join(response.streaming_content)
        response.body = (streamed or response.content).decode()
    return response, len(primary), len(replica)


def base_settings(**environ):
    """The site's own settings (not the suite's) in a process of their own."""
    program = (
        "import django; django.setup(); from django.conf import settings as s; "
        "r = s.DATABASES.get('replica'); "
        "print(s.DATABASE_ROUTERS, s.MIDDLEWARE[0], r and r['OPTIONS'], r and r['TEST']['MIRROR'], "
        "s.DATABASES['default'].get('OPTIONS'))"
    )
    return under_site_settings(program, **{"DATABASE_REPLICA_URL": None, **environ})


def test_without_a_replica_url_nothing_changes():
    assert django_settings.DATABASE_ROUTERS == []
    assert "emgov.middleware.ReplicaReadsMiddleware" not in django_settings.MIDDLEWARE
    plain = base_settings(DATABASE_URL="postgres://emgov@db.example:5432/emgov")
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.startswith(
        "[] django_prometheus.middleware.PrometheusBeforeMiddleware None None "
    )


def test_a_replica_url_adds_the_replica_bounded_like_the_primary_and_the_router():
    shown = base_settings(
        DATABASE_URL="postgres://emgov@db.example:5432/emgov",
        DATABASE_REPLICA_URL="postgres://emgov@replica.example:5432/emgov",
        EMGOV_STATEMENT_TIMEOUT="7",
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == (
        "['emgov.db_router.ReplicaRouter'] emgov.middleware.ReplicaReadsMiddleware "
        "{'options': '-c statement_timeout=7000'} default "
        "{'options': '-c statement_timeout=7000'}"
    )


def test_a_replica_of_sqlite_is_refused_with_a_clear_message():
    refused = base_settings(
        DATABASE_URL="sqlite:///tmp/emgov.sqlite3",
        DATABASE_REPLICA_URL="postgres://emgov@replica.example:5432/emgov",
    )
    assert refused.returncode != 0
    assert "DATABASE_REPLICA_URL names a PostgreSQL replica" in refused.stderr


def test_outside_a_request_everything_goes_to_the_primary_and_only_it_migrates():
    # The task worker, migrate and every other command: nothing allowed the replica.
    router = ReplicaRouter()
    assert router.db_for_read(Directive) == PRIMARY
    assert router.db_for_write(Directive) == PRIMARY
    assert router.allow_migrate(PRIMARY, "policies") is True
    assert router.allow_migrate(REPLICA, "policies") is False


def test_log_positions_compare_as_numbers_not_as_text():
    assert db_router.lsn_number("0/9") < db_router.lsn_number("0/10")
    assert db_router.lsn_number("0/FFFFFFFF") < db_router.lsn_number("1/0")


@ROUTED
def test_an_anonymous_reader_reads_pages_and_exports_from_the_replica(client, routed):
    directive = make_directive(title="Read from the replica")
    # An export is streamed: read after the middleware has returned, still routed.
    for url in (f"/directives/{directive.slug}/", "/export/directives.csv"):
        response, on_primary, on_replica = queries_by_database(client, "get", url)
        assert response.status_code == 200
        assert "Read from the replica" in response.body
        assert on_primary == 0 and on_replica > 0, url
        assert PIN_COOKIE not in response.cookies
    assert db_router.current_request() is None  # nothing left for the next request


@ROUTED
def test_no_public_surface_reads_the_primary_or_pins_its_reader(client, routed):
    """Every public page, search, the API, feeds, sitemaps and exports: all from the
    replica, and none sets the pin cookie (which would send readers to the primary
    and keep their responses out of shared caches)."""
    # A near miss: on PostgreSQL the trigram threshold must be set on the connection
    # the search reads from (the replica), or this title is not found.
    make_directive(title="Care and support for rescue teams")
    response, on_primary, _ = queries_by_database(client, "get", "/search/?q=resuce+teams")
    assert "Care and support for" in response.body and on_primary == 0
    populate()
    surfaces = [*PAGES, "/search/?q=emergency", "/timeline/", "/api/v1/directives/"]
    surfaces += ["/feeds/latest.atom", "/sitemap.xml", "/export/provisions.jsonl"]
    for url in surfaces:
        response, on_primary, on_replica = queries_by_database(client, "get", url)
        assert response.status_code == 200, url
        assert on_primary == 0 and on_replica > 0, url
        assert PIN_COOKIE not in response.cookies, url


@ROUTED
def test_a_logged_in_editor_and_the_admin_read_from_the_primary(client, routed, django_user_model):
    directive = make_directive()
    client.force_login(django_user_model.objects.create_user("editor", is_staff=True))
    for url in (f"/directives/{directive.slug}/", "/admin/"):
        response, on_primary, on_replica = queries_by_database(client, "get", url)
        assert response.status_code == 200
        assert on_primary > 0 and on_replica == 0, url
    client.logout()
    # The admin's login page itself, before any session.
    response, on_primary, on_replica = queries_by_database(client, "get", "/admin/login/")
    assert response.status_code == 200 and on_replica == 0


@ROUTED
def test_after_a_post_the_client_reads_from_the_primary_for_a_few_seconds(client, routed):
    directive = make_directive()
    response = client.post("/admin/login/", {"username": "nobody", "password": "wrong"})
    pin = response.cookies[PIN_COOKIE]
    assert pin["max-age"] == django_settings.REPLICA_PIN_SECONDS
    assert pin["httponly"] and pin["samesite"] == "Lax"
    response, on_primary, on_replica = queries_by_database(
        client, "get", f"/directives/{directive.slug}/"
    )
    assert response.status_code == 200
    assert on_primary > 0 and on_replica == 0
    # Once the cookie has expired, back to the replica.
    del client.cookies[PIN_COOKIE]
    _, on_primary, on_replica = queries_by_database(client, "get", f"/directives/{directive.slug}/")
    assert on_primary == 0 and on_replica > 0


@ROUTED
def test_a_lagging_or_silent_replica_and_reads_in_a_transaction_leave_it_for_the_primary(
    client, routed, monkeypatch
):
    directive = make_directive()
    monkeypatch.setattr(db_router, "replica_has_caught_up", lambda: False)
    response, on_primary, on_replica = queries_by_database(
        client, "get", f"/directives/{directive.slug}/"
    )
    assert response.status_code == 200
    assert on_primary > 0 and on_replica == 0

    monkeypatch.setattr(db_router, "replica_has_caught_up", lambda: True)
    router = ReplicaRouter()
    db_router.begin_request(may_use_replica=True)
    try:
        assert router.db_for_read(Directive) == REPLICA
        assert router.db_for_read(Session) == PRIMARY  # sessions never from a copy
        with transaction.atomic():
            assert router.db_for_read(Directive) == PRIMARY
        router.db_for_write(Directive)
        assert router.db_for_read(Directive) == PRIMARY  # this request wrote
    finally:
        db_router.end_request()
    monkeypatch.undo()

    def refuse(*args, **kwargs):
        raise OperationalError("the replica is down")

    monkeypatch.setattr(connections[REPLICA], "cursor", refuse)
    assert db_router.replica_has_caught_up() is (connections[REPLICA].vendor != "postgresql")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="log positions are PostgreSQL's")
@ROUTED
def test_a_request_that_writes_records_the_primarys_log_position(client, routed):
    cache.delete(db_router.WRITE_POSITION_KEY)
    client.post("/admin/login/", {"username": "nobody", "password": "wrong"})  # axes writes
    recorded = cache.get(db_router.WRITE_POSITION_KEY)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        now = cursor.fetchone()[0]
    assert 0 < db_router.lsn_number(recorded) <= db_router.lsn_number(now)
    # Positions only go forward, whichever request records last.
    cache.set(db_router.WRITE_POSITION_KEY, "FFFFFFFF/0")
    db_router.note_primary_write()
    assert cache.get(db_router.WRITE_POSITION_KEY) == "FFFFFFFF/0"
    # A server that is not replaying a log (here the primary itself) is never behind.
    assert db_router.replica_has_caught_up() is True


def test_a_replica_without_a_shared_cache_is_warned_of(settings):
    settings.DATABASE_REPLICA_URL = "postgres://emgov@replica.example:5432/emgov"
    assert [warning.id for warning in replica_has_a_shared_cache(None)] == ["emgov.W004"]
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://x:6379/0"},
    }
    assert replica_has_a_shared_cache(None) == []
    settings.DATABASE_REPLICA_URL = ""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert replica_has_a_shared_cache(None) == []
