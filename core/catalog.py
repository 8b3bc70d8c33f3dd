"""The kinds of entry the public can browse, so that the theme page, the tag page
and the home page walk one list instead of repeating each model."""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class EntryType:
    key: str
    label: str
    model_label: str
    select_related: tuple = ()
    prefetch_related: tuple = ()

    @property
    def model(self):
        return apps.get_model(self.model_label)

    def published(self):
        """Published entries of this type, with what a card needs, in bounded queries."""
        return with_related(self.model.objects.published(), self.select_related).prefetch_related(
            "themes", *self.prefetch_related
        )


def with_related(queryset, select_related=()):
    """queryset.select_related(*select_related), but only when there are fields to
    follow: with none, select_related() would join every non-null foreign key, and
    give each row its own copy of a shared parent."""
    return queryset.select_related(*select_related) if select_related else queryset


ENTRY_TYPES = (
    EntryType("directives", _("Directives"), "policies.Directive", ("issuing_body",)),
    EntryType("provisions", _("Provisions"), "policies.Provision", ("directive",)),
    EntryType("agreements", _("Agreements"), "cooperation.Agreement", (), ("party_countries",)),
    EntryType("mechanisms", _("Mechanisms"), "cooperation.Mechanism"),
    EntryType("findings", _("Findings"), "findings.Finding", ("source",)),
    EntryType("sources", _("Sources"), "core.Source", (), ("authors",)),
)
ENTRY_TYPES_BY_KEY = {entry_type.key: entry_type for entry_type in ENTRY_TYPES}

# Entries with a publication of their own; a provision is published with its directive.
NEWS_TYPES = ("directives", "agreements", "mechanisms", "findings", "sources")


def latest_published(limit, **filters):
    """The most recently published entries of every news type, newest first, as
    (entry type, entry) pairs: one query per type (plus its prefetches)."""
    latest = []
    for key in NEWS_TYPES:
        entry_type = ENTRY_TYPES_BY_KEY[key]
        queryset = entry_type.published().filter(**filters)
        if filters:
            queryset = queryset.distinct()
        latest.extend((entry_type, entry) for entry in queryset.order_by("-published_at")[:limit])
    latest.sort(key=lambda pair: pair[1].published_at, reverse=True)
    return latest[:limit]


def count_by_theme(themes, entry_types=ENTRY_TYPES):
    """How many published entries sit under each theme or its sub-themes.

    One aggregate query per entry type, whatever the number of entries: each theme
    gets a Count over its own subtree, so an entry filed under two sub-themes of
    one theme is counted once for it."""
    themes = list(themes)
    if not themes:
        return {}
    from core.models import Theme

    subtree = Theme.subtree_map()
    totals = {theme.pk: 0 for theme in themes}
    for entry_type in entry_types:
        counts = entry_type.model.objects.published().aggregate(
            **{
                f"t{theme.pk}": Count("pk", filter=Q(themes__in=subtree[theme.pk]), distinct=True)
                for theme in themes
            }
        )
        for theme in themes:
            totals[theme.pk] += counts[f"t{theme.pk}"]
    return totals
