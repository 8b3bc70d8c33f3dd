"""Backups that restore: the site's database and its stored files, with a manifest.

A backup is one directory, var/backups/emgov-<UTC time>/ by default, holding

- `database.dump` (PostgreSQL: pg_dump's custom format) or `database.sqlite3` (SQLite:
  a copy made with SQLite's online backup API, so the site may keep running);
- `files/`, a copy of MEDIA_ROOT when one is set (emgov's own stored files, the
  uploaded import files, are rows of `editorial_importjob`, so in the database);
- `manifest.json`: the engine, each file's SHA-256 and size, and the row count of
  every table as the dump holds it.

The counts and the dump describe the same moment: on PostgreSQL pg_dump reads the
snapshot of the transaction that counts (`--snapshot`); on SQLite the counts are read
from the copy itself. A restore checks every checksum before it touches anything and
every count after, and refuses to write over a database that has tables, or over
stored files, unless forced. `scripts/backup`, `scripts/restore` and `make backup`,
`make restore` run it; docs/operations.md says how.
"""

import argparse
import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

FORMAT = 1
MANIFEST = "manifest.json"
FILES = "files"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


class BackupError(Exception):
    """What went wrong, said for the operator; the command exits nonzero with it."""


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe(path):
    return {"sha256": sha256(path), "size": path.stat().st_size}


def _quote(name):
    return '"' + name.replace('"', '""') + '"'


def count_rows(cursor, tables):
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608 (names from the catalogue)
        counts[table] = cursor.fetchone()[0]
    return counts


# SQLite ------------------------------------------------------------------------------


def _sqlite_tables(db):
    # Every table, FTS5's virtual tables and their shadow tables too; not SQLite's own.
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return [name for (name,) in rows]


def _sqlite_counts(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return count_rows(db.cursor(), _sqlite_tables(db))
    finally:
        db.close()


def _sqlite_copy(source_path, target_path, *, read_only=False):
    """SQLite's online backup: a consistent copy, page by page, while others write."""
    if read_only:
        source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=20)
    else:
        source = sqlite3.connect(source_path, timeout=20)
    target = sqlite3.connect(target_path, timeout=20)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def _sqlite_backup(settings_dict, directory):
    path = Path(settings_dict["NAME"])
    if not path.is_file():
        raise BackupError(f"There is no SQLite database at {path}.")
    target = directory / DUMPS["sqlite"]
    _sqlite_copy(str(path), str(target))
    # One self-contained file: the copy keeps the site's WAL mode otherwise.
    db = sqlite3.connect(target)
    db.execute("PRAGMA journal_mode=DELETE")
    db.close()
    return _sqlite_counts(target)


def _sqlite_has_tables(settings_dict):
    path = Path(settings_dict["NAME"])
    if not path.is_file():
        return False
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return bool(_sqlite_tables(db))
    finally:
        db.close()


def _sqlite_restore(settings_dict, directory):
    path = Path(settings_dict["NAME"])
    path.parent.mkdir(parents=True, exist_ok=True)
    # Into the database (not over its file): a running site's connections and its WAL
    # see the restored pages, as they would any write.
    _sqlite_copy(str(directory / DUMPS["sqlite"]), str(path), read_only=True)
    return _sqlite_counts(path)


# PostgreSQL --------------------------------------------------------------------------


# The connection options of DATABASE_URL (`?sslmode=require`...) that libpq reads, and
# the variables that give them to pg_dump and pg_restore.
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


def _libpq_options(settings_dict):
    options = settings_dict.get("OPTIONS") or {}
    return {key: str(value) for key, value in options.items() if key in LIBPQ_OPTIONS}


def _pg_environment(settings_dict):
    """libpq's variables for pg_dump and pg_restore: the password stays out of argv."""
    environment = dict(os.environ)
    for variable, key in [
        ("PGDATABASE", "NAME"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
    ]:
        if settings_dict.get(key):
            environment[variable] = str(settings_dict[key])
    for key, value in _libpq_options(settings_dict).items():
        environment[LIBPQ_OPTIONS[key]] = value
    # No statement timeout for these tools, whatever the site's own connections carry.
    environment.pop("PGOPTIONS", None)
    return environment


def _pg_connect(settings_dict):
    import psycopg2

    return psycopg2.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        # Counting a large table may take longer than the site's statement timeout.
        options="-c statement_timeout=0",
        **_libpq_options(settings_dict),
    )


def _pg_tables(cursor):
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()"
    )
    return [name for (name,) in cursor.fetchall()]


def _run(command, environment, what):
    try:
        finished = subprocess.run(
            command, env=environment, capture_output=True, text=True, check=False
        )
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client tools).") from error
    if finished.returncode != 0:
        raise BackupError(f"{what} failed:\n{finished.stderr.strip()}")


def _pg_backup(settings_dict, directory):
    target = directory / DUMPS["postgresql"]
    db = _pg_connect(settings_dict)
    try:
        db.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with db.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            # pg_dump reads this transaction's snapshot: the counts below are the dump's.
            _run(
                ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
                _pg_environment(settings_dict),
                "pg_dump",
            )
            counts = count_rows(cursor, _pg_tables(cursor))
        db.rollback()
    finally:
        db.close()
    return counts


def _pg_has_tables(settings_dict):
    db = _pg_connect(settings_dict)
    try:
        with db.cursor() as cursor:
            return bool(_pg_tables(cursor))
    finally:
        db.close()


def _pg_counts(settings_dict):
    db = _pg_connect(settings_dict)
    try:
        with db.cursor() as cursor:
            return count_rows(cursor, _pg_tables(cursor))
    finally:
        db.close()


def _pg_restore(settings_dict, directory):
    # --clean --if-exists: each object of the dump replaces its namesake, if any; one
    # transaction, so a restore that fails leaves the database as it was. Owners and
    # grants are the restoring role's (the site's), not the dumped database's.
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            f"--dbname={settings_dict['NAME']}",
            str(directory / DUMPS["postgresql"]),
        ],
        _pg_environment(settings_dict),
        "pg_restore",
    )
    return _pg_counts(settings_dict)


ENGINES = {
    "postgresql": (_pg_backup, _pg_has_tables, _pg_restore),
    "sqlite": (_sqlite_backup, _sqlite_has_tables, _sqlite_restore),
}


# Stored files ------------------------------------------------------------------------


def _media_root():
    from django.conf import settings

    return Path(settings.MEDIA_ROOT) if settings.MEDIA_ROOT else None


def _stored_files(root):
    if root is None or not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file())


# Backup and restore ------------------------------------------------------------------


def _vendor(using):
    from django.db import connections

    connection = connections[using]
    if connection.vendor not in ENGINES:
        raise BackupError(f"No backup for the {connection.vendor} database engine.")
    return connection.vendor, connection.settings_dict


def default_directory():
    from django.conf import settings

    return Path(settings.BASE_DIR) / "var" / "backups"


def backup(directory=None, *, using="default"):
    """Back the database and the stored files up into a new directory under
    `directory` (var/backups/ by default); its path is returned."""
    vendor, settings_dict = _vendor(using)
    parent = Path(directory or default_directory())
    parent.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    name = f"emgov-{now:%Y%m%dT%H%M%S}Z"
    final = parent / name
    number = 1
    while final.exists():
        number += 1
        final = parent / f"{name}-{number}"
    # Written under another name and renamed at the end: an interrupted backup never
    # looks like a finished one.
    partial = parent / f".{final.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        backup_database, _, _ = ENGINES[vendor]
        counts = backup_database(settings_dict, partial)
        files = {}
        root = _media_root()
        for path in _stored_files(root):
            relative = path.relative_to(root).as_posix()
            copy = partial / FILES / relative
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy)
            files[relative] = describe(copy)
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "engine": vendor,
            "database": {"file": DUMPS[vendor], **describe(partial / DUMPS[vendor])},
            "tables": counts,
            "files": files,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


def read_manifest(directory):
    """The backup's manifest, once every file it names is found as it describes it."""
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except FileNotFoundError as error:
        raise BackupError(f"{directory} is not an emgov backup: it has no {MANIFEST}.") from error
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"The manifest of {directory} is not valid JSON: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{directory}: unknown manifest format (this emgov reads {FORMAT}).")
    try:
        expected = {manifest["database"]["file"]: manifest["database"]}
        expected.update({f"{FILES}/{name}": file for name, file in manifest["files"].items()})
        if manifest["engine"] not in ENGINES or not isinstance(manifest["tables"], dict):
            raise KeyError("engine")
    except (KeyError, TypeError, AttributeError) as error:
        raise BackupError(f"The manifest of {directory} is incomplete ({error}).") from error
    for name, described in expected.items():
        if Path(name).is_absolute() or ".." in Path(name).parts:
            # Restored under MEDIA_ROOT: a name must not lead out of it.
            raise BackupError(f"The manifest of {directory} names a file outside it: {name}")
        path = directory / name
        if not path.is_file():
            raise BackupError(f"The backup is damaged: {name} is missing.")
        if describe(path) != {"sha256": described.get("sha256"), "size": described.get("size")}:
            raise BackupError(
                f"The backup is damaged: {name} does not match its checksum in {MANIFEST}."
            )
    return manifest


def restore(directory, *, using="default", force=False):
    """Restore a backup made by `backup` into the site's database and MEDIA_ROOT.

    Refuses (BackupError) a backup that does not match its manifest, one of another
    engine, and a database with tables or a MEDIA_ROOT with files unless `force`."""
    from django.db import connections

    directory = Path(directory)
    manifest = read_manifest(directory)
    vendor, settings_dict = _vendor(using)
    if manifest["engine"] != vendor:
        raise BackupError(
            f"This backup is of a {manifest['engine']} database; the site's is {vendor}."
        )
    _, has_tables, restore_database = ENGINES[vendor]
    root = _media_root()
    if manifest["files"] and root is None:
        raise BackupError("The backup holds stored files, but MEDIA_ROOT is not set.")
    if not force:
        if has_tables(settings_dict):
            raise BackupError(
                f"The database {settings_dict['NAME']} is not empty. Restore into an empty "
                "database, or force it (--force, FORCE=1) to replace what it holds."
            )
        if manifest["files"] and _stored_files(root):
            raise BackupError(
                f"{root} already holds files. Empty it, or force the restore (--force, "
                "FORCE=1) to overwrite them."
            )
    connections[using].close()
    counts = restore_database(settings_dict, directory)
    if counts != manifest["tables"]:
        differ = sorted(
            table
            for table in set(counts) | set(manifest["tables"])
            if counts.get(table) != manifest["tables"].get(table)
        )
        raise BackupError(
            "The restored database does not hold the rows the manifest counts, in: "
            + ", ".join(differ)
        )
    for name, described in manifest["files"].items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(directory / FILES / name, target)
        if sha256(target) != described["sha256"]:
            raise BackupError(f"{target} was not written whole.")
    # Pages cached before the restore may be filed under the token it brings back, and
    # show data it does not hold: under a new token nothing cached before is sent.
    from core.models import PublicState

    PublicState.objects.db_manager(using).changed()
    return manifest


def main(argv=None):
    parser = argparse.ArgumentParser(prog="emgov.backup", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="back the database and stored files up")
    make.add_argument("--dir", type=Path, help="where to put it (default var/backups/)")
    back = commands.add_parser("restore", help="restore a backup")
    back.add_argument("path", type=Path, help="the backup's directory")
    back.add_argument("--force", action="store_true", help="replace a non-empty database")
    arguments = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emgov.settings")
    import django

    django.setup()
    try:
        if arguments.command == "backup":
            path = backup(arguments.dir)
            manifest = json.loads((path / MANIFEST).read_text())
            rows = sum(manifest["tables"].values())
            print(
                f"Backed up {rows} rows in {len(manifest['tables'])} tables and "
                f"{len(manifest['files'])} stored files to {path}"
            )
        else:
            manifest = restore(arguments.path, force=arguments.force)
            print(
                f"Restored {sum(manifest['tables'].values())} rows and "
                f"{len(manifest['files'])} stored files from {arguments.path} "
                f"(backed up {manifest['created_at']})"
            )
    except BackupError as error:
        print(f"{arguments.command}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
