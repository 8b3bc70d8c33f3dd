"""The database-specific half of the search index, installed by migrations 0002, 0005
and 0006 and by nothing else. Both halves index the same three weighted columns of
search_searchdocument; the rest of the app asks `connection.vendor` which to use.
For bulk writes PostgreSQL also has COPY (copy_rows) and a way to build its GIN
indexes once at the end rather than row by row (indexes_dropped).

A later migration that alters search_searchdocument must run `install()` again on
SQLite: SQLite alters a table by copying it, which drops the triggers."""

import csv
import io
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction

TABLE = "search_searchdocument"

# The GIN indexes, by name: created by install() and install_shortlists(), and
# dropped and built again around a bulk write by indexes_dropped().
FULL_TEXT_INDEXES = {
    "search_document_vector_idx": (
        f"CREATE INDEX search_document_vector_idx ON {TABLE} USING gin (search_vector)"
    ),
    # Typo tolerance on titles, and substring search in Chinese, which has no stemmer.
    "search_document_title_trgm_idx": (
        f"CREATE INDEX search_document_title_trgm_idx ON {TABLE} USING gin (title gin_trgm_ops)"
    ),
    "search_document_original_trgm_idx": (
        f"CREATE INDEX search_document_original_trgm_idx ON {TABLE} "
        "USING gin (original gin_trgm_ops)"
    ),
}

# The words of the titles alone (weight A), and of the titles and keywords (A and B),
# from which a one-word search takes its best matches (search.services.first_ids).
SHORTLISTS = {
    "titles": "ts_filter(search_vector, '{a}')",
    "headings": "ts_filter(search_vector, '{a,b}')",
}
SHORTLIST_INDEXES = {
    f"search_document_{name}_idx": (
        f"CREATE INDEX search_document_{name}_idx ON {TABLE} USING gin (({vector}))"
    )
    for name, vector in SHORTLISTS.items()
}
POSTGRES_INDEXES = {**FULL_TEXT_INDEXES, **SHORTLIST_INDEXES}

# Memory for building those indexes again after a bulk write, for that one transaction.
BUILD_MEMORY = "512MB"

POSTGRES_INSTALL = [
    # Trusted since PostgreSQL 13: a database owner may create it without superuser.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # A generated column is recomputed by PostgreSQL itself on every insert and update,
    # whether it comes from a save(), a bulk_create() or plain SQL.
    f"""ALTER TABLE {TABLE} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(keywords, '')), 'B')
        || setweight(to_tsvector('english', coalesce(body, '')), 'C')
    ) STORED""",
    *FULL_TEXT_INDEXES.values(),
]

POSTGRES_UNINSTALL = [
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_vector",
    "DROP INDEX IF EXISTS search_document_title_trgm_idx",
    "DROP INDEX IF EXISTS search_document_original_trgm_idx",
]

# Ranking reads the vector of every match. A row over 2 KB has its largest values
# moved out of it, to TOAST, and the vector, most of a document's row, went first:
# each match then cost a TOAST lookup, 39,500 pages besides the table's 17,700 for a
# word in 10 % of the corpus (bench/RESULTS.md). Storage MAIN keeps the vector in
# the row, and moves the body and the original text out instead.
POSTGRES_VECTOR_IN_ROW = [
    f"ALTER TABLE {TABLE} ALTER COLUMN search_vector SET STORAGE MAIN",
]
POSTGRES_VECTOR_ANYWHERE = [
    f"ALTER TABLE {TABLE} ALTER COLUMN search_vector SET STORAGE EXTENDED",
]

# An external-content FTS5 table: it stores only the index, reading the text from
# search_searchdocument, and the triggers keep it current on every write.
SQLITE_INSTALL = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
        title, keywords, body,
        content='{TABLE}', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts_vocab USING fts5vocab(search_fts, 'row')",
    f"""CREATE TRIGGER IF NOT EXISTS search_fts_insert AFTER INSERT ON {TABLE} BEGIN
        INSERT INTO search_fts(rowid, title, keywords, body)
        VALUES (new.id, new.title, new.keywords, new.body);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS search_fts_delete AFTER DELETE ON {TABLE} BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, keywords, body)
        VALUES ('delete', old.id, old.title, old.keywords, old.body);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS search_fts_update AFTER UPDATE ON {TABLE} BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, keywords, body)
        VALUES ('delete', old.id, old.title, old.keywords, old.body);
        INSERT INTO search_fts(rowid, title, keywords, body)
        VALUES (new.id, new.title, new.keywords, new.body);
    END""",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]

SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TABLE IF EXISTS search_fts_vocab",
    "DROP TABLE IF EXISTS search_fts",
]


def _run(schema_editor, statements_by_vendor):
    # Any other database gets no full-text index, and search matches nothing there.
    for statement in statements_by_vendor.get(schema_editor.connection.vendor, ()):
        schema_editor.execute(statement)


def install(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_INSTALL, "sqlite": SQLITE_INSTALL})


def uninstall(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_UNINSTALL, "sqlite": SQLITE_UNINSTALL})


def install_shortlists(apps, schema_editor):
    _run(schema_editor, {"postgresql": SHORTLIST_INDEXES.values()})


def uninstall_shortlists(apps, schema_editor):
    _run(schema_editor, {"postgresql": [f"DROP INDEX {name}" for name in SHORTLIST_INDEXES]})


def keep_vector_in_row(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_VECTOR_IN_ROW})


def let_vector_out_of_row(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_VECTOR_ANYWHERE})


@contextmanager
def indexes_dropped(using=DEFAULT_DB_ALIAS):
    """Drop PostgreSQL's GIN indexes, and the index tables' own b-tree indexes (their
    Meta.indexes), for the length of a bulk write and build them again at its end: one
    build costs far less than keeping them current row by row. All in one
    transaction, so a failure leaves them as they were; but the tables stay locked
    until that transaction ends, so searches wait for it. Elsewhere it does nothing."""
    from search.models import SearchDocument, SearchFacet

    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    model_indexes = [
        (model, index) for model in (SearchDocument, SearchFacet) for index in model._meta.indexes
    ]
    with transaction.atomic(using=using):
        # A table with foreign key checks still deferred (after a delete of documents
        # with facets) may not be altered: run them first.
        connection.check_constraints()
        foreign_keys = foreign_keys_of(SearchFacet._meta.db_table, using)
        with connection.schema_editor(atomic=False) as editor:
            for table, name, _ in foreign_keys:
                editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
            for name in POSTGRES_INDEXES:
                editor.execute(f"DROP INDEX {name}")
            for model, index in model_indexes:
                editor.remove_index(model, index)
        yield
        connection.check_constraints()
        with connection.schema_editor(atomic=False) as editor:
            # The default (64 MB) makes a GIN build spill to disk in many passes.
            editor.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
            for statement in POSTGRES_INDEXES.values():
                editor.execute(statement)
            for model, index in model_indexes:
                editor.add_index(model, index)
            # Added back, a foreign key is checked in one join, not row by row.
            for table, name, definition in foreign_keys:
                editor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")


def foreign_keys_of(table, using=DEFAULT_DB_ALIAS):
    """[(table, name, definition)] of a PostgreSQL table's foreign keys."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass",
            [table],
        )
        return cursor.fetchall()


def next_ids(table, count, using=DEFAULT_DB_ALIAS):
    """`count` new primary keys from a PostgreSQL table's own sequence, so that rows
    written by COPY (which returns nothing) need not be read back to be known."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


class CsvRows:
    """Rows read as CSV text, a few at a time, for COPY to stream: each row is made
    (by the generator behind `rows`) while PostgreSQL writes the ones before it."""

    def __init__(self, rows):
        self.rows = iter(rows)
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\n")

    def read(self, size=-1):
        for row in self.rows:
            self.writer.writerow(row)
            if 0 <= size <= self.buffer.tell():
                break
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text


def copy_rows(table, columns, rows, not_null=(), using=DEFAULT_DB_ALIAS):
    """Insert rows (sequences of values in the order of `columns`) into a PostgreSQL
    table with COPY, through psycopg2. In CSV an empty value is NULL and a quoted
    one an empty string, but the writer quotes neither: the `not_null` columns read
    every empty value as an empty string."""
    columns = ", ".join(columns)
    options = "FORMAT csv"
    if not_null:
        options += f", FORCE_NOT_NULL ({', '.join(not_null)})"
    with connections[using].cursor() as cursor:
        cursor.copy_expert(
            f"COPY {table} ({columns}) FROM STDIN WITH ({options})", CsvRows(rows), 65536
        )
