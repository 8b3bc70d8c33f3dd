"""Highlight markers taken out of documents indexed before core.text.clean_text
removed them. The snippets mark matches with the private-use characters U+E000 and
U+E001; one that an editor had pasted into a title or text came out as an unbalanced
<mark> on the results page.

Only rows holding a marker are written; the triggers of 0002 and 0006 bring the
full-text index and the common-word counts along. The SQL is written out here, so that
what this migration does can never change."""

import uuid

from django.db import migrations

MARKERS = ("\ue000", "\ue001")
COLUMNS = ("title", "keywords", "body", "original", "parent_title")

STRIP = "UPDATE search_searchdocument SET {columns} WHERE {holding_a_marker}".format(
    columns=", ".join(
        f"{column} = replace(replace({column}, %s, ''), %s, '')" for column in COLUMNS
    ),
    holding_a_marker=" OR ".join(f"{column} LIKE %s OR {column} LIKE %s" for column in COLUMNS),
)


def strip_markers(apps, schema_editor):
    params = [*MARKERS] * len(COLUMNS) + [f"%{marker}%" for marker in MARKERS] * len(COLUMNS)
    schema_editor.execute(STRIP, params)
    # Any write to the index changes its state, so no cached search outlives it.
    apps.get_model("search", "IndexState").objects.update(token=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("search", "0006_common_terms")]

    operations = [migrations.RunPython(strip_markers, migrations.RunPython.noop)]
