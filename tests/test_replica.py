"""Past one machine, for real (issue 19, docs/scaling.md): two gunicorn instances of
the site against one PostgreSQL primary, one streaming replica of it and one Redis.

The primary is the server the suite runs on (its address from DATABASE_URL, or
EMGOV_REPLICA_TEST_PRIMARY_URL), with a scratch database of this work tree's own, when
it accepts replication connections from 127.0.0.1; otherwise (a pg_hba.conf without a
`replication` line, as Debian's cluster on the project's machines has) a throwaway
primary cluster made with initdb in a temporary directory, so that no system
configuration is edited. The replica is made from the primary with `pg_basebackup -R`
into the temporary directory and started with pg_ctl on a free port (as the postgres
user when the suite runs as root). Redis is 127.0.0.1:6379 (EMGOV_TEST_REDIS_URL's
server) in a database number of this work tree's own.

What it shows, through the public responses only (so that it holds whatever cache the
site keeps in front of them):

- an entry published through one instance's admin is public through the other at once
  (its page, the API, its list, the export, the feed and search);
- public pages are read from the replica: with the replica's replay paused, a change
  made on the primary alone is not what readers see;
- nothing is stale after a withdrawal, even while the replica lags (replay paused):
  withdrawn through one instance, it is gone from both instances' page, API, list,
  export, feed and search at once.

It runs only on PostgreSQL. Where the replica cannot be built it is skipped, except in
CI (CI=true), where it fails. Everything it starts is stopped, and the scratch database
dropped, whatever happens."""

import contextlib
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import pytest
import redis
import requests
from django.db import connection
from psycopg2.extras import PhysicalReplicationConnection

ROOT = Path(__file__).resolve().parent.parent
TREE = hashlib.sha256(str(ROOT).encode()).hexdigest()[:10]
SCRATCH_DB = f"emgov_replica_{TREE}"
# A Redis database number of this work tree's own (1 to 15; 0 is the default one).
REDIS_DB = 1 + int(TREE, 16) % 15
REDIS_SERVER = os.environ.get("EMGOV_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "replica-test-password"

EDITED = "Published through one app server"
READ = "Read from the replica"
LATER = "Read from the replica again"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a streaming replica is PostgreSQL's"
)


class CannotBuild(Exception):
    """The stack cannot be built here (no Redis, no PostgreSQL tools, ...)."""


def as_postgres():
    """PostgreSQL's tools refuse to run a cluster as root: as root, run them as postgres."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def run(command, **kwargs):
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, **kwargs)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sql(port, statement, params=(), *, user="postgres", dbname="postgres"):
    with contextlib.closing(
        psycopg2.connect(host="127.0.0.1", port=port, user=user, dbname=dbname)
    ) as conn:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchone() if cursor.description else None


def accepts_replication(port, user):
    try:
        psycopg2.connect(
            host="127.0.0.1",
            port=port,
            user=user,
            dbname="postgres",
            connection_factory=PhysicalReplicationConnection,
        ).close()
    except psycopg2.OperationalError:
        return False
    return True


class Stack:
    """Builds the clusters and the app servers; `cleanup` (an ExitStack) undoes each
    step as soon as it is taken, so a failure at any point leaves nothing behind."""

    def __init__(self, cleanup):
        self.cleanup = cleanup
        self.tmp = Path(tempfile.mkdtemp(prefix="emgov-replica-"))
        cleanup.callback(shutil.rmtree, self.tmp, ignore_errors=True)
        if os.geteuid() == 0:
            shutil.chown(self.tmp, "postgres", "postgres")
        self.timings = {}

    @contextlib.contextmanager
    def timed(self, name):
        start = time.monotonic()
        yield
        self.timings[name] = round(time.monotonic() - start, 1)

    # PostgreSQL

    def primary(self):
        """The primary's port and user: the suite's server if it lets 127.0.0.1
        replicate, else a cluster of the test's own."""
        url = os.environ.get("EMGOV_REPLICA_TEST_PRIMARY_URL")
        settings = connection.settings_dict
        host, port, user = settings["HOST"], settings["PORT"], settings["USER"]
        if url:
            parts = urlsplit(url)
            host, port, user = parts.hostname, parts.port, parts.username
        port, user = int(port or 5432), user or "postgres"
        if host not in ("127.0.0.1", "localhost"):
            raise CannotBuild(f"the primary must be on this machine, not {host}")
        version = sql(port, "SHOW server_version_num", user=user)[0]
        self.bin = Path(f"/usr/lib/postgresql/{int(version) // 10000}/bin")
        if not (self.bin / "pg_basebackup").exists():
            raise CannotBuild(f"no PostgreSQL tools in {self.bin}")
        if accepts_replication(port, user):
            self.timings["primary"] = f"the server on port {port}"
            return port, user
        self.timings["primary"] = "a cluster of the test's own"
        return self.private_primary(), "postgres"

    def tool(self, name, *args):
        return run([*as_postgres(), self.bin / name, *args])

    def pg_ctl_start(self, data, port, log):
        options = (
            f"-c port={port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.tmp} -c fsync=off"
        )
        self.tool("pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "-t", "30", "start")
        self.cleanup.callback(
            subprocess.run,
            [*as_postgres(), self.bin / "pg_ctl", "-D", data, "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )

    def private_primary(self):
        data, port = self.tmp / "primary", free_port()
        options = ["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"]
        self.tool("initdb", "-D", data, *options, "--no-sync")
        self.pg_ctl_start(data, port, self.tmp / "primary.log")
        return port

    def replica(self, primary_port, user):
        """A streaming replica of the whole primary cluster, on a free port."""
        data, port = self.tmp / "replica", free_port()
        source = ["-h", "127.0.0.1", "-p", str(primary_port), "-U", user]
        self.tool("pg_basebackup", *source, "-D", data, "-R", "-X", "stream", "--checkpoint=fast")
        # A standby needs at least the primary's limits; Debian's clusters keep their
        # configuration outside the data directory, so it gets files of its own.
        limits = ["max_connections", "max_worker_processes", "max_wal_senders"]
        limits += ["max_prepared_transactions", "max_locks_per_transaction"]
        conf = ["hot_standby = on", "hot_standby_feedback = on"]
        conf += [f"{name} = {sql(primary_port, f'SHOW {name}', user=user)[0]}" for name in limits]
        for name, text in {
            "postgresql.conf": "\n".join(conf) + "\n",
            "pg_hba.conf": "local all all trust\nhost all all 127.0.0.1/32 trust\n",
            "pg_ident.conf": "",
        }.items():
            (data / name).write_text(text)
            if os.geteuid() == 0:
                shutil.chown(data / name, "postgres", "postgres")
        self.pg_ctl_start(data, port, self.tmp / "replica.log")
        return port

    # The site

    def manage(self, env, *args):
        return run([sys.executable, ROOT / "manage.py", *args], env=env, cwd=ROOT)

    def gunicorn(self, env, name):
        port = free_port()
        log = open(self.tmp / f"{name}.log", "w")  # noqa: SIM115 (closed by the cleanup)
        self.cleanup.callback(log.close)
        gunicorn = [ROOT / ".venv" / "bin" / "gunicorn", "emgov.wsgi", "--chdir", ROOT]
        process = subprocess.Popen(
            [*gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.cleanup.callback(stop_process_group, process)
        return process, f"http://127.0.0.1:{port}"


def stop_process_group(process):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_until(check, what, timeout=30):
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def answers(url):
    try:
        return requests.get(f"{url}/healthz", timeout=5).status_code == 200
    except requests.RequestException:  # not listening yet, or still loading
        return False


SEED = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from core.models import Status
from editorial.roles import setup_roles
from tests.builders import make_directive, make_source
setup_roles()
user = get_user_model().objects.create_user("reviewer", password="{PASSWORD}", is_staff=True)
user.groups.add(Group.objects.get(name="Reviewer"))
source = make_source(title="Replica test source")
edited = make_directive(
    title="{EDITED}", slug="replica-edited", status=Status.IN_REVIEW, sources=[source]
)
make_directive(title="{READ}", slug="replica-read", sources=[source])
make_directive(title="{LATER}", slug="replica-read-later", sources=[source])
print(edited.pk)
"""


@pytest.fixture(scope="module")
def stack():
    """The two app servers' addresses and the helpers the test needs; all torn down."""
    with contextlib.ExitStack() as cleanup:
        yield build(cleanup)


def build(cleanup):
    started = time.monotonic()
    try:
        server = redis.Redis.from_url(REDIS_SERVER, socket_connect_timeout=1)
        server.ping()
        stack = Stack(cleanup)
        with stack.timed("clusters"):
            primary_port, user = stack.primary()
    except (CannotBuild, redis.ConnectionError, psycopg2.OperationalError, RuntimeError) as error:
        message = f"cannot build the primary, replica and Redis here: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI requires this test")
        pytest.skip(message)

    # Redis: this work tree's own database number, emptied of the site's keys (an old
    # run's recorded log position belongs to another cluster).
    redis_url = f"{REDIS_SERVER.rsplit('/', 1)[0]}/{REDIS_DB}"
    own_redis = redis.Redis.from_url(redis_url)
    for key in own_redis.scan_iter("emgov:*"):
        own_redis.delete(key)

    # The scratch database, migrated and seeded before the replica is copied.
    sql(primary_port, f'DROP DATABASE IF EXISTS "{SCRATCH_DB}" WITH (FORCE)', user=user)
    sql(primary_port, f'CREATE DATABASE "{SCRATCH_DB}"', user=user)
    cleanup.callback(
        sql, primary_port, f'DROP DATABASE IF EXISTS "{SCRATCH_DB}" WITH (FORCE)', user=user
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMGOV_"))}
    env.pop("DATABASE_REPLICA_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="emgov.settings",
        # Debug on only so that the admin's cookies work over plain HTTP.
        DJANGO_DEBUG="1",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"postgres://{user}@127.0.0.1:{primary_port}/{SCRATCH_DB}",
        REDIS_URL=redis_url,
        EMGOV_REVIEWERS_PUBLISH_OWN_WORK="1",
    )
    with stack.timed("migrate and seed"):
        stack.manage(env, "migrate", "--noinput")
        edited_pk = int(stack.manage(env, "shell", "-c", SEED).split()[-1])

    try:
        with stack.timed("replica"):
            replica_port = stack.replica(primary_port, user)
    except RuntimeError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"cannot build the replica: {error}")
        pytest.skip(f"cannot build the replica: {error}")

    env["DATABASE_REPLICA_URL"] = f"postgres://{user}@127.0.0.1:{replica_port}/{SCRATCH_DB}"
    with stack.timed("app servers"):
        servers = [stack.gunicorn(env, name) for name in ("first", "second")]
        for (process, url), name in zip(servers, ("first", "second"), strict=True):
            wait_until(
                lambda url=url, process=process: answers(url) or process.poll() is not None,
                f"gunicorn at {url}",
            )
            assert process.poll() is None, (stack.tmp / f"{name}.log").read_text()
    stack.timings["built in"] = round(time.monotonic() - started, 1)
    return {
        "first": servers[0][1],
        "second": servers[1][1],
        "edited_pk": edited_pk,
        "primary": lambda *args: sql(primary_port, *args, user=user, dbname=SCRATCH_DB),
        "replica": lambda *args: sql(replica_port, *args, user=user),
        "timings": stack.timings,
    }


def logged_in(url):
    session = requests.Session()
    page = session.get(f"{url}/admin/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    response = session.post(
        f"{url}/admin/login/?next=/admin/",
        {"username": "reviewer", "password": PASSWORD, "csrfmiddlewaretoken": token},
        timeout=10,
    )
    assert response.url.endswith("/admin/"), response.text[:500]
    return session


def transition(session, url, pk, name, comment=""):
    change = session.get(f"{url}/admin/policies/directive/{pk}/change/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', change.text)[1]
    response = session.post(
        f"{url}/admin/policies/directive/{pk}/workflow/",
        {"transition": name, "comment": comment, "csrfmiddlewaretoken": token},
        timeout=10,
    )
    assert response.status_code == 200 and "is now" in response.text, response.text[:500]
    return response


def public(url, path):
    """An anonymous reader's request: no cookie of any earlier one."""
    return requests.get(f"{url}{path}", timeout=10)


def lists_the_entry(url, path):
    """Whether a list, export, feed or search names the edited entry (by its address:
    search marks the words of titles). Never vacuously: the answer must be whole."""
    response = public(url, path)
    assert response.status_code == 200, (path, response.status_code)
    return "/replica-edited/" in response.text


def caught_up(stack):
    position = stack["primary"]("SELECT pg_current_wal_lsn()::text")[0]
    return stack["replica"]("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])[0]


@contextlib.contextmanager
def replay_paused(stack):
    """The replica stops applying the primary's log (as if it lagged), from a point
    where it has applied everything so far."""
    wait_until(lambda: caught_up(stack), "the replica to catch up", timeout=10)
    stack["replica"]("SELECT pg_wal_replay_pause()")
    wait_until(
        lambda: stack["replica"]("SELECT pg_get_wal_replay_pause_state()")[0] == "paused",
        "the replay to pause",
        timeout=10,
    )
    try:
        yield
    finally:
        stack["replica"]("SELECT pg_wal_replay_resume()")


def change_on_the_primary_alone(stack, slug, title):
    """A change no request made (so no recorded position): only the primary has it
    until the replica replays it."""
    stack["primary"]("UPDATE policies_directive SET title = %s WHERE slug = %s", [title, slug])


def test_two_app_servers_a_streaming_replica_and_one_redis(stack):
    first, second, pk = stack["first"], stack["second"], stack["edited_pk"]
    page, api = "/directives/replica-edited/", "/api/v1/directives/replica-edited/"
    lists = ("/directives/", "/export/directives.csv", "/feeds/latest.atom")
    lists += ("/search/?q=published+through+one+app+server",)
    # Not public yet (and whatever cache the site keeps now holds these answers).
    for url in (first, second):
        assert public(url, page).status_code == 404
        assert public(url, api).status_code == 404
        for path in lists:
            assert not lists_the_entry(url, path), path

    # An edit through one app server is public through the other at once.
    reviewer = logged_in(first)
    transition(reviewer, first, pk, "publish")
    assert "emgov_primary" in reviewer.cookies  # the editor's own next reads: the primary
    for url in (second, first):
        shown = public(url, page)
        assert shown.status_code == 200 and EDITED in shown.text
        assert public(url, api).json()["title"] == EDITED
        for path in lists:
            assert lists_the_entry(url, path), path

    # Public pages are read from the replica: with its replay paused, a change made on
    # the primary alone is not what either app server shows (these pages were never
    # asked for before, so no cache can have answered).
    with replay_paused(stack):
        change_on_the_primary_alone(stack, "replica-read", "Changed on the primary alone")
        for url in (first, second):
            shown = public(url, "/directives/replica-read/")
            assert shown.status_code == 200
            assert READ in shown.text and "Changed on the primary alone" not in shown.text

        # Withdrawn through the other app server while the replica still lags: both
        # answer "gone" at once (the replica is behind the write the withdrawal
        # recorded, so they read from the primary until it catches up).
        transition(logged_in(second), second, pk, "withdraw", comment="Replica test")
        for url in (first, second):
            assert public(url, page).status_code == 410
            assert public(url, api).status_code == 404
            for path in lists:
                assert not lists_the_entry(url, path), path

    # Caught up again, readers are back on the replica: a change on the primary alone
    # is again not seen while replay is paused; and the withdrawal stays.
    with replay_paused(stack):
        change_on_the_primary_alone(stack, "replica-read-later", "Changed later on the primary")
        for url in (first, second):
            shown = public(url, "/directives/replica-read-later/")
            assert LATER in shown.text and "Changed later on the primary" not in shown.text
            assert public(url, page).status_code == 410
            assert public(url, api).status_code == 404
    print("timings (s):", stack["timings"])
