"""Fixtures shared by the whole suite (the settings are emgov/settings/test.py).

The starter data (250 countries with their history, and the entries) takes one to three
seconds to build and about 190 tests start from it; the editorial roles take a third of
a second and about 60 tests start from them. So each is built once per session (the
roles twice) and kept in an open transaction, and a test that asks for it runs inside
that transaction, in a savepoint rolled back at its end, as every test is. A test that
does not ask for them starts from an empty database, as before: many count on that.
The canary site of the leak scan (tests/canaries.py, a few seconds) is a layer too, and
so are the rows of the keyset pages' tests (tests/keyset_corpus.py, about a second,
read by two dozen tests) and the search tests' corpus (tests/search_corpus.py, half a
second, some forty tests).
"""

import os
import subprocess
import sys
import uuid

import pytest
import redis
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.utils import translation

from editorial.roles import setup_roles
from editorial.seeding import load_starter_data
from tests.canaries import build_canary_site
from tests.keyset_corpus import build_keyset_corpus
from tests.search_corpus import build_corpus

# A layer of shared data: built by a function, asked for by any of these fixtures.
STARTER_DATA = "starter data"
ROLES = "roles"
CANARIES = "canaries"
KEYSET_CORPUS = "keyset corpus"
SEARCH_CORPUS = "search corpus"
LAYERS = {
    STARTER_DATA: (load_starter_data, {"seeded"}),
    ROLES: (setup_roles, {"editor", "reviewer", "administrator"}),
    CANARIES: (build_canary_site, {"canary_site"}),
    KEYSET_CORPUS: (build_keyset_corpus, {"keyset_corpus"}),
    SEARCH_CORPUS: (build_corpus, {"search_corpus"}),
}


def _is_transactional(item):
    """True for a test that commits (pytest-django's rule): it cannot run inside the
    shared transaction, so it builds what it needs itself."""
    marker = item.get_closest_marker("django_db")
    if marker and (
        any(marker.args[:2])
        or marker.kwargs.get("transaction")
        or marker.kwargs.get("reset_sequences")
    ):
        return True
    fixtures = {"transactional_db", "live_server", "django_db_reset_sequences"}
    return bool(fixtures & set(getattr(item, "fixturenames", ())))


def _layers_wanted(item):
    """The layers this test starts from, in the order they are stacked."""
    names = set(getattr(item, "fixturenames", ()))
    if not names or _is_transactional(item):
        return ()
    return tuple(layer for layer, (_, fixtures) in LAYERS.items() if fixtures & names)


class SharedData:
    """The stack of layers now built, each in a transaction (or savepoint) of its own.

    `switch_to` rolls back the layers a test does not want and builds those it lacks,
    before the test's own transaction begins. Rolling back a layer leaves the database
    as it was before it, so a test that wants none starts from an empty database."""

    def __init__(self, blocker):
        self.blocker = blocker
        self.stack = []  # [(layer, its atomic block, its result, savepoints open below it)]

    def has(self, layer):
        return any(name == layer for name, *_ in self.stack)

    def result(self, layer):
        return next(value for name, _, value, _ in self.stack if name == layer)

    def switch_to(self, wanted):
        while [name for name, *_ in self.stack] != list(wanted[: len(self.stack)]):
            self._pop()
        for layer in wanted[len(self.stack) :]:
            self._push(layer)

    def _push(self, layer):
        build, _ = LAYERS[layer]
        with self.blocker.unblock():
            block = transaction.atomic()
            block.__enter__()
            try:
                value = build()
            except BaseException as error:
                block.__exit__(type(error), error, error.__traceback__)
                raise
        self.stack.append((layer, block, value, len(connection.savepoint_ids)))

    def _pop(self):
        layer, block, _, savepoints = self.stack.pop()
        if len(connection.savepoint_ids) != savepoints:
            # Something (a fixture of wider scope, say) opened a transaction inside the
            # layer and left it open: rolling back now would undo the wrong one.
            raise RuntimeError(f"a transaction is still open inside the {layer} layer")
        with self.blocker.unblock():
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


_shared_key = pytest.StashKey[SharedData]()
_wanted_key = pytest.StashKey[tuple]()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the tests that share a layer one after another, so each layer is built once
    (or, for the roles, twice). pytest-django has already put the tests that roll back
    first (trylast runs after it): only those are reordered, and stably, so the order
    within a group of tests that want the same layers is the file's order."""
    kept = 0
    for item in items:
        if _is_transactional(item) or not (
            item.get_closest_marker("django_db") or "db" in getattr(item, "fixturenames", ())
        ):
            break
        kept += 1
    items[:kept] = sorted(
        items[:kept], key=lambda item: [layer in _layers_wanted(item) for layer in LAYERS]
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before any fixture of the test is set up, stack the layers it wants. The first
    time, there is nothing to switch yet: the `_shared_data` fixture does it."""
    wanted = _layers_wanted(item)
    item.config.stash[_wanted_key] = wanted
    shared = item.config.stash.get(_shared_key, None)
    if shared is not None:
        shared.switch_to(wanted)


@pytest.fixture(scope="session")
def _shared_data(request, django_db_setup, django_db_blocker):
    # Session-scoped, so it is set up before the test's own transaction begins.
    shared = SharedData(django_db_blocker)
    request.config.stash[_shared_key] = shared
    shared.switch_to(request.config.stash[_wanted_key])
    yield shared
    shared.switch_to(())
    del request.config.stash[_shared_key]


# Empties every table it is given, as TRUNCATE does, pass after pass until a pass finds
# nothing (a trigger of one table may write to another: search/migrations/0006).
DELETE_EVERY_ROW = """DO $$
DECLARE
    tables text[] := %s;
    name text;
    deleted bigint;
    found_rows boolean := true;
    passes int := 0;
BEGIN
    WHILE found_rows LOOP
        IF passes = 10 THEN
            RAISE EXCEPTION 'tables still hold rows after 10 passes of DELETE';
        END IF;
        found_rows := false;
        passes := passes + 1;
        FOREACH name IN ARRAY tables LOOP
            EXECUTE format('DELETE FROM %%I', name);
            GET DIAGNOSTICS deleted = ROW_COUNT;
            found_rows := found_rows OR deleted > 0;
        END LOOP;
    END LOOP;
END $$"""


@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete_on_postgresql():
    """After each test that commits, pytest-django empties the database with Django's
    flush, which on PostgreSQL is one TRUNCATE of all 81 tables: about 0.4 s, as each
    table gets new files, even the many that are empty; 40-odd such tests, the browser
    journeys among them. DELETE, in one transaction (the foreign keys are deferred),
    costs next to nothing on an empty table and leaves the same empty tables (sequences
    are not reset by either). A flush that resets sequences keeps the TRUNCATE."""
    if connection.vendor != "postgresql":
        yield
        return
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        names = ", ".join(f"'{table}'" for table in tables)  # Django's own table names
        return ["SET CONSTRAINTS ALL DEFERRED", DELETE_EVERY_ROW % f"ARRAY[{names}]"]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    # The shared starter data keeps its ids and timestamps from one test to the next, so
    # what one test cached (rendered citations are keyed by entry and last change) would
    # otherwise be served to the next: every test starts with an empty cache.
    cache.clear()


@pytest.fixture(autouse=True)
def _english_to_begin_with():
    # LocaleMiddleware leaves the language of the last request active in the thread:
    # a test that fetched a /zh-hans/ page would otherwise turn the next one Chinese.
    with translation.override(django_settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def seeded(db, _shared_data):
    """The starter data, exactly as `manage.py load_seed` loads it: built once (see the
    module's docstring), or by the test itself if it commits."""
    if _shared_data.has(STARTER_DATA):
        return _shared_data.result(STARTER_DATA)
    return load_starter_data()


@pytest.fixture
def canary_site(db, _shared_data):
    """Published entries of every type and canaries in every unpublished state, linked
    every way (tests/canaries.py): built once for all the tests that ask for it."""
    if _shared_data.has(CANARIES):
        return _shared_data.result(CANARIES)
    return build_canary_site()


@pytest.fixture
def keyset_corpus(db, _shared_data):
    """The rows of tests/keyset_corpus.py: built once for all the tests that ask."""
    if _shared_data.has(KEYSET_CORPUS):
        return _shared_data.result(KEYSET_CORPUS)
    return build_keyset_corpus()


@pytest.fixture
def search_corpus(db, _shared_data):
    """The entries of tests/search_corpus.py by name: built once for all the tests that
    ask, each of which gets its own copies of them, read afresh (a test may change one
    and save it; the next must not see that in memory either)."""
    if not _shared_data.has(SEARCH_CORPUS):
        return build_corpus()
    built = _shared_data.result(SEARCH_CORPUS)
    return {
        name: {key: _fresh(entry) for key, entry in value.items()}
        if isinstance(value, dict)
        else _fresh(value)
        for name, value in built.items()
    }


def _fresh(instance):
    return type(instance)._base_manager.get(pk=instance.pk)


def under_site_settings(program, **environ):
    """`python -c program` in a process of its own, under the site's own settings (not
    the suite's) with debug on: each keyword sets that environment variable, or with
    None removes it."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "emgov.settings", "DJANGO_DEBUG": "1"}
    for name, value in environ.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True)


def make_user(username, role, *, roles_ready=False, **fields):
    """A staff account in one of the roles `setup_roles` creates."""
    if not roles_ready:
        setup_roles()
    user = get_user_model().objects.create_user(
        username=username, password="correct horse battery", is_staff=True, **fields
    )
    user.groups.add(Group.objects.get(name=role))
    return user


def logged_in(user):
    """A test client of its own, logged in as this user (several can be used at once)."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor(db, _shared_data):
    return make_user("ed", "Editor", roles_ready=_shared_data.has(ROLES))


@pytest.fixture
def reviewer(db, _shared_data):
    return make_user("rita", "Reviewer", roles_ready=_shared_data.has(ROLES))


@pytest.fixture
def administrator(db, _shared_data):
    return make_user("ada", "Administrator", roles_ready=_shared_data.has(ROLES))


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


REDIS_TEST_URL = os.environ.get("EMGOV_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_cache(settings):
    """The default cache on the real Redis, under a key prefix of this test's own (so
    nothing else on the server is touched), removed afterwards. Skipped when no Redis
    answers, except in CI (CI=true), where Redis is required and its absence fails."""
    server = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        server.ping()
    except redis.ConnectionError:
        message = f"no Redis answers at {REDIS_TEST_URL}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}, and CI requires it (scripts/ensure-redis starts one)")
        pytest.skip(message)
    prefix = f"emgov-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield server, prefix
    for key in server.scan_iter(match=f"{prefix}:*"):
        server.delete(key)
    server.close()
