"""PostgreSQL: each document's search vector kept in its row (backends.keep_vector_in_row).
Rows written before keep their layout until they are written again: run
`manage.py rebuild_search_index`, or `VACUUM FULL search_searchdocument`."""

from django.db import migrations

from search import backends


class Migration(migrations.Migration):
    dependencies = [("search", "0004_facet_keys")]

    operations = [
        migrations.RunPython(backends.keep_vector_in_row, backends.let_vector_out_of_row)
    ]
