"""Counts of common words (search.models.TermCount), PostgreSQL only.

A search for a word in a tenth of the corpus reads a tenth of the table to count its
facets: a GIN index gives the addresses of the matching rows, not their values. For
the common words, the counts are kept instead, and such a search reads a few hundred
rows of them (search.services.counted_from_terms).

A rebuild of the index chooses the words (`recount`): every lexeme in at least
settings.SEARCH_COMMON_TERM_DOCUMENTS published documents. From then on, statement
triggers on the documents' table add and take away the documents each INSERT, UPDATE
and DELETE writes, in the writing transaction, whatever wrote them (save, COPY, raw
SQL). A word that becomes common later is counted from the next rebuild; until then
its searches count their matches row by row, as every search does on SQLite.

The triggers and their function were made by migration 0006, which holds its own copy
of ADD_COUNTS: a change to it here needs a migration that replaces the function, or the
triggers and a recount would count differently (tests/test_search_common_terms.py
compares the two)."""

from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from search.backends import TABLE

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

# Memory for the recount's one aggregate (tens of millions of word-key pairs on the
# benchmark corpus), which the default (4 MB) would spill to disk.
RECOUNT_MEMORY = "256MB"


def is_counted(using=DEFAULT_DB_ALIAS):
    return connections[using].vendor == "postgresql"


def forget(using=DEFAULT_DB_ALIAS):
    with connections[using].cursor() as cursor:
        cursor.execute("DELETE FROM search_termcount")


def recount(using=DEFAULT_DB_ALIAS):
    """Choose the common words again and count them in every published document."""
    if not is_counted(using):
        return
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        forget(using)
        cursor.execute(f"SET LOCAL work_mem = '{RECOUNT_MEMORY}'")
        cursor.execute(CHOOSE_WORDS, [settings.SEARCH_COMMON_TERM_DOCUMENTS])
        cursor.execute(ADD_COUNTS.format(sign=1, documents=TABLE))


@contextmanager
def recounted(using=DEFAULT_DB_ALIAS):
    """Around a bulk write to the index: no words are counted while it writes (the
    triggers would count each of its rows), and they are chosen and counted again
    at its end, in one transaction, so that searches go on reading the old counts
    until the new ones are committed."""
    if not is_counted(using):
        yield
        return
    with transaction.atomic(using=using):
        forget(using)
        yield
        recount(using)
