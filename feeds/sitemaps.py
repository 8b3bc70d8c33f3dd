"""/sitemap.xml: an index of one sitemap per kind of page, each page listed with the
time it last changed, in pages of at most SITEMAP_PAGE_SIZE addresses (the protocol
allows 50,000 per file; 200,000 provisions in two languages need several files)."""

from math import ceil

from django.contrib import sitemaps
from django.core.paginator import Page, Paginator
from django.db.models import Max
from django.urls import reverse
from django.utils import translation
from django.utils.functional import cached_property

from cooperation.models import Agreement, Mechanism
from core.models import Country, Theme
from core.registry import public_tags, registry, with_related


def updated_field(entry_type):
    # A part (a provision) is edited on its parent's form, which stamps the parent.
    return f"{entry_type.parent}__updated_at" if entry_type.parent else "updated_at"


def latest_change(keys):
    """When a published entry of these types last changed (None if there is none)."""
    changes = [
        registry[key]
        .model.objects.published()
        .aggregate(last=Max(updated_field(registry[key])))["last"]
        for key in keys
    ]
    return max((change for change in changes if change), default=None)


def owner_key(key):
    """The type whose entries carry this type's publication and changes (a
    provision's directive), or the type itself."""
    entry_type = registry[key]
    if not entry_type.parent:
        return key
    parent = entry_type.model._meta.get_field(entry_type.parent).related_model
    return registry.for_model(parent).key


def latest_change_at_most(keys):
    """For the index: a time at or after the last change of every page of these types,
    read off the entries that carry their changes (a provision's directive), one
    aggregate over them each. Exact per page, it was a join through 200,000
    provisions (0.2 s each for the themes and the tags); a crawler told of a change
    that did not touch a file reads the file again, and misses nothing."""
    return latest_change(sorted({owner_key(key) for key in keys}))


def latest_change_by(queryset, relation, updated="updated_at"):
    """{id of the related object: when its latest published entry changed}."""
    rows = (
        queryset.filter(**{f"{relation}__isnull": False})
        .order_by()
        .values(relation)
        .annotate(last=Max(updated))
    )
    return {row[relation]: row["last"] for row in rows}


def latest_change_through(relation):
    """{id of the related object: when its latest published entry changed}, over every
    type of entry that has the relation (themes, tags)."""
    return merge_latest(
        *(
            latest_change_by(
                entry_type.model.objects.published(), relation, updated_field(entry_type)
            )
            for entry_type in registry.all()
            if hasattr(entry_type.model, relation)
        )
    )


def merge_latest(*changes):
    merged = {}
    for change in changes:
        for key, when in change.items():
            if key not in merged or when > merged[key]:
                merged[key] = when
    return merged


# Addresses per sitemap file: each is a page in one language with its hreflang
# alternates. 10,000 made a 4.4 MB file in 2.5 to 4 s; 2,000 (1,000 entries in two
# languages) stay near a fifth of a second, and the index lists more files.
SITEMAP_PAGE_SIZE = 2_000


class I18nSitemap(sitemaps.Sitemap):
    """Each page at its English and its /zh-hans/ address, with hreflang alternates."""

    i18n = True
    alternates = True
    x_default = True
    limit = SITEMAP_PAGE_SIZE


class KeyRangePaginator(Paginator):
    """Pages of a queryset's (entry, language) pairs by ranges of the entries' ids:
    page n holds the entries whose id is in (first + (n - 1) * size, first + n * size],
    `first` being just below the smallest id, so each page is one range read of the
    primary key's index, however deep. Counted pages read every row before their own
    (OFFSET): the last of 200,000 provisions took 1.3 s. A page holds at most `size`
    entries (fewer where ids were skipped: deleted or unpublished rows)."""

    def __init__(self, queryset, languages, limit):
        self.languages = languages
        self.size = max(1, limit // len(languages))
        super().__init__(queryset, limit, allow_empty_first_page=True)

    def end_id(self, order):
        # The first row along the primary key's index, not MIN() or MAX(): over a join
        # (a provision's directive) those read every row.
        return self.object_list.order_by(order).values_list("pk", flat=True).first() or 0

    @cached_property
    def first_id(self):
        return max(0, self.end_id("pk") - 1)

    @cached_property
    def largest_id(self):
        return self.end_id("-pk")

    @cached_property
    def count(self):
        return max(0, self.largest_id - self.first_id) * len(self.languages)

    @cached_property
    def num_pages(self):
        return max(1, ceil((self.largest_id - self.first_id) / self.size))

    def page(self, number):
        number = self.validate_number(number)
        low = self.first_id + (number - 1) * self.size
        entries = self.object_list.filter(pk__gt=low, pk__lte=low + self.size).order_by("pk")
        pairs = [(entry, language) for entry in entries for language in self.languages]
        return Page(pairs, number, self)


class ChangedSitemap(I18nSitemap):
    """Pages whose last changes are worked out together, by changes(), once per
    request: Django's index view reads items() twice, for the pages and the lastmod."""

    @cached_property
    def changed(self):
        return self.changes()

    def lastmod(self, item):
        return self.changed.get(self.change_key(item))

    def change_key(self, item):
        return item.pk

    def get_latest_lastmod(self):
        """For the index: from the changes, where Django's default reads every item."""
        return max((when for when in self.changed.values() if when), default=None)


class ListPageSitemap(ChangedSitemap):
    """Home and list pages: they change when an entry of the types they list does."""

    @staticmethod
    def pages():
        every_type = [entry_type.key for entry_type in registry.with_own_publication()]
        return {
            "browse:home": every_type,
            "browse:theme-list": every_type,
            "policies:directive-list": ("directives",),
            "cooperation:agreement-list": ("agreements",),
            "cooperation:mechanism-list": ("mechanisms",),
            "cooperation:country-list": ("agreements",),
            "data:page": every_type,
        }

    def changes(self):
        # Several pages list the same types: each type's last change is asked once.
        pages = self.pages()
        types = {key for keys in pages.values() for key in keys}
        by_type = {key: latest_change([key]) for key in types}
        return {
            name: max((by_type[key] for key in keys if by_type[key]), default=None)
            for name, keys in pages.items()
        }

    def items(self):
        # A list with nothing published on it yet has no change time, and nothing to index.
        return [name for name, changed in self.changed.items() if changed]

    def change_key(self, name):
        return name

    def location(self, name):
        return reverse(name)


class EntrySitemap(I18nSitemap):
    """The pages of one type of published entry."""

    def __init__(self, key):
        self.entry_type = registry[key]

    def items(self):
        published = self.entry_type.model.objects.published()
        return with_related(published, self.entry_type.select_related).order_by("pk")

    @property
    def paginator(self):
        return KeyRangePaginator(self.items(), self._languages(), self.limit)

    def _location(self, item, force_lang_code=None):
        """The entry's address in a language, made once per entry and language. Django
        asks for it four times a <url> (its address and three alternates) and switches
        the active language around each (Sitemap._location, Django 5.2): with reverse(),
        most of a file's time. If a later Django stops calling this, the files stay
        the same, only slower (tests/test_feeds.py checks what they hold)."""
        entry, language = item
        language = force_lang_code or language
        addresses = entry.__dict__.setdefault("_sitemap_addresses", {})
        if language not in addresses:
            with translation.override(language):
                addresses[language] = entry.get_absolute_url()
        return addresses[language]

    def lastmod(self, entry):
        # A part (a provision) changes with its parent, whose form edits it.
        return self.entry_type.owner(entry).updated_at

    def get_latest_lastmod(self):
        """For the index: one aggregate, where Django's default reads every entry."""
        return latest_change_at_most([self.entry_type.key])


class ThemeSitemap(ChangedSitemap):
    """Every theme page, changed when an entry under it or a sub-theme last did."""

    def get_latest_lastmod(self):
        return latest_change_at_most(
            [entry_type.key for entry_type in registry if hasattr(entry_type.model, "themes")]
        )

    def changes(self):
        changes = latest_change_through("themes")
        return {
            theme_id: max((changes[t] for t in subtree if t in changes), default=None)
            for theme_id, subtree in Theme.subtree_map().items()
        }

    def items(self):
        return Theme.objects.published().order_by("pk")


class TagSitemap(ChangedSitemap):
    """Every tag on a published entry, changed when the latest of those entries did."""

    def get_latest_lastmod(self):
        return latest_change_at_most(
            [entry_type.key for entry_type in registry if hasattr(entry_type.model, "tags")]
        )

    def changes(self):
        return latest_change_through("tags")

    def items(self):
        # The public tags, which self.changed names too, asked without reading every
        # entry's last change: the index, counting the files, needs no more.
        return public_tags().order_by("slug")

    def location(self, tag):
        return reverse("browse:tag", args=[tag.slug])


class CountrySitemap(ChangedSitemap):
    """Countries party to a published agreement or member of a published mechanism;
    the other countries' pages have nothing on them yet."""

    def changes(self):
        return merge_latest(
            latest_change_by(Agreement.objects.published(), "party_countries"),
            latest_change_by(Mechanism.objects.published(), "member_countries"),
        )

    def items(self):
        return Country.objects.published().filter(pk__in=self.changed).order_by("code")


def sitemap_sections():
    """{section: sitemap}: the list pages and themes, each type of entry with a page
    of its own, countries and tags."""
    return {
        "pages": ListPageSitemap,
        "themes": ThemeSitemap,
        **{
            entry_type.key: EntrySitemap(entry_type.key)
            for entry_type in registry
            if entry_type.has_page
        },
        "countries": CountrySitemap,
        "tags": TagSitemap,
    }


SITEMAPS = sitemap_sections()
