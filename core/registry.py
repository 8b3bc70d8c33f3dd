"""The registry of entry types: every kind of entry the public can browse, declared
once, in its own app's `entry_types.py`, and registered from that app's
`AppConfig.ready()`.

A declaration carries every per-type hook (its card, how it is indexed, how it is
cited, whether it is on the timeline...), so that the search index, citations,
sitemaps, the home, theme and tag pages and the tests walk one list instead of
keeping tables of their own keyed by type. The kernel holds only the registry: it
imports no app, and the hooks are plain callables that the declaring app writes with
the helpers of the feature apps below it (search.documents, citations.items).

The relations whose changes reindex an entry are not declared: they are read off
the model (`link_fields`), so a many-to-many field added later cannot be missed.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connections, router
from django.db.models import Exists, F, OuterRef, Q
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItem

from core.import_spec import Importer


@dataclass(frozen=True, kw_only=True)
class EntryType:
    # The type's name in addresses, search filters, exports and the API ("directives").
    key: str
    label: str
    model_label: str
    # Where the type sits in every list of types (home, search facets, sitemaps).
    order: int
    # What a card of this type reads through foreign keys and many-to-many links.
    select_related: tuple = ()
    prefetch_related: tuple = ()
    # The foreign key to the entry this one is part of and published with ("directive"
    # for a provision); empty for entries with a publication of their own.
    parent: str = ""
    # Whether the timeline (/search/timeline/) shows entries of this type.
    on_timeline: bool = False
    # The entry's fields that its page's address names, by URL keyword: its address
    # and its citation downloads find it by them.
    url_fields: tuple = (("slug", "slug"),)
    # Whether an entry has a page of its own (and so a place in the sitemap); a
    # finding is read on its source's page.
    has_page: bool = True
    # (entry, links) -> the values of its search document (see search.documents).
    search_document: Callable
    # What search_document reads through foreign keys (joined) and the parents whose
    # title and address it repeats (prefetched, so children share one instance).
    search_select_related: tuple = ()
    search_prefetch_related: tuple = ()
    # Related names of entries whose search documents repeat something of this one's:
    # they are reindexed with it.
    repeated_by: tuple = ()
    # entry -> its CSL-JSON item without address or access date (see citations.items);
    # None for a type that is not cited on its own.
    csl_item: Callable | None = None
    # What its bulk-import files hold (core.import_spec.Importer; read by
    # editorial.importing); None for a type imported inline with its parent (provisions
    # come in their directive's row).
    importer: Importer | None = None

    @property
    def model(self):
        return apps.get_model(self.model_label)

    @property
    def card_template(self):
        return f"includes/cards/{self.key}.html"

    @property
    def own_publication(self):
        return not self.parent

    @property
    def citable(self):
        return self.csl_item is not None

    def published(self):
        """Published entries of this type, with what a card needs, in bounded queries."""
        return with_related(self.model.objects.published(), self.select_related).prefetch_related(
            "themes", *self.prefetch_related
        )

    def under_themes(self, theme_ids):
        return under_themes(self.model, theme_ids)

    def tagged(self, tag):
        return tagged(self.model, tag=tag)

    def owner(self, entry):
        """The entry that carries this one's publication and last change: its parent,
        or itself."""
        return getattr(entry, self.parent) if self.parent else entry

    def lookup(self, **url_kwargs):
        """The filter that finds an entry by the keywords of its page's address."""
        return {field: url_kwargs[keyword] for keyword, field in self.url_fields}

    def link_fields(self):
        """The model's many-to-many fields but tags (whose one shared table is watched
        on its own): a change to any of them changes what the entry's pages show."""
        return tuple(
            field.name
            for field in self.model._meta.many_to_many
            if not isinstance(field, TaggableManager)
        )


class EntryTypeRegistry:
    def __init__(self):
        self._by_key = {}
        self._by_model = {}

    def register(self, entry_type):
        if entry_type.key in self._by_key:
            raise ValueError(f"Entry type {entry_type.key!r} is registered twice.")
        self._by_key[entry_type.key] = entry_type
        self._by_model[entry_type.model_label.lower()] = entry_type

    def all(self):
        """Every registered type, in their declared order."""
        return sorted(self._by_key.values(), key=lambda entry_type: entry_type.order)

    def __iter__(self):
        return iter(self.all())

    def get(self, key):
        return self._by_key.get(key)

    def __getitem__(self, key):
        return self._by_key[key]

    def for_model(self, model):
        """The type of this model (a class or an instance), or None."""
        return self._by_model.get(model._meta.label_lower)

    def with_own_publication(self):
        return [entry_type for entry_type in self.all() if entry_type.own_publication]

    def on_timeline(self):
        return [entry_type for entry_type in self.all() if entry_type.on_timeline]


registry = EntryTypeRegistry()


def under_themes(model, theme_ids, *, correlated=True):
    """The filter for entries filed under any of these themes, as a semi-join rather
    than a join: with no DISTINCT to make, ORDER BY ... LIMIT walks the ordering's
    index and stops at the page's last row, where DISTINCT over a join sorted every
    entry under the theme first (PostgreSQL plans both forms alike).

    `correlated`: an EXISTS per entry, which SQLite runs along the list's order (the
    first ten of 200,000 provisions under a theme: 3 ms, where `IN (…)` read and
    sorted all of them, 0.2 s); otherwise `id IN (…)`, which SQLite reads from the
    theme's side, better to count a theme with few entries among many."""
    through = model.themes.through
    owner = model._meta.get_field("themes").m2m_field_name()
    links = through.objects.filter(theme_id__in=theme_ids)
    if correlated:
        return Exists(links.filter(**{owner: OuterRef("pk")}))
    return Q(pk__in=links.values(owner))


def tagged(model, **tag):
    """The filter for entries that carry the tag given as `tag=` or `tag__slug=`, as a
    correlated semi-join (see under_themes)."""
    items = TaggedItem.objects.filter(content_type=ContentType.objects.get_for_model(model), **tag)
    return Exists(items.filter(object_id=OuterRef("pk")))


def parent_address(parent):
    """parent.get_absolute_url(), asked once per instance: the children of one parent
    share its instance while they are indexed (see search_prefetch_related), and a
    reverse() for each of 200,000 provisions was a tenth of a bulk index."""
    if "_entry_address" not in parent.__dict__:
        parent._entry_address = parent.get_absolute_url()
    return parent._entry_address


def with_related(queryset, select_related=()):
    """queryset.select_related(*select_related), but only when there are fields to
    follow: with none, select_related() would join every non-null foreign key, and
    give each row its own copy of a shared parent."""
    return queryset.select_related(*select_related) if select_related else queryset


def latest_published(limit, **filters):
    """The most recently published entries of every type with a publication of its
    own, newest first, as (entry type, entry) pairs: one query per type (plus its
    prefetches).

    A published entry may have no publication time (loaddata, queryset.update() and
    make_synthetic leave it empty): such entries come after every dated one, by their
    last change, since nobody knows when they were published."""
    newest_first = (F("published_at").desc(nulls_last=True), "-updated_at", "-pk")
    latest = []
    for entry_type in registry.with_own_publication():
        queryset = entry_type.published().filter(**filters)
        if filters:
            queryset = queryset.distinct()
        latest.extend((entry_type, entry) for entry in queryset.order_by(*newest_first)[:limit])
    latest.sort(key=publication_order, reverse=True)
    return latest[:limit]


def publication_order(pair):
    entry = pair[1]
    dated = entry.published_at is not None
    return (dated, entry.published_at if dated else entry.updated_at)


# Entries of one type counted under a theme, at most: past it a count reads "or more".
# Counting every one of 200,000 provisions under a theme took 0.6 s a page; a capped
# count stops at its cap, so a page's counts cost the same whatever the corpus.
THEME_COUNT_CAP = 1000


@dataclass(frozen=True)
class ThemeCount:
    """Published entries under a theme: `count`, which is a floor when `capped` (a
    type had more than THEME_COUNT_CAP entries there)."""

    count: int
    capped: bool


# How long counts stay in the cache: they are filed under the public state, so this
# only bounds the memory (see count_by_theme).
THEME_COUNT_CACHE_SECONDS = 600


def count_by_theme(themes, entry_types=None):
    """{theme id: ThemeCount} of the published entries under each theme or its
    sub-themes, each entry counted once for a theme even when filed under two of its
    sub-themes.

    Kept in the cache under the public state's token (core.public_state), read before
    the counts: any committed write the public could see files later counts under a
    new key, so a count is never older than the data. Inside a transaction the counts
    may see writes that are not committed, which the token does not know of yet, so
    they are counted afresh and not kept."""
    themes = list(themes)
    if not themes:
        return {}
    entry_types = registry.all() if entry_types is None else list(entry_types)
    from core import public_state
    from core.models import Theme, synthetic_is_public

    alias = router.db_for_read(Theme)
    if connections[alias].in_atomic_block:
        return _count_by_theme(themes, entry_types)
    key = (
        "theme-counts:"
        + hashlib.sha256(
            repr(
                (
                    public_state.token(),
                    synthetic_is_public(),
                    [theme.pk for theme in themes],
                    [entry_type.key for entry_type in entry_types],
                )
            ).encode()
        ).hexdigest()
    )
    counts = cache.get(key)
    if counts is None:
        counts = _count_by_theme(themes, entry_types)
        cache.set(key, counts, THEME_COUNT_CACHE_SECONDS)
    return counts


def _count_by_theme(themes, entry_types):
    """count_by_theme, counted: one query, whatever the number of entries, themes or
    types. For each theme and type a count of at most THEME_COUNT_CAP + 1 entries, all
    of them joined in one UNION ALL (a query a type was six round trips for the home
    page)."""
    from core.models import Theme

    subtree = Theme.subtree_map()
    totals = {theme.pk: 0 for theme in themes}
    capped = set()
    parts = {}  # database alias -> [(sql, params)]
    for entry_type in entry_types:
        alias = router.db_for_read(entry_type.model)
        parts.setdefault(alias, []).extend(capped_count_parts(entry_type, themes, subtree))
    for alias, queries in parts.items():
        sql = " UNION ALL ".join(
            # Django compiled each part; every value is in the params.
            f"SELECT %s, COUNT(*) FROM ({part}) AS first_{number}"  # noqa: S608
            for number, (part, _params) in enumerate(queries)
        )
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, [param for _part, params in queries for param in params])
            rows = cursor.fetchall()
        for theme_id, count in rows:
            totals[theme_id] += min(count, THEME_COUNT_CAP)
            if count > THEME_COUNT_CAP:
                capped.add(theme_id)
    return {pk: ThemeCount(total, pk in capped) for pk, total in totals.items()}


def capped_count_parts(entry_type, themes, subtree):
    """[(sql, params)] of one type: for each theme, the first THEME_COUNT_CAP + 1 of its
    published entries, whose count the UNION ALL of count_by_theme takes; the params
    start with the theme's id, the first column of that count."""
    model = entry_type.model
    parts = []
    for theme in themes:
        first = (
            model.objects.published()
            .filter(under_themes(model, subtree[theme.pk], correlated=False))
            .order_by()
            .values("pk")[: THEME_COUNT_CAP + 1]
        )
        sql, params = first.query.sql_with_params()
        parts.append((sql, (theme.pk, *params)))
    return parts


def public_tags():
    """The tags that at least one published entry (of any registered type) carries:
    the public rule for tags, which have no status of their own. A tag that only
    drafts, entries in review or withdrawn entries use has no page, no place in a
    list and is no known value of a filter, as if it did not exist."""
    # One EXISTS a type, asked tag by tag: it stops at the tag's first published
    # entry, where `tag IN (every tag of every published entry)` read all 225,000
    # tagged rows of the synthetic corpus (1.4 s for the list of public tags). Each
    # tagged row's entry is looked up by its key: with `object_id IN (the published
    # entries)` SQLite walked every published provision for a tag no provision
    # carries (0.11 s for the list on that corpus, now 0.03 s).
    condition = Q(pk__in=[])
    for entry_type in registry.all():
        model = entry_type.model
        if not any(isinstance(field, TaggableManager) for field in model._meta.many_to_many):
            continue
        published = model.objects.published().filter(pk=OuterRef("object_id"))
        condition |= Exists(
            TaggedItem.objects.filter(
                tag_id=OuterRef("pk"), content_type=ContentType.objects.get_for_model(model)
            ).filter(Exists(published))
        )
    return Tag.objects.filter(condition)
