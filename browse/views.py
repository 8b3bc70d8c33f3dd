from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.generic import DetailView

from citations.views import CitableMixin
from cooperation.models import Agreement
from core.models import Source, Theme
from core.pagination import paginate_by_key
from core.registry import count_by_theme, latest_published, public_tags, registry
from core.views_mixins import OldSlugRedirectMixin, PublishedDetailMixin
from policies.models import Provision

LATEST_ENTRIES = 8
# The two documents the starter data comes from (editorial/seed/sources.jsonl).
STARTER_SOURCES = {
    "cgtn_report": "cgtn-2019-xi-emergency-management",
    "xu_meng_paper": "xu-meng-belt-and-road-emergency-cooperation",
}
SECTION_SIZE = 10
# A type's entries counted on a theme or tag page, at most (100 pages): past it the
# page says "of more than 100"; counting 200,000 provisions under a tag took 1.5 s.
SECTION_COUNT_CAP = 2_000


def home(request):
    top_themes = list(Theme.objects.published().filter(parent=None))
    counts = count_by_theme(top_themes)
    for theme in top_themes:
        theme.entry_count, theme.entry_count_capped = (
            counts[theme.pk].count,
            counts[theme.pk].capped,
        )
    return render(
        request,
        "browse/home.html",
        {"themes": top_themes, "latest": latest_published(LATEST_ENTRIES)},
    )


def about(request):
    """What emgov is and how it is made: method, coverage and gaps, the documents of
    the starter data, the licences. The two documents are linked when published."""
    found = Source.objects.published().in_bulk(STARTER_SOURCES.values(), field_name="slug")
    return render(
        request,
        "browse/about.html",
        {name: found.get(slug) for name, slug in STARTER_SOURCES.items()},
    )


def theme_list(request):
    themes = list(Theme.objects.published())
    counts = count_by_theme(themes)
    children = {}
    for theme in themes:
        theme.entry_count, theme.entry_count_capped = (
            counts[theme.pk].count,
            counts[theme.pk].capped,
        )
        children.setdefault(theme.parent_id, []).append(theme)
    for theme in themes:
        theme.child_list = children.get(theme.pk, [])
    return render(request, "browse/theme_list.html", {"roots": children.get(None, [])})


def sections_for(request, entries_of, entry_types=None):
    """Per-type sections of a theme or tag page; `entries_of(entry_type)` gives the
    page's published entries of a type. With ?type=<key> one type is shown in full,
    paginated; otherwise each type shows its first few entries."""
    selected = registry.get(request.GET.get("type"))
    sections = []
    for entry_type in registry.all() if entry_types is None else entry_types:
        if selected and entry_type is not selected:
            continue
        queryset = entries_of(entry_type)
        if selected:
            page = paginate_by_key(request, queryset, count_cap=SECTION_COUNT_CAP)
            sections.append({"type": entry_type, "page_obj": page})
        else:
            entries = list(queryset[: SECTION_SIZE + 1])
            if entries:
                sections.append(
                    {
                        "type": entry_type,
                        "entries": entries[:SECTION_SIZE],
                        "has_more": len(entries) > SECTION_SIZE,
                    }
                )
    return selected, sections


class ThemeDetailView(OldSlugRedirectMixin, DetailView):
    model = Theme
    template_name = "browse/theme_detail.html"

    def get_queryset(self):
        return Theme.objects.published().select_related("source")

    def get_context_data(self, **kwargs):
        theme = self.object
        # One read of the tree: descendant_ids(), ancestors() and children.published()
        # were a query each, and one more for each level above.
        tree = Theme.tree("name", "slug", "order", "is_synthetic")
        subtree = tree.subtree_ids(theme.pk)
        selected, sections = sections_for(
            self.request,
            lambda entry_type: entry_type.published().filter(entry_type.under_themes(subtree)),
        )
        return super().get_context_data(
            ancestors=tree.ancestors(theme),
            children=[child for child in tree.children(theme) if child.is_published],
            selected_type=selected,
            sections=sections,
            **kwargs,
        )


class SourceDetailView(CitableMixin, PublishedDetailMixin, DetailView):
    model = Source
    template_name = "browse/source_detail.html"

    def get_queryset(self):
        return Source.objects.prefetch_related("authors", "themes", "tags")

    def get_context_data(self, **kwargs):
        source = self.object
        return super().get_context_data(
            # The findings public once this source is, each with what it bears on.
            findings=source.findings.published(assuming="source").prefetch_related(
                "themes",
                Prefetch("provisions", Provision.objects.published().select_related("directive")),
                Prefetch("agreements", Agreement.objects.published()),
            ),
            directives=source.directives.published(),
            agreements=source.agreements.published(),
            mechanisms=source.mechanisms.published(),
            **kwargs,
        )


def tag_detail(request, slug):
    # A tag that no published entry carries is not public: 404, as if it did not exist.
    tag = get_object_or_404(public_tags(), slug=slug)
    selected, sections = sections_for(
        request, lambda entry_type: entry_type.published().filter(entry_type.tagged(tag))
    )
    return render(
        request,
        "browse/tag_detail.html",
        {"tag": tag, "selected_type": selected, "sections": sections},
    )
