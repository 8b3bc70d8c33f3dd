"""The API's filters: the list pages' own FilterSets, plus `?q=`, and filters of the
same kind for the collections that have no list page."""

import django_filters
from django.utils.translation import gettext_lazy as _

from api.search import matching_entries, matching_names
from cooperation.filters import AgreementFilter
from cooperation.models import Mechanism
from core.filters import (
    CountryFilter,
    TagFilter,
    ThemeFilter,
    YearFilter,
    known_country,
    known_slug,
)
from core.models import Country, Source, Theme
from findings.models import Finding
from policies.filters import DirectiveFilter
from policies.models import Directive, Provision
from search.parsing import MAX_QUERY_LENGTH


class SearchFilterSet(django_filters.FilterSet):
    """Adds `?q=` to a collection of entries: the site's full-text search."""

    q = django_filters.CharFilter(
        method="filter_search",
        max_length=MAX_QUERY_LENGTH,
        label=_("Search"),
        help_text=_(
            "The site's full-text search, as on /search/: items whose title, keywords "
            "(names, headings, tags) or text hold every word, in any of its English forms "
            "(“floods” finds “flood”). Put “a phrase” in quotes, OR between alternatives, "
            "and - before a word to leave out items with it. Chinese, Japanese and Korean "
            "text is found as written, in the original-language text. A search with no "
            "letters or digits finds nothing. Results keep the list's order and its other "
            "filters."
        ),
    )

    def filter_search(self, queryset, name, value):
        return matching_entries(queryset, value) if value.strip() else queryset


class NameSearchFilterSet(django_filters.FilterSet):
    """Adds `?q=` to reference data, which is not in the search index: every word must
    appear in one of `search_fields`."""

    q = django_filters.CharFilter(
        method="filter_search",
        max_length=MAX_QUERY_LENGTH,
        label=_("Search"),
        help_text=_("Words that must all appear (in any case) in the item's text fields."),
    )

    def filter_search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return matching_names(queryset, value, self.search_fields)


class ThemeFilterSet(NameSearchFilterSet):
    parent = django_filters.CharFilter(
        field_name="parent__slug",
        label=_("Parent theme"),
        validators=[known_slug(Theme)],
    )
    search_fields = ("name", "name_zh", "description")

    class Meta:
        model = Theme
        fields = ["parent"]


class DirectiveFilterSet(SearchFilterSet, DirectiveFilter):
    """The list page's filters, and `?q=`."""


class ProvisionFilterSet(SearchFilterSet):
    directive = django_filters.CharFilter(
        field_name="directive__slug",
        label=_("Directive"),
        validators=[known_slug(Directive)],
    )
    theme = ThemeFilter(validators=[known_slug(Theme)])
    tag = TagFilter()

    class Meta:
        model = Provision
        fields = ["directive", "theme", "tag"]


class AgreementFilterSet(SearchFilterSet, AgreementFilter):
    """The list page's filters, and `?q=`."""


class MechanismFilterSet(SearchFilterSet):
    theme = ThemeFilter(validators=[known_slug(Theme)])
    country = CountryFilter("member_countries", validators=[known_country])
    year = YearFilter("established_on")
    tag = TagFilter()

    class Meta:
        model = Mechanism
        fields = ["theme", "country", "year", "tag"]


class CountryFilterSet(NameSearchFilterSet):
    region = django_filters.CharFilter(
        lookup_expr="iexact", label=_("Region"), help_text=_("A UN M49 region, e.g. Asia.")
    )
    search_fields = ("name", "official_name")

    class Meta:
        model = Country
        fields = ["region"]


class SourceFilterSet(SearchFilterSet):
    theme = ThemeFilter(validators=[known_slug(Theme)])
    kind = django_filters.ChoiceFilter(choices=Source.Kind.choices, label=_("Kind"))
    year = YearFilter("published_on")
    tag = TagFilter()

    class Meta:
        model = Source
        fields = ["theme", "kind", "year", "tag"]


class FindingFilterSet(SearchFilterSet):
    theme = ThemeFilter(validators=[known_slug(Theme)])
    kind = django_filters.ChoiceFilter(choices=Finding.Kind.choices, label=_("Kind"))
    source = django_filters.CharFilter(
        field_name="source__slug", label=_("Source"), validators=[known_slug(Source)]
    )
    tag = TagFilter()

    class Meta:
        model = Finding
        fields = ["theme", "kind", "source", "tag"]
