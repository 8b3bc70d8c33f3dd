"""Search, facet counts and the timeline over the index, in a fixed number of queries
whatever the number of results (pinned by tests/test_search_queries.py)."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from core.catalog import ENTRY_TYPES, ENTRY_TYPES_BY_KEY
from core.models import Country, Theme
from search.models import SearchDocument, SearchFacet
from search.querysets import MARK_END, MARK_START, is_postgres, spelling_corrections

FACET_LIMIT = 12
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


class KnownCountPaginator(Paginator):
    """A paginator told its count, which the facet query has already found."""

    def __init__(self, *args, count, **kwargs):
        super().__init__(*args, **kwargs)
        self.count = count


def filtered(query, filters):
    """Published documents matching the query and every chosen facet."""
    documents = SearchDocument.objects.published()
    if not query.is_empty:
        documents = documents.matching(query)
    return documents.with_facets(**filters)


def count_facets(documents, selected):
    """Counts of type, year, theme, country and tag over `documents`: two grouped
    queries and one label look-up per kind of facet that has values."""
    by_type, by_year, total = {}, {}, 0
    for row in documents.order_by().values("entry_type", "year").annotate(n=Count("id")):
        total += row["n"]
        by_type[row["entry_type"]] = by_type.get(row["entry_type"], 0) + row["n"]
        if row["year"]:
            by_year[row["year"]] = by_year.get(row["year"], 0) + row["n"]
    grouped = {kind: {} for kind in SearchFacet.Kind.values}
    if total:
        rows = (
            SearchFacet.objects.filter(document__in=documents.order_by().values("id"))
            .values("kind", "value")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            grouped[row["kind"]][row["value"]] = row["n"]
    facets = [
        Facet(
            "type",
            _("Type"),
            [
                FacetValue(t.key, t.label, by_type[t.key], selected.get("type") == t.key)
                for t in ENTRY_TYPES
                if by_type.get(t.key)
            ],
        ),
        Facet(
            "year",
            _("Year"),
            [
                FacetValue(str(year), str(year), count, str(selected.get("year")) == str(year))
                for year, count in sorted(by_year.items(), reverse=True)
            ],
        ),
    ]
    labels = facet_labels(grouped)
    for name, label in (("theme", _("Theme")), ("country", _("Country")), ("tag", _("Tag"))):
        values = [
            FacetValue(labels[name][value][0], labels[name][value][1], count)
            for value, count in grouped[name].items()
            if value in labels[name]
        ]
        for value in values:
            value.selected = selected.get(name) == value.value
        values.sort(key=lambda v: (not v.selected, -v.count, v.label))
        facets.append(Facet(name, label, values[:FACET_LIMIT]))
    return facets, total


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


def near_misses(query, filters):
    """When no entry contains the words: titles similar by trigrams on PostgreSQL, the
    closest indexed spellings on SQLite. Returns (ranked documents, query to
    highlight with) or None."""
    if not query.is_plain or query.cjk:
        return None
    if is_postgres():
        documents = SearchDocument.objects.published().similar_titles(query)
        return documents.with_facets(**filters), None
    corrections = spelling_corrections(query.words())
    if not corrections:
        return None
    corrected = query.replacing(corrections)
    return filtered(corrected, filters).ranked(corrected), corrected


def search(*, query, filters, selected, sort, page_number, per_page=None):
    """One page of results for a parsed query and chosen facets, with facet counts."""
    documents = filtered(query, filters)
    facets, total = count_facets(documents, selected)
    ranked, highlight_query, approximate = documents.ranked(query), query, False
    if total == 0:
        near = near_misses(query, filters)
        if near is not None:
            near_facets, near_total = count_facets(near[0], selected)
            if near_total:
                facets, total, approximate = near_facets, near_total, True
                ranked, highlight_query = near
    paginator = KnownCountPaginator(
        ranked.in_order(sort), per_page or settings.PAGE_SIZE, orphans=3, count=total
    )
    page = paginator.get_page(page_number)
    results = present(page.object_list, highlight_query)
    return SearchOutcome(page, facets, total, approximate, results)


@dataclass
class Result:
    document: SearchDocument
    entry_type: object
    title: str
    snippet: str
    themes: list


def present(documents, query):
    """What a result shows: highlighted title and snippet, and the themes (3 queries).
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
                ENTRY_TYPES_BY_KEY.get(document.entry_type),
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


TIMELINE_TYPES = ("directives", "agreements", "mechanisms", "sources")


def timeline(*, filters):
    """Dated public entries, oldest first. Provisions and findings take their
    parent's date, so they would only repeat it; the timeline leaves them out."""
    documents = SearchDocument.objects.published().filter(
        date__isnull=False, entry_type__in=TIMELINE_TYPES
    )
    return documents.with_facets(**filters).order_by("date", "id")
