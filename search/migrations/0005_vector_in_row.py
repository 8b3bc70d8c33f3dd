"""PostgreSQL: each document's search vector kept in its row. Rows written before keep
their layout until they are written again: run `manage.py rebuild_search_index`, or
`VACUUM FULL search_searchdocument`.

Ranking reads the vector of every match. A row over 2 KB has its largest values moved
out of it, to TOAST, and the vector, most of a document's row, went first: each match
then cost a TOAST lookup, 39,500 pages besides the table's 17,700 for a word in 10 % of
the corpus (bench/RESULTS.md). Storage MAIN keeps the vector in the row, and moves the
body and the original text out instead.

The SQL is written out here, not imported, so that what this migration does can never
change."""

from django.db import migrations

KEEP_IN_ROW = "ALTER TABLE search_searchdocument ALTER COLUMN search_vector SET STORAGE MAIN"
LET_OUT_OF_ROW = (
    "ALTER TABLE search_searchdocument ALTER COLUMN search_vector SET STORAGE EXTENDED"
)


def keep_vector_in_row(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(KEEP_IN_ROW)


def let_vector_out_of_row(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LET_OUT_OF_ROW)


class Migration(migrations.Migration):
    dependencies = [("search", "0004_facet_keys")]

    operations = [migrations.RunPython(keep_vector_in_row, let_vector_out_of_row)]
