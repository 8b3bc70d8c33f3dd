"""The full-text half of the index, different on each database (see search/backends.py):
PostgreSQL gets a generated tsvector column with GIN and trigram indexes, SQLite an FTS5
table with triggers. On any other database this does nothing."""

from django.db import migrations

from search import backends


class Migration(migrations.Migration):
    dependencies = [("search", "0001_index")]

    operations = [migrations.RunPython(backends.install, backends.uninstall)]
