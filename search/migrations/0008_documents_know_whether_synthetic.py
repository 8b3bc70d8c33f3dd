"""Each document records whether its entry is synthetic benchmark data, so that the
index's public view (SearchDocumentQuerySet.published) hides it whatever the setting
was when it was indexed.

SQLite adds a NOT NULL column by copying the table into a new one, which loses the
triggers that keep the FTS5 table current (migration 0002): they are made again
here, written out as 0002 wrote them, and the FTS5 index rebuilt. PostgreSQL adds
the column in place."""

from django.db import migrations, models

TABLE = "search_searchdocument"

SQLITE_TRIGGERS = [
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


def restore_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in SQLITE_TRIGGERS:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0007_strip_highlight_markers"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="is_synthetic",
            field=models.BooleanField(default=False, verbose_name="synthetic"),
        ),
        # Both ways: removing the column copies the table again.
        migrations.RunPython(restore_sqlite_triggers, restore_sqlite_triggers),
    ]
