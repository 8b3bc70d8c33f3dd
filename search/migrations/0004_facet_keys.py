"""The facet rows again on each document (SearchDocument.facet_keys), filled here from
the facet rows for documents indexed before."""

from django.db import migrations, models

FILL = {
    "postgresql": """
        UPDATE search_searchdocument SET facet_keys = keys FROM (
            SELECT document_id, string_agg(kind || ':' || value, ' ') AS keys
            FROM search_searchfacet GROUP BY document_id
        ) AS facets WHERE facets.document_id = search_searchdocument.id
    """,
    "sqlite": """
        UPDATE search_searchdocument SET facet_keys = (
            SELECT group_concat(kind || ':' || value, ' ') FROM search_searchfacet
            WHERE document_id = search_searchdocument.id
        )
    """,
}


def fill(apps, schema_editor):
    statement = FILL.get(schema_editor.connection.vendor)
    if statement:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_index_state")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="facet_keys",
            field=models.TextField(editable=False, null=True, verbose_name="facet keys"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
