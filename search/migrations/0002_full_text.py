"""The full-text half of the index, different on each database: PostgreSQL gets a
generated tsvector column with GIN and trigram indexes, SQLite an FTS5 table with
triggers. On any other database this does nothing.

The SQL is written out here, not imported, so that what this migration does can never
change: runtime code (search/backends.py) may change, a migration must not. A later
migration that alters search_searchdocument on SQLite must create the triggers again,
with SQL of its own: SQLite alters a table by copying it, which drops them."""

from django.db import migrations

TABLE = "search_searchdocument"

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
    f"CREATE INDEX search_document_vector_idx ON {TABLE} USING gin (search_vector)",
    # Typo tolerance on titles, and substring search in Chinese, which has no stemmer.
    f"CREATE INDEX search_document_title_trgm_idx ON {TABLE} USING gin (title gin_trgm_ops)",
    f"CREATE INDEX search_document_original_trgm_idx ON {TABLE} "
    "USING gin (original gin_trgm_ops)",
]

POSTGRES_UNINSTALL = [
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_vector",
    "DROP INDEX IF EXISTS search_document_title_trgm_idx",
    "DROP INDEX IF EXISTS search_document_original_trgm_idx",
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


def run(schema_editor, statements_by_vendor):
    # Any other database gets no full-text index, and search matches nothing there.
    for statement in statements_by_vendor.get(schema_editor.connection.vendor, ()):
        schema_editor.execute(statement)


def install(apps, schema_editor):
    run(schema_editor, {"postgresql": POSTGRES_INSTALL, "sqlite": SQLITE_INSTALL})


def uninstall(apps, schema_editor):
    run(schema_editor, {"postgresql": POSTGRES_UNINSTALL, "sqlite": SQLITE_UNINSTALL})


class Migration(migrations.Migration):
    dependencies = [("search", "0001_index")]

    operations = [migrations.RunPython(install, uninstall)]
