"""Runtime code for the database-specific half of the search index: the names and
definitions of PostgreSQL's full-text indexes, and the bulk writes that COPY rows
(copy_rows) and build those indexes once at the end rather than row by row
(indexes_dropped). The rest of the app asks `connection.vendor` which half to use.

The DDL that made the full-text machinery (PostgreSQL's tsvector column, SQLite's FTS5
table and triggers, the common-word triggers) is written out in migrations 0002, 0005
and 0006 and imported by nothing, so that editing this module never changes what an
old migration does. The index definitions below repeat theirs, because a bulk write
builds the indexes again: tests/test_search_bulk.py checks that they come back as the
migrations made them."""

import csv
import io
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction

TABLE = "search_searchdocument"

# The GIN indexes, by name, as migrations 0002 and 0006 created them: dropped and
# built again around a bulk write by indexes_dropped().
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
# A query must spell an expression exactly as its index does for PostgreSQL to use it.
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
