"""Full-text matching and ranking over the index, one method per question, each
branching on the database inside (STYLE.md 9): PostgreSQL answers with the stored
tsvector (websearch_to_tsquery, ts_rank, ts_headline) and pg_trgm; SQLite with FTS5
(MATCH, bm25, highlight, snippet) and its vocabulary table."""

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import BooleanField, Exists, F, FloatField, Func, Lookup, OuterRef, Value
from django.db.models.expressions import RawSQL

# Highlight markers: core.text keeps them out of the indexed text, so every marker in
# a snippet is ours; search.services.highlight() escapes the snippet first and only
# then turns the markers into <mark>.
from core.models import synthetic_is_public
from core.text import MARK_END, MARK_START
from search.backends import SHORTLISTS

TS_QUERY = "websearch_to_tsquery('english', %s)"
# Titles weigh most (A), then headings, names and tags (B), then the text (C).
FTS5_WEIGHTS = (10.0, 4.0, 1.0)
# word_similarity above which a title counts as a near miss: "resuce teams" scores
# 0.53 against "Care and support for rescue teams", a title sharing only "teams" 0.46.
TRIGRAM_THRESHOLD = 0.5
SNIPPET_WORDS = 32
# in_order() again, in SQL over columns named id, date and rank (the counting query's
# matches, search.services.COUNT_SQL). "date IS NULL" puts undated rows last on both
# databases.
ORDER_SQL = {
    "date": "(date IS NULL), date DESC, rank DESC, id",
    "relevance": "rank DESC, (date IS NULL), date DESC, id",
}


def is_postgres():
    return connection.vendor == "postgresql"


class Match(Lookup):
    """SQLite: `full_text__index__match=expression`, FTS5's MATCH on the table the
    join gave, by its alias. Registered on that one field (search.models.FullTextRow)."""

    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class BM25(Func):
    """SQLite: FTS5's bm25() of the row being matched, with the column weights. It
    reads the statistics of the scan that matched that row, so it is valid only in
    the query (and the FROM) whose MATCH found it."""

    function = "bm25"
    output_field = FloatField()

    def __init__(self, index, weights):
        super().__init__(index, *(Value(float(weight)) for weight in weights))


class SearchDocumentQuerySet(models.QuerySet):
    def published(self):
        """Every public path reads the index through this: drafts are indexed too,
        so that editors can search them in the admin, but never shown. A synthetic
        entry's document is left out unless synthetic data is public now, whatever
        the setting was when it was indexed (core.models.Publishable)."""
        queryset = self.filter(is_published=True)
        if not synthetic_is_public():
            queryset = queryset.filter(is_synthetic=False)
        return queryset

    def matching(self, query):
        """Documents that contain the query: its words by full text (stemmed),
        its Chinese/Japanese/Korean runs as substrings of the original text."""
        queryset = self
        if query.has_words:
            if is_postgres():
                queryset = queryset.filter(
                    RawSQL(f"search_vector @@ {TS_QUERY}", [query.websearch()], BooleanField())
                )
            else:
                # A join, not a subquery: ranked() then takes bm25 from this one scan
                # of the FTS5 index, which drives the join (tests/test_search_sqlite.py).
                queryset = queryset.filter(full_text__index__match=query.fts5())
        for run in query.cjk:
            # On PostgreSQL a trigram GIN index serves this LIKE.
            queryset = queryset.filter(original__contains=run)
        return queryset

    def shortlisted(self, query, shortlist):
        """PostgreSQL: documents with the query's words in their titles ("titles") or in
        their titles or keywords ("headings"), by the GIN index on those words."""
        vector = SHORTLISTS[shortlist]
        return self.filter(RawSQL(f"{vector} @@ {TS_QUERY}", [query.websearch()], BooleanField()))

    def ranked(self, query):
        """Annotate `rank`, higher for a better match; 0 when nothing is ranked.
        On SQLite, of a queryset already matching(query): the rank is bm25 of the
        FTS5 row that match joined, computed in the same scan."""
        if not query.has_words:
            return self.unranked()
        if is_postgres():
            rank = RawSQL(f"ts_rank(search_vector, {TS_QUERY})", [query.websearch()])
        else:
            rank = -BM25(F("full_text__index"), FTS5_WEIGHTS)
        return self.annotate(rank=models.ExpressionWrapper(rank, output_field=FloatField()))

    def unranked(self):
        """Annotate `rank` 0 for every document: matches left unranked, which
        in_order() then lists newest first."""
        return self.annotate(rank=Value(0.0, output_field=FloatField()))

    def similar_titles(self, query):
        """PostgreSQL: titles that nearly contain the words ("resuce teams"), by pg_trgm
        word similarity, as `rank`. The threshold is a setting of the connection."""
        text = " ".join(query.words())
        # Set on the connection this queryset reads from (a read replica, where
        # there is one), which is not always `default`.
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
                [str(TRIGRAM_THRESHOLD)],
            )
        return self.filter(RawSQL("%s <%% title", [text], BooleanField())).annotate(
            rank=RawSQL("word_similarity(%s, title)", [text], FloatField())
        )

    def with_facets(self, *, entry_type=None, year=None, facets=()):
        """Narrow to one type and year and to documents having every (kind, value)."""
        from search.models import SearchFacet

        queryset = self
        if entry_type:
            queryset = queryset.filter(entry_type=entry_type)
        if year:
            queryset = queryset.filter(year=year)
        if facets and is_postgres():
            # The keys on the row the text match has read already: a test in memory
            # for each match, where a facet row for each would be looked up or joined.
            keys = [f"{kind}:{value}" for kind, value in facets]
            return queryset.filter(
                RawSQL("string_to_array(facet_keys, ' ') @> %s::text[]", [keys], BooleanField())
            )
        for kind, value in facets:
            queryset = queryset.filter(
                Exists(SearchFacet.objects.filter(document=OuterRef("pk"), kind=kind, value=value))
            )
        return queryset

    def in_order(self, sort):
        newest = F("date").desc(nulls_last=True)
        if sort == "date":
            return self.order_by(newest, "-rank", "id")
        return self.order_by("-rank", newest, "id")

    def highlighted(self, query, ids):
        """{document id: (title, snippet)} with MARK_START/MARK_END around matches,
        for the documents of one result page only."""
        if not query.has_words or not ids:
            return {}
        if is_postgres():
            options = (
                f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, "
                'MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'
            )
            ts_query = query.websearch()
            rows = (
                self.model.objects.filter(id__in=ids)
                .annotate(
                    marked_title=RawSQL(
                        f"ts_headline('english', title, {TS_QUERY}, %s)",
                        [ts_query, f"HighlightAll=true, {options}"],
                    ),
                    marked_body=RawSQL(
                        f"ts_headline('english', body, {TS_QUERY}, %s)", [ts_query, options]
                    ),
                )
                .values_list("id", "marked_title", "marked_body")
            )
            return {pk: (title, body) for pk, title, body in rows}
        placeholders = ", ".join(["%s"] * len(ids))
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                "SELECT rowid, highlight(search_fts, 0, %s, %s), "
                f"snippet(search_fts, 2, %s, %s, '…', {SNIPPET_WORDS}) "
                f"FROM search_fts WHERE search_fts MATCH %s AND rowid IN ({placeholders})",
                [MARK_START, MARK_END, MARK_START, MARK_END, query.fts5(), *ids],
            )
            return {pk: (title, body) for pk, title, body in cursor.fetchall()}


def indexed_matches_exceed(query, count, using=DEFAULT_DB_ALIAS):
    """SQLite: whether more than `count` rows of the full-text index, drafts and all,
    match the query's words. Reads at most count + 1 of them, from the index alone."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH %s LIMIT %s)",
            [query.fts5(), count + 1],
        )
        return cursor.fetchone()[0] > count


# PostgreSQL: the one lexeme a query comes to ("the earthquakes" is 'earthquak'), and
# no row for more (several words, a phrase, an exclusion) or none. A one-lexeme
# tsquery's text is that lexeme quoted as a tsvector's would be, so a cast reads it.
ONE_LEXEME = (
    f"SELECT (tsvector_to_array(q::text::tsvector))[1] FROM {TS_QUERY} AS q WHERE numnode(q) = 1"
)


class TermCountQuerySet(models.QuerySet):
    def of_word(self, query):
        """PostgreSQL: the counts of the one word a search is for, if it is one word."""
        return self.filter(lexeme=RawSQL(ONE_LEXEME, [query.websearch()]))

    def counts(self):
        """{key: documents}."""
        return dict(self.values_list("key", "documents"))


def edit_distance(a, b):
    """Optimal-string-alignment distance: insertions, deletions, substitutions and
    swaps of neighbours ("resuce" is one swap and one deletion from "rescue")."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            current[j] = min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)
            )
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


# Spelling suggestions on SQLite read the vocabulary by ranges of words (fts5vocab
# counts a word's documents by reading its whole list of them, so reading all of it
# took seconds on the benchmark corpus): at most this many unknown words are
# respelled in one search, each from at most MAX_CANDIDATES indexed words of each of
# three ranges. A search with more unknown words than that is not a typo, and gets
# no suggestion.
MAX_CORRECTED_WORDS = 3
MAX_CANDIDATES = 400


def unknown_words(words, using=DEFAULT_DB_ALIAS):
    """SQLite: the words (at most MAX_CORRECTED_WORDS + 1 of them) that no indexed
    document contains, in one query."""
    words = list(dict.fromkeys(words))
    if not words:
        return []
    found = ", ".join(["EXISTS (SELECT 1 FROM search_fts WHERE search_fts MATCH %s)"] * len(words))
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT {found}", [f'"{word}"' for word in words])
        known = cursor.fetchone()
    unknown = [word for word, exists in zip(words, known, strict=True) if not exists]
    return unknown[: MAX_CORRECTED_WORDS + 1]


def spellings_of(word):
    """The word as typed, with its first two letters swapped ("ersuce"), and without its
    second letter ("rsecue", "rxescue"): an indexed word near it begins with the first
    two letters of one of these."""
    found = [word, word[1::-1] + word[2:]]
    if len(word) > 2:
        found.append(word[0] + word[2:])
    return list(dict.fromkeys(found))


# The candidates of a range that begin most like the word come first, then those of
# the nearest length: when a range holds more than MAX_CANDIDATES words, the cap
# keeps the likeliest ("rescu" for "resuce", among hundreds of words in "re").
CANDIDATES_SQL = """
    SELECT * FROM (
        SELECT %s, term, doc FROM search_fts_vocab
        WHERE term >= %s AND term < %s AND length(term) BETWEEN max(3, %s - 4) AND %s + 4
        ORDER BY (substr(term, 1, 3) = substr(%s, 1, 3)) + (substr(term, 1, 4) = substr(%s, 1, 4))
            + (substr(term, 1, 5) = substr(%s, 1, 5)) DESC, abs(length(term) - %s), term
        LIMIT %s
    )
"""


def candidate_terms(words, using=DEFAULT_DB_ALIAS):
    """SQLite: {word: [(indexed word, documents)]}, read from the vocabulary table in
    one query: the words that begin with the first two letters of one of the word's
    spellings_of, at most MAX_CANDIDATES of each."""
    selects, params, owners = [], [], []
    for word in words:
        for spelling in spellings_of(word):
            start = spelling[:2]
            end = start[:-1] + chr(ord(start[-1]) + 1)
            selects.append(CANDIDATES_SQL)
            length = len(spelling)
            params += [len(owners), start, end, length, length, *[spelling] * 3, length]
            params.append(MAX_CANDIDATES)
            owners.append(word)
    candidates = {word: [] for word in words}
    if not selects:
        return candidates
    with connections[using].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        for owner, term, documents in cursor.fetchall():
            candidates[owners[owner]].append((term, documents))
    return candidates


def spelling_corrections(words, using=DEFAULT_DB_ALIAS):
    """SQLite, which has no trigram index: each unknown word replaced by the indexed
    word (a porter stem, such as "rescu") fewest edits away, the most common on a tie,
    among the indexed words that begin alike (candidate_terms). A word some document
    contains is left as it is; a search with more than MAX_CORRECTED_WORDS unknown
    words gets no corrections.

    The reader's word keeps its ending and the stem has lost it, so the word is also
    compared cut to the stem's length: "rescuing" and "resuce" both come to "rescu"."""
    unknown = unknown_words(words, using)
    if not unknown or len(unknown) > MAX_CORRECTED_WORDS:
        return {}
    corrections = {}
    for word, vocabulary in candidate_terms(unknown, using).items():
        allowed = 1 if len(word) <= 4 else 2
        best = None
        for term, documents in vocabulary:
            if abs(len(term) - len(word)) > 4:
                continue
            distance = edit_distance(word, term)
            if len(term) >= max(4, len(word) // 2):
                distance = min(
                    distance,
                    edit_distance(word[: len(term)], term),
                    edit_distance(word[: len(term) + 1], term),
                )
            if distance <= allowed and (best is None or (distance, -documents) < best[0]):
                best = ((distance, -documents), term)
        if best and best[1] != word:
            corrections[word] = best[1]
    return corrections
