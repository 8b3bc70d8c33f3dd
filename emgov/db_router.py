"""Reads from a PostgreSQL streaming replica, writes to the primary (docs/scaling.md).

Installed only when DATABASE_REPLICA_URL names a replica (emgov.settings.base); without
one there is no router, and every query goes to `default` as before.

Reads go to the replica only inside a request that ReplicaReadsMiddleware
(emgov.middleware) found safe for it: an anonymous GET or HEAD of a public page, from
a client that has not written in the last few seconds. Everything else reads from the
primary: the admin, logged-in editors, any request just after a write, any read inside
a transaction on the primary, the task worker and every management command (outside a
request there is nothing to allow it).

And a replica is used only once it has replayed the last write the site recorded
(`note_primary_write`, after every request that wrote): so that no reader, and no
page cache filled by a reader, sees an entry as it was before a publish or a
withdrawal. A replica that does not answer is left for the primary too."""

import contextvars
import dataclasses
import logging

from django.core.cache import cache
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"

# The last write-ahead log position the primary had reached after a request that
# wrote, in the shared cache (Redis) so that every app server reads it. A day is far
# longer than any replica lags; after that no value means no write to wait for.
WRITE_POSITION_KEY = "replica:primary-write-lsn"
WRITE_POSITION_TIMEOUT = 24 * 3600

# Rows the editorial machinery reads and at once writes back: never from a replica,
# whatever the request (a session or a login lockout read from a lagging copy would
# log an editor out or forget a failure).
PRIMARY_ONLY_APPS = {"sessions", "auth", "admin", "axes", "django_tasks_database"}


@dataclasses.dataclass
class RequestReads:
    """What the router knows of the request being served."""

    may_use_replica: bool
    replica_ready: bool | None = None  # asked once, at the request's first read
    wrote: bool = False


_request = contextvars.ContextVar("emgov_request_reads", default=None)


def begin_request(*, may_use_replica):
    """Start routing a request's queries."""
    state = RequestReads(may_use_replica=may_use_replica)
    _request.set(state)
    return state


def current_request():
    return _request.get()


def end_request():
    _request.set(None)


def read_as(state, content):
    """A streamed response's content (an export), which is read after the middleware
    has returned: routed as the request that made it was."""
    _request.set(state)
    try:
        yield from content
    finally:
        _request.set(None)


def lsn_number(lsn):
    """A PostgreSQL log position ('16/B374D848') as a number, so two can be compared."""
    high, low = lsn.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def note_primary_write():
    """Record where the primary's log now ends, after a request that wrote, so that no
    request reads a replica that has not replayed it. Positions only go forward: of two
    requests recording at once, the later position is kept (a race between the read
    and the write of the key keeps at worst a slightly earlier one)."""
    primary = connections[PRIMARY]
    if primary.vendor != "postgresql":
        return
    with primary.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        position = cursor.fetchone()[0]
    recorded = cache.get(WRITE_POSITION_KEY)
    if recorded is None or lsn_number(position) > lsn_number(recorded):
        cache.set(WRITE_POSITION_KEY, position, timeout=WRITE_POSITION_TIMEOUT)


def replica_has_caught_up():
    """Whether the replica answers and has replayed the last recorded write. One short
    query on the replica. A server that is not in recovery (the primary itself, as in
    the suite's mirror) has nothing to catch up."""
    replica = connections[REPLICA]
    if replica.vendor != "postgresql":
        return True
    position = cache.get(WRITE_POSITION_KEY)
    try:
        with replica.cursor() as cursor:
            cursor.execute(
                "SELECT COALESCE(pg_last_wal_replay_lsn() >= %s::pg_lsn, TRUE)", [position]
            )
            return cursor.fetchone()[0]
    except DatabaseError:
        logger.warning("The read replica does not answer; reading from the primary", exc_info=True)
        return False


class ReplicaRouter:
    """Public reads to the replica (when the request allows it and the replica is up to
    date), everything else to the primary; migrations on the primary only (the replica
    replays them)."""

    def db_for_read(self, model, **hints):
        state = current_request()
        if (
            state is None
            or not state.may_use_replica
            # Read-your-writes within the request itself.
            or state.wrote
            or model._meta.app_label in PRIMARY_ONLY_APPS
            # Inside a transaction on the primary, read what it has written so far.
            or connections[PRIMARY].in_atomic_block
        ):
            return PRIMARY
        if state.replica_ready is None:
            state.replica_ready = replica_has_caught_up()
        return REPLICA if state.replica_ready else PRIMARY

    def db_for_write(self, model, **hints):
        state = current_request()
        if state is not None:
            state.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same rows.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY
