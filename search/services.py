"""Search, facet counts and the timeline over the index, in a fixed number of queries
whatever the number of results (pinned in tests/test_search.py, test_api_search.py and
test_search_common_terms.py).

search() is the one way in: the /search/ page, the API's `?q=` and the admin's search
box each build a Search with it and read the part they need (a results page, or the
entries of a queryset that match). Most of what follows serves Search.page();
timeline() serves /timeline/."""

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connections, router
from django.db.models import F
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from core.models import Country, Theme
from core.pagination import count_up_to
from core.registry import registry
from search import parsing
from search.backends import SHORTLISTS
from search.indexing import key_for
from search.models import IndexState, SearchDocument, SearchFacet, TermCount
from search.querysets import (
    MARK_END,
    MARK_START,
    ORDER_SQL,
    indexed_matches_exceed,
    is_postgres,
    spelling_corrections,
)

FACET_LIMIT = 12
# A search is counted and ranked once per state of the index; its first ten pages
# are then read by id. Any write to the index changes the key (IndexState).
CACHED_RESULTS = 200
# SQLite: a page beyond the first CACHED_RESULTS, asked before its search is cached,
# has its ids counted with the rest (up to this many), rather than ranking every match
# twice, once to count and once for the page.
DEEP_RESULTS = 2000
CACHE_SECONDS = 600
# SQLite ranks a search in the scan that matches it, computing bm25 for every match.
# On the benchmark corpus that costs about RANK_ROW_COST + 1 units a match for a query
# of one phrase and one unit more for each further phrase, a unit being about 0.12 µs
# (bench/RESULTS.md, "Too many to rank"). A search whose ranking would cost more than
# RANKING_BUDGET units (about 0.2 s there) is counted in full but not ranked: its
# matches are listed newest first, and the page says so. PostgreSQL ranks every search
# (its common words come from shortlists; a statement timeout bounds the rest).
RANK_ROW_COST = 5
RANKING_BUDGET = 1_600_000
SNIPPET_WORDS = 40
CJK_CONTEXT = 40


def highlight(text):
    """Editors' text as safe HTML: escaped first, then our markers become <mark>."""
    if not text:
        return ""
    marked = escape(text).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(marked)  # noqa: S308 (escaped on the line above)


def substring_snippet(text, runs):
    """A window of the original text around the first Chinese (or other CJK) run."""
    for run in runs:
        at = text.find(run)
        if at >= 0:
            start, end = max(0, at - CJK_CONTEXT), at + len(run) + CJK_CONTEXT
            window = text[start:end].replace(run, f"{MARK_START}{run}{MARK_END}")
            return ("…" if start else "") + window + ("…" if end < len(text) else "")
    return ""


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Facet:
    name: str
    label: str
    values: list = field(default_factory=list)


@dataclass
class SearchOutcome:
    page_obj: object
    facets: list
    total: int
    approximate: bool = False  # near misses shown because nothing matched exactly
    results: list = field(default_factory=list)
    unranked: bool = False  # too many matches to rank: listed newest first


# The index's own filters (SearchDocumentQuerySet.with_facets): none chosen.
NO_FILTERS = {"entry_type": None, "year": None, "facets": ()}


def search(*, text, filters=None, include_drafts=False):
    """A search of the index for `text` as a reader or editor typed it (normalised
    and parsed here, so every caller reads the same syntax the same way), narrowed by
    the index's own `filters` (NO_FILTERS' keys). Published documents only, unless
    `include_drafts`: the admin's search box, for editors."""
    query = parsing.parse(parsing.normalise(text)[0])
    filters = {**NO_FILTERS, **(filters or {})}
    filters["facets"] = tuple(filters["facets"])
    return Search(query=query, filters=filters, include_drafts=include_drafts)


@dataclass(frozen=True)
class Search:
    """What was asked of the index (search()); each method answers it one way."""

    query: parsing.Query
    filters: dict
    include_drafts: bool = False

    def documents(self):
        """The matching documents, narrowed by the filters. With no words, every
        document the filters allow (browsing by facets, as /search/ does)."""
        return filtered(self.query, self.filters, include_drafts=self.include_drafts)

    def entries(self, queryset):
        """The entries of `queryset`, whose model is an indexed entry type, that have a
        matching document: a subquery, so the caller's filters, order and pagination
        stay its own and cost no extra query."""
        key = key_for(queryset.model)
        if key is None:
            raise ValueError(f"{queryset.model._meta.label} is not in the search index.")
        matching = self.documents().filter(entry_type=key).values("object_id")
        return queryset.filter(pk__in=matching)

    def page(self, *, selected, sort, page_number, per_page=None):
        """One page of ranked, highlighted results with facet counts: /search/."""
        if self.include_drafts:
            raise ValueError("A results page is public: it shows published documents only.")
        query, filters = self.query, self.filters
        per_page = per_page or settings.PAGE_SIZE
        matches = find(query, filters, sort, first=results_to_order(page_number, per_page))
        order = "date" if matches.unranked else sort
        results = RankedResults(matches, lambda: ranked(query, filters, matches).in_order(order))
        paginator = Paginator(results, per_page, orphans=ORPHANS)
        page = paginator.get_page(page_number)
        # Near misses by trigrams share no word with the query, so nothing is marked.
        highlight_query = matches.corrected if matches.approximate else query
        documents = present(page.object_list, highlight_query)
        facets = facet_lists(matches, selected)
        return SearchOutcome(
            page,
            facets,
            matches.total,
            matches.approximate,
            documents,
            unranked=matches.unranked and sort == "relevance",
        )


ORPHANS = 3


def results_to_order(page_number, per_page):
    """How many first results a new search orders: CACHED_RESULTS, or on SQLite enough
    for the page asked, up to DEEP_RESULTS."""
    try:
        wanted = int(page_number) * per_page + ORPHANS
    except (TypeError, ValueError):
        return CACHED_RESULTS
    if is_postgres() or wanted > DEEP_RESULTS:
        return CACHED_RESULTS
    return max(CACHED_RESULTS, wanted)


def chosen_filters(selected, facets):
    """The chosen facets as chips: the facet's name and the value's label."""
    labels = {
        (facet.name, option.value): (facet.label, option.label)
        for facet in facets
        for option in facet.values
    }
    facet_names = {facet.name: facet.label for facet in facets}
    chips = []
    for name, value in selected.items():
        facet_label, label = labels.get((name, str(value)), (facet_names.get(name, name), value))
        chips.append({"name": name, "facet_label": facet_label, "label": label})
    return chips


def filtered(query, filters, *, include_drafts=False):
    """Published documents (or all, with drafts) matching the query and every chosen
    facet."""
    documents = (
        SearchDocument.objects.all() if include_drafts else SearchDocument.objects.published()
    )
    if not query.is_empty:
        documents = documents.matching(query)
    return documents.with_facets(**filters)


# The first results are sorted under a LIMIT, which PostgreSQL does as a top-N heap
# sort keeping only the best {first}, rather than sorting and numbering every match.
# SQLite is told to compute the matches once (its default for a table expression
# used more than once, made explicit): bm25() is valid only in the scan that matched,
# so its query must never be merged into the counting ones.
COUNT_SQL = """
    WITH matches (id, entry_type, year, date, rank, facet_keys) AS {materialized} ({matches})
    SELECT 'type', entry_type, year, COUNT(*) FROM matches GROUP BY entry_type, year
    UNION ALL
    {facet_counts}
    UNION ALL
    SELECT 'first', NULL, ROW_NUMBER() OVER (ORDER BY {order}), id FROM (
        SELECT id, date, rank FROM matches ORDER BY {order} LIMIT {first}
    ) AS first_results
"""
# Counts by "kind:value": PostgreSQL splits the keys of the rows it has read. SQLite,
# which has no function to split a string, counts the rows of each set of keys, which
# count_matches splits: a few thousand sets for 225,000 matches on the benchmark
# corpus, where joining their 840,000 facet rows took five times as long.
FACET_COUNTS_SQL = {
    "postgresql": """
        SELECT 'facet', facet_key, NULL, COUNT(*) FROM (
            SELECT unnest(string_to_array(facet_keys, ' ')) AS facet_key FROM matches
        ) AS keys GROUP BY facet_key
    """,
    "sqlite": """
        SELECT 'facet_keys', facet_keys, NULL, COUNT(*) FROM matches GROUP BY facet_keys
    """,
}


@dataclass
class Matches:
    """What a search finds, counted once per state of the index and then cached:
    the total, the counts of every facet value, and the order of the first results.

    `approximate` is set when nothing matched exactly and near misses are shown;
    `corrected` is then the respelled query (SQLite) that found them. `unranked` is
    set when there were too many matches to rank (ranking_fits): the first ids are then
    newest first, whatever the sort asked."""

    total: int = 0
    by_type: dict = field(default_factory=dict)
    by_year: dict = field(default_factory=dict)
    # {kind: {stored value: count}}
    by_value: dict = field(default_factory=lambda: {kind: {} for kind in SearchFacet.Kind.values})
    first_ids: list = field(default_factory=list)
    approximate: bool = False
    corrected: object = None
    unranked: bool = False

    def count_type(self, entry_type, year, count):
        self.total += count
        self.by_type[entry_type] = self.by_type.get(entry_type, 0) + count
        if year:
            self.by_year[year] = self.by_year.get(year, 0) + count

    def count_facet(self, key, count):
        """`key` is "kind:value", as in SearchDocument.facet_keys."""
        kind, value = key.split(":", 1)
        self.by_value[kind][value] = count

    def count_facet_keys(self, keys, count):
        """`keys` is a document's SearchDocument.facet_keys, which `count` matches share."""
        for key in (keys or "").split():
            kind, value = key.split(":", 1)
            self.by_value[kind][value] = self.by_value[kind].get(value, 0) + count


def count_matches(documents, sort, first=None):
    """Counts by type and year and by facet value, and the ids of the `first`
    (CACHED_RESULTS unless given) results in `sort` order, in one query over documents
    annotated with `rank`. The matches are found once, in a common table expression
    used three times (both PostgreSQL and SQLite compute it once), so the text is
    matched and the table read once, where separate counting and ranking queries
    would each do both."""
    matching = documents.order_by().values("id", "entry_type", "year", "date", "rank", "facet_keys")
    sql, params = matching.query.sql_with_params()
    # Django compiled the inner query, and every value in it is a parameter.
    counting = COUNT_SQL.format(
        materialized="" if is_postgres() else "MATERIALIZED",
        matches=sql,
        facet_counts=FACET_COUNTS_SQL["postgresql" if is_postgres() else "sqlite"],
        order=ORDER_SQL[sort],
        first=int(first or CACHED_RESULTS),
    )
    # On the connection the queryset reads from (a read replica, where there is one).
    with connections[documents.db].cursor() as cursor:
        cursor.execute(counting, params)
        rows = cursor.fetchall()
    matches = Matches()
    ordered = []
    for row_kind, value, number, count in rows:
        if row_kind == "first":
            ordered.append((number, count))  # (position, id)
        elif row_kind == "type":
            matches.count_type(value, number, count)
        elif row_kind == "facet_keys":
            matches.count_facet_keys(value, count)
        else:
            matches.count_facet(value, count)
    matches.first_ids = [pk for _, pk in sorted(ordered)]
    return matches


def counted_from_terms(query, filters, sort):
    """What a search for one common word finds, with no facet chosen: the counts kept
    for that word (search.common_terms), and its first results. None for any other
    search, which count_matches counts from the rows it matches."""
    if not is_postgres() or not query.has_words or query.cjk or any(filters.values()):
        return None
    # A count falls to 0, and stays, once its documents are gone.
    counts = TermCount.objects.of_word(query).filter(documents__gt=0).counts()
    if not counts.pop("", 0):
        return None
    matches = Matches()
    for key, count in counts.items():
        if key.startswith("type:"):
            _, entry_type, year = key.split(":")
            matches.count_type(entry_type, int(year) if year else None, count)
        else:
            matches.count_facet(key, count)
    matches.first_ids = first_ids(query, sort)
    return matches


def first_ids(query, sort):
    """The ids of the first CACHED_RESULTS matches of a one-word query, in `sort` order.

    By date, from the dated matches, newest first, when there are enough: the index on
    the date gives them in order, and the undated, which come last, are not read.

    By relevance, from a shortlist when it has enough of them. With
    ts_rank's default weights, a word in a document's title ranks it at least 0.61,
    in its keywords but not its title 0.24 to 0.40, in its text only at most 0.20:
    the title's positions come first in the vector, and ts_rank counts the first of
    the heaviest weight in full. So when the titles (or the titles and keywords) hold
    CACHED_RESULTS matches, those are the first of all, and the thousands of matches
    in the text alone need not be read."""
    documents = SearchDocument.objects.published().ranked(query)
    if sort == "date":
        # DESC without NULLS LAST, as the index has it: no date is null here.
        dated = documents.matching(query).filter(date__isnull=False)
        candidates = [dated.order_by(F("date").desc(), "-rank", "id")]
    else:
        candidates = [documents.shortlisted(query, name).in_order(sort) for name in SHORTLISTS]
    for candidate in candidates:
        ids = list(candidate.values_list("id", flat=True)[:CACHED_RESULTS])
        if len(ids) == CACHED_RESULTS:
            return ids
    ranked = documents.matching(query).in_order(sort)
    return list(ranked.values_list("id", flat=True)[:CACHED_RESULTS])


def facet_lists(matches, selected):
    """The facets to show, with labels, chosen values first, then by count."""
    facets = [
        Facet(
            "type",
            _("Type"),
            [
                FacetValue(t.key, t.label, matches.by_type[t.key], selected.get("type") == t.key)
                for t in registry.all()
                if matches.by_type.get(t.key)
            ],
        ),
        Facet(
            "year",
            _("Year"),
            [
                FacetValue(str(year), str(year), count, str(selected.get("year")) == str(year))
                for year, count in sorted(matches.by_year.items(), reverse=True)
            ],
        ),
    ]
    labels = facet_labels(matches.by_value)
    for name, label in (("theme", _("Theme")), ("country", _("Country")), ("tag", _("Tag"))):
        values = [
            FacetValue(labels[name][value][0], labels[name][value][1], count)
            for value, count in matches.by_value[name].items()
            if value in labels[name]
        ]
        for value in values:
            value.selected = selected.get(name) == value.value
        values.sort(key=lambda v: (not v.selected, -v.count, v.label))
        facets.append(Facet(name, label, values[:FACET_LIMIT]))
    return facets


def facet_labels(grouped):
    """{kind: {stored value: (value in the URL, label)}}."""
    labels = {"theme": {}, "country": {}, "tag": {}}
    if grouped["theme"]:
        for pk, slug, name in Theme.objects.filter(pk__in=grouped["theme"]).values_list(
            "pk", "slug", "name"
        ):
            labels["theme"][str(pk)] = (slug, name)
    if grouped["country"]:
        codes = [code.upper() for code in grouped["country"]]
        for code, name in Country.objects.filter(code__in=codes).values_list("code", "name"):
            labels["country"][code.lower()] = (code.lower(), name)
    if grouped["tag"]:
        for slug, name in Tag.objects.filter(slug__in=grouped["tag"]).values_list("slug", "name"):
            labels["tag"][slug] = (slug, name)
    return labels


def ranked(query, filters, matches):
    """The matches in relevance order (or the near misses, if that is what was
    found). A queryset, read only for pages beyond the cached first results."""
    if matches.approximate and matches.corrected is None:
        return SearchDocument.objects.published().similar_titles(query).with_facets(**filters)
    query = matches.corrected or query
    if matches.unranked:
        return filtered(query, filters).unranked()
    return filtered(query, filters).ranked(query)


def near_misses(query, filters, sort):
    """When no entry contains the words: titles similar by trigrams on PostgreSQL, the
    closest indexed spellings on SQLite. Returns Matches (approximate) or None."""
    if not query.is_plain or query.cjk:
        return None
    if is_postgres():
        documents = SearchDocument.objects.published().similar_titles(query)
        found = count_matches(documents.with_facets(**filters), sort)
    else:
        corrections = spelling_corrections(query.words(), using=router.db_for_read(SearchDocument))
        if not corrections:
            return None
        corrected = query.replacing(corrections)
        found = counted(corrected, filters, sort)
        found.corrected = corrected
    found.approximate = True
    return found if found.total else None


def find(query, filters, sort, first=None):
    """Count and order what a search finds (Matches), or take it from the cache,
    where it is filed under the index's current state: any write to the index
    files later searches under a new key. A new search orders its `first` results.
    A cached one may hold fewer: pages beyond them read the ranked query."""
    key = (
        "search:"
        + hashlib.sha256(
            repr((IndexState.objects.token(), query.groups, query.cjk, filters, sort)).encode()
        ).hexdigest()
    )
    matches = cache.get(key)
    if matches is None:
        matches = counted_from_terms(query, filters, sort) or counted(query, filters, sort, first)
        if matches.total == 0:
            matches = near_misses(query, filters, sort) or matches
        cache.set(key, matches, CACHE_SECONDS)
    return matches


def counted(query, filters, sort, first=None):
    """count_matches() of the search, ranked when ranking_fits(), else newest first."""
    documents = filtered(query, filters)
    if ranking_fits(query, documents):
        return count_matches(documents.ranked(query), sort, first)
    matches = count_matches(documents.unranked(), "date", first)
    matches.unranked = True
    return matches


def ranking_fits(query, documents):
    """Whether ranking the search's matches (`documents`) keeps within RANKING_BUDGET.
    Always on PostgreSQL. On SQLite, counts that stop at the most that fit: of the
    full-text index alone (a few milliseconds), and only if that holds more, of the
    published documents the filters allow."""
    if is_postgres() or not query.has_words:
        return True
    phrases = sum(len(group) for group in query.groups)
    most = RANKING_BUDGET // (RANK_ROW_COST + phrases)
    if not indexed_matches_exceed(query, most, using=documents.db):
        return True
    return count_up_to(documents, most + 1) <= most


class RankedResults:
    """The ordered results as the paginator reads them: their number as counted, the
    first CACHED_RESULTS by their cached ids, pages beyond by the ranked query."""

    def __init__(self, matches, ranked_queryset):
        self.matches = matches
        self.ranked_queryset = ranked_queryset

    def __len__(self):
        return self.matches.total

    def __getitem__(self, window):
        first_ids = self.matches.first_ids
        if window.stop is not None and window.stop <= len(first_ids):
            ids = first_ids[window]
            documents = SearchDocument.objects.in_bulk(ids)
            return [documents[pk] for pk in ids if pk in documents]
        return list(self.ranked_queryset()[window])


@dataclass
class Result:
    document: SearchDocument
    entry_type: object
    title: str
    snippet: str
    themes: list


def present(documents, query):
    """What a result shows: highlighted title and snippet, and the themes (at most 3
    queries).
    With no query (near misses on PostgreSQL) the snippet is the text's beginning."""
    documents = list(documents)
    ids = [document.pk for document in documents]
    marked = SearchDocument.objects.highlighted(query, ids) if query else {}
    themes = themes_of(ids)
    results = []
    for document in documents:
        title, snippet = marked.get(document.pk, (document.title, ""))
        if query and MARK_START not in snippet:
            snippet = substring_snippet(document.original, query.cjk) or snippet
        if not snippet:
            snippet = Truncator(document.body).words(SNIPPET_WORDS)
        results.append(
            Result(
                document,
                registry.get(document.entry_type),
                highlight(title),
                highlight(snippet),
                themes.get(document.pk, []),
            )
        )
    return results


def themes_of(document_ids):
    """{document id: [Theme]} for the themes filed directly on each document."""
    if not document_ids:
        return {}
    pairs = list(
        SearchFacet.objects.filter(
            document__in=document_ids, kind=SearchFacet.Kind.THEME, direct=True
        ).values_list("document_id", "value")
    )
    if not pairs:
        return {}
    themes = Theme.objects.in_bulk([int(value) for _, value in pairs])
    found = {}
    for document_id, value in pairs:
        if int(value) in themes:
            found.setdefault(document_id, []).append(themes[int(value)])
    return found


def timeline(*, filters):
    """Dated public entries of the types on the timeline, oldest first. Provisions
    and findings take their parent's date, so they would only repeat it; their types
    leave them off."""
    documents = SearchDocument.objects.published().filter(
        date__isnull=False, entry_type__in=[t.key for t in registry.on_timeline()]
    )
    return documents.with_facets(**filters).order_by("date", "id")
