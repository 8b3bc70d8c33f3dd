"""Backups that restore (emgov/backup.py): back up, wipe, restore, and every row of
every table, every history record and every stored file is there again.

Each test runs on a database of its own, a copy of the suite's freshly migrated one
(quicker than migrating), so a restore never touches the suite's database: on
PostgreSQL `<test database>_backup`, unique to this work tree like the test database;
on SQLite a file in the test's temporary directory."""

import json
import os
import shutil
import threading
import time
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from core.models import PublicState
from editorial.models import ImportJob
from emgov import backup as backups
from policies.models import Directive
from tests.builders import make_directive, make_theme

POSTGRES = connection.vendor == "postgresql"


def _pg_admin(statement):
    params = connection.settings_dict
    admin = psycopg2.connect(
        dbname="postgres",
        user=params.get("USER") or None,
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or None,
        port=params.get("PORT") or None,
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(statement)
    finally:
        admin.close()


# Committing tests (the connection is closed and pointed elsewhere), each emptying the
# suite's database after it (pytest-django's rule), so few of them.
committing = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scratch_database(tmp_path):
    """Points the default connection, for one test, at a copy of the suite's database."""
    settings_dict = connection.settings_dict
    suite_name = settings_dict["NAME"]
    connection.close()
    if POSTGRES:
        scratch = f"{suite_name}_backup"
        _pg_admin(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        # A template must have no other connection. Earlier tests leave idle ones (the
        # browser tests' live server thread keeps its own): end them; Django's health
        # check opens a new one where one is needed again.
        _pg_admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "  # noqa: S608 (our name)
            f"WHERE datname = '{suite_name}' AND pid <> pg_backend_pid()"
        )
        _pg_admin(f'CREATE DATABASE "{scratch}" TEMPLATE "{suite_name}"')
    else:
        scratch = str(tmp_path / "scratch.sqlite3")
        backups._sqlite_copy(suite_name, scratch)
    settings_dict["NAME"] = scratch
    try:
        yield scratch
    finally:
        connection.close()
        settings_dict["NAME"] = suite_name
        if POSTGRES:
            _pg_admin(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def wipe(scratch):
    """The database gone, as after a lost disk: an empty database in its place."""
    connection.close()
    if POSTGRES:
        _pg_admin(f'DROP DATABASE "{scratch}" WITH (FORCE)')
        _pg_admin(f'CREATE DATABASE "{scratch}"')
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(scratch + suffix).unlink(missing_ok=True)


def _plain(value):
    return bytes(value) if isinstance(value, memoryview) else value


def database_contents():
    """Every row of every table, as sorted text: compared whole, not counted."""
    with connection.cursor() as cursor:
        contents = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            contents[table] = sorted(repr(tuple(map(_plain, row))) for row in cursor.fetchall())
    return contents


def restored(before):
    """Whether the database holds every row it held before, but the public state's
    token, which a restore renews (nothing cached before it is sent after it)."""
    after = database_contents()
    state = PublicState._meta.db_table
    token_renewed = len(after[state]) == len(before[state]) == 1 and after[state] != before[state]
    return token_renewed and {**after, state: None} == {**before, state: None}


def stored_files(root):
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def fictional_site(scratch_database, settings, tmp_path):
    """Entries with their history, an import job with its file, stored files."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    theme = make_theme(name="Fictional floods")
    directive = make_directive(themes=[theme], provisions=3, title="Fictional directive")
    directive.title = "Fictional directive, amended"
    directive.save()
    make_directive(title="Another fictional directive", provisions=1)
    ImportJob.objects.create(
        collection="directives",
        file_name="fictional.csv",
        content="slug,title\nfictional-import,Fictional import\n",
        rows=1,
    )
    media = tmp_path / "media"
    (media / "imports" / "2026").mkdir(parents=True)
    (media / "imports" / "2026" / "fictional.csv").write_bytes(b"slug,title\nx,\xe6\x96\x87\n")
    (media / "readme.txt").write_text("A stored file.\n")
    return media


@committing
def test_backup_wipe_restore_loses_nothing(scratch_database, fictional_site, tmp_path):
    before = database_contents()
    files = stored_files(fictional_site)
    assert Directive.history.count() >= 3  # two created, one changed
    assert before[ImportJob._meta.db_table]
    assert len(files) == 2

    path = backups.backup(tmp_path / "backups")

    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["engine"] == connection.vendor
    assert manifest["tables"] == {table: len(rows) for table, rows in before.items()}
    assert set(manifest["files"]) == set(files)

    # Over the database it came from: refused, and nothing is changed.
    with pytest.raises(backups.BackupError, match="is not empty"):
        backups.restore(path)
    assert database_contents() == before

    wipe(scratch_database)
    shutil.rmtree(fictional_site)
    assert not any(database_contents().values())

    backups.restore(path)

    assert restored(before)
    assert stored_files(fictional_site) == files
    assert Directive.history.filter(title="Fictional directive, amended").exists()
    assert ImportJob.objects.get().content.startswith("slug,title\n")

    # Over a database that changed since: replaced whole, when forced.
    Directive.objects.all().delete()
    make_directive(title="Written after the backup")
    assert database_contents() != before

    backups.restore(path, force=True)

    assert restored(before)


@committing
def test_a_damaged_or_foreign_backup_is_refused_before_anything_is_touched(
    scratch_database, fictional_site, tmp_path, capsys
):
    path = backups.backup(tmp_path / "backups")
    before = database_contents()
    dump = next(path.glob("database.*"))
    original = dump.read_bytes()
    data = bytearray(original)
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))

    with pytest.raises(backups.BackupError, match="does not match its checksum"):
        backups.restore(path, force=True)
    # The command line says so, and exits nonzero.
    assert backups.main(["restore", str(path), "--force"]) == 1
    assert "damaged" in capsys.readouterr().err
    # (Its backup, for the record, says what it kept and where.)
    assert backups.main(["backup", "--dir", str(tmp_path / "cli")]) == 0
    assert "and 2 stored files to " in capsys.readouterr().out
    assert database_contents() == before
    manifest = json.loads((path / "manifest.json").read_text())

    dump.write_bytes(original)
    (path / "files" / "readme.txt").unlink()
    with pytest.raises(backups.BackupError, match=r"files/readme\.txt is missing"):
        backups.read_manifest(path)
    (path / "manifest.json").unlink()
    with pytest.raises(backups.BackupError, match="not an emgov backup"):
        backups.restore(path, force=True)

    # A file named out of MEDIA_ROOT.
    (path / "manifest.json").write_text(
        json.dumps({**manifest, "files": {"../escaped.txt": manifest["files"]["readme.txt"]}})
    )
    with pytest.raises(backups.BackupError, match="names a file outside it"):
        backups.restore(path, force=True)
    assert not (fictional_site.parent / "escaped.txt").exists()

    # A backup of the other engine.
    (path / "files" / "readme.txt").write_text("A stored file.\n")
    other = "sqlite" if POSTGRES else "postgresql"
    (path / "manifest.json").write_text(json.dumps({**manifest, "engine": other}))
    with pytest.raises(backups.BackupError, match=f"backup is of a {other} database"):
        backups.restore(path, force=True)
    assert database_contents() == before


@committing
def test_a_backup_taken_while_the_site_writes_holds_what_its_manifest_counts(
    scratch_database, tmp_path
):
    stop = threading.Event()
    written = []

    def write():
        try:
            while not stop.is_set():
                ImportJob.objects.create(collection="directives", file_name="w.csv", content="x")
                written.append(1)
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(written) < 3:
            time.sleep(0.005)
        # Rows keep coming while it runs (dozens on SQLite, hundreds on PostgreSQL here).
        path = backups.backup(tmp_path / "backups")
    finally:
        stop.set()
        writer.join()

    wipe(scratch_database)
    backups.restore(path)  # which counts every table again against the manifest
    assert 3 <= ImportJob.objects.count() <= len(written)


def test_the_dump_tools_reach_the_database_as_the_site_does(monkeypatch):
    for variable in [name for name in os.environ if name.startswith("PG")]:
        monkeypatch.delenv(variable)
    settings_dict = {
        "NAME": "emgov",
        "USER": "emgov",
        "PASSWORD": "secret",
        "HOST": "db.example.org",
        "PORT": 5433,
        "OPTIONS": {"sslmode": "require", "options": "-c statement_timeout=10000"},
    }
    environment = backups._pg_environment(settings_dict)
    assert {key: value for key, value in environment.items() if key.startswith("PG")} == {
        "PGDATABASE": "emgov",
        "PGUSER": "emgov",
        "PGPASSWORD": "secret",  # in the environment, never on the command line
        "PGHOST": "db.example.org",
        "PGPORT": "5433",
        "PGSSLMODE": "require",
    }
