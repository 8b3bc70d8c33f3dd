"""SQLite: a view of the FTS5 table (migration 0002) that a search joins to its
documents, as the unmanaged model FullTextRow, so that it matches and ranks in one
scan of the full-text index rather than asking FTS5 again for each match.

The view gives the row's id as `rowid + 0`: an expression, which FTS5 cannot look a
row up by, so SQLite's only plan for the join is the one that scans the matches and
finds each document by its primary key. With the bare rowid it may choose to read
the documents by some other index (a chosen type) and run the full-text query once
for each. Other databases get nothing but the model's state. The SQL is written out
here, as in 0002: a migration must not change with runtime code."""

import django.db.models.deletion
from django.db import migrations, models

SQLITE_INSTALL = [
    "CREATE VIEW IF NOT EXISTS search_fts_rows (document_id, search_fts) AS "
    "SELECT rowid + 0, search_fts FROM search_fts",
]
SQLITE_UNINSTALL = ["DROP VIEW IF EXISTS search_fts_rows"]


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_INSTALL:
            schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_UNINSTALL:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0008_documents_know_whether_synthetic"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
        migrations.CreateModel(
            name="FullTextRow",
            fields=[
                (
                    "document",
                    models.OneToOneField(
                        db_column="document_id",
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="full_text",
                        serialize=False,
                        to="search.searchdocument",
                        verbose_name="document",
                    ),
                ),
                (
                    "index",
                    models.TextField(
                        db_column="search_fts", editable=False, verbose_name="full-text index"
                    ),
                ),
            ],
            options={
                "verbose_name": "full-text row",
                "verbose_name_plural": "full-text rows",
                "db_table": "search_fts_rows",
                "managed": False,
                "required_db_vendor": "sqlite",
            },
        ),
    ]
