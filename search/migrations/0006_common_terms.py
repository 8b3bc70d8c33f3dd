"""PostgreSQL: the counts of common words (TermCount), kept current by triggers and
counted here once; and GIN indexes on the words of titles and of headings, from which
a one-word search takes its best matches. On a large index the count takes a while
(about 20 s for the benchmark corpus).

The SQL is written out here, not imported, so that what this migration does can never
change. The runtime copies (search/backends.py SHORTLISTS, search/common_terms.py
ADD_COUNTS) must keep agreeing with it: tests/test_search_bulk.py and
tests/test_search_common_terms.py compare them with what the database holds."""

from django.conf import settings
from django.db import migrations, models

TABLE = "search_searchdocument"

# The words of the titles alone (weight A), and of the titles and keywords (A and B).
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

# The keys a document is counted under: all (""), its type and year, and its facets.
KEYS = (
    "string_to_array(coalesce(d.facet_keys, ''), ' ') "
    "|| ARRAY['', 'type:' || d.entry_type || ':' || coalesce(d.year::text, '')]"
)

# Adds (sign 1) or takes away (sign -1) the published documents of a table to the
# counts of the words counted, which are those with a row for "".
ADD_COUNTS = f"""
    INSERT INTO search_termcount (lexeme, key, documents)
    SELECT words.lexeme, keys.key, {{sign}} * count(*) FROM {{documents}} AS d
    CROSS JOIN LATERAL unnest(tsvector_to_array(d.search_vector)) AS words (lexeme)
    CROSS JOIN LATERAL unnest({KEYS}) AS keys (key)
    WHERE d.is_published AND words.lexeme IN (
        SELECT counted.lexeme FROM search_termcount AS counted WHERE counted.key = ''
    )
    GROUP BY words.lexeme, keys.key
    ON CONFLICT (lexeme, key)
    DO UPDATE SET documents = search_termcount.documents + EXCLUDED.documents
"""

CHOOSE_WORDS = f"""
    INSERT INTO search_termcount (lexeme, key, documents)
    SELECT word, '', 0 FROM ts_stat('SELECT search_vector FROM {TABLE} WHERE is_published')
    WHERE ndoc >= %s
"""

# Memory for the count's one aggregate, which the default (4 MB) would spill to disk.
COUNT_MEMORY = "256MB"

# A transition table exists only for the events that fill it, and a trigger with one
# has one event: three triggers, one function.
INSTALL_TRIGGERS = [
    f"""CREATE FUNCTION search_count_terms() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- No words are counted before the first rebuild, nor during one (recounted).
        IF NOT EXISTS (SELECT FROM search_termcount) THEN
            RETURN NULL;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            {ADD_COUNTS.format(sign=-1, documents="old_documents")};
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            {ADD_COUNTS.format(sign=1, documents="new_documents")};
        END IF;
        RETURN NULL;
    END $$""",
    f"""CREATE TRIGGER search_count_inserted AFTER INSERT ON {TABLE}
    REFERENCING NEW TABLE AS new_documents
    FOR EACH STATEMENT EXECUTE FUNCTION search_count_terms()""",
    f"""CREATE TRIGGER search_count_updated AFTER UPDATE ON {TABLE}
    REFERENCING OLD TABLE AS old_documents NEW TABLE AS new_documents
    FOR EACH STATEMENT EXECUTE FUNCTION search_count_terms()""",
    f"""CREATE TRIGGER search_count_deleted AFTER DELETE ON {TABLE}
    REFERENCING OLD TABLE AS old_documents
    FOR EACH STATEMENT EXECUTE FUNCTION search_count_terms()""",
]

UNINSTALL_TRIGGERS = [
    f"DROP TRIGGER IF EXISTS search_count_inserted ON {TABLE}",
    f"DROP TRIGGER IF EXISTS search_count_updated ON {TABLE}",
    f"DROP TRIGGER IF EXISTS search_count_deleted ON {TABLE}",
    "DROP FUNCTION IF EXISTS search_count_terms()",
]


def is_postgres(schema_editor):
    return schema_editor.connection.vendor == "postgresql"


def install_shortlists(apps, schema_editor):
    if is_postgres(schema_editor):
        for statement in SHORTLIST_INDEXES.values():
            schema_editor.execute(statement)


def uninstall_shortlists(apps, schema_editor):
    if is_postgres(schema_editor):
        for name in SHORTLIST_INDEXES:
            schema_editor.execute(f"DROP INDEX {name}")


def install_counts(apps, schema_editor):
    """The triggers, then the common words chosen and counted in the documents there
    are. The threshold is the operator's setting, read now, as a rebuild reads it."""
    if not is_postgres(schema_editor):
        return
    for statement in INSTALL_TRIGGERS:
        schema_editor.execute(statement)
    schema_editor.execute("DELETE FROM search_termcount")
    schema_editor.execute(f"SET LOCAL work_mem = '{COUNT_MEMORY}'")
    schema_editor.execute(CHOOSE_WORDS, [settings.SEARCH_COMMON_TERM_DOCUMENTS])
    schema_editor.execute(ADD_COUNTS.format(sign=1, documents=TABLE))


def uninstall_counts(apps, schema_editor):
    if is_postgres(schema_editor):
        for statement in UNINSTALL_TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0005_vector_in_row")]

    operations = [
        migrations.CreateModel(
            name="TermCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("lexeme", models.TextField(verbose_name="lexeme")),
                ("key", models.CharField(blank=True, max_length=200, verbose_name="key")),
                ("documents", models.IntegerField(verbose_name="documents")),
            ],
            options={
                "verbose_name": "term count",
                "verbose_name_plural": "term counts",
                "ordering": ["lexeme", "key"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("lexeme", "key"), name="search_termcount_unique_key"
                    )
                ],
            },
        ),
        migrations.RunPython(install_shortlists, uninstall_shortlists),
        migrations.RunPython(install_counts, uninstall_counts),
    ]
