"""The API's filters: the list pages' own FilterSets, plus `?q=`, and filters of the
same kind for the collections that have no list page."""

import django_filters
from django.utils.translation import gettext_lazy as _

from api.search import MAX_QUERY_LENGTH, search
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


class SearchFilterSet(django_filters.FilterSet):
    """Adds `?q=`: every word must appear in one of `search_fields`."""

    q = django_filters.CharFilter(
        method="filter_search",
        max_length=MAX_QUERY_LENGTH,
        label=_("Search"),
        help_text=_("Words that must all appear (in any case) in the item's text fields."),
    )
    search_fields = ()

    def filter_search(self, queryset, name, value):
        return search(queryset, value, self.search_fields) if value.strip() else queryset


class ThemeFilterSet(SearchFilterSet):
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
    search_fields = ("title", "title_original", "summary", "summary_original", "speaker")


class ProvisionFilterSet(SearchFilterSet):
    directive = django_filters.CharFilter(
        field_name="directive__slug",
        label=_("Directive"),
        validators=[known_slug(Directive)],
    )
    theme = ThemeFilter(validators=[known_slug(Theme)])
    tag = TagFilter()
    search_fields = ("heading", "heading_original", "text", "text_original")

    class Meta:
        model = Provision
        fields = ["directive", "theme", "tag"]


class AgreementFilterSet(SearchFilterSet, AgreementFilter):
    search_fields = ("title", "title_original", "summary")


class MechanismFilterSet(SearchFilterSet):
    theme = ThemeFilter(validators=[known_slug(Theme)])
    country = CountryFilter("member_countries", validators=[known_country])
    year = YearFilter("established_on")
    tag = TagFilter()
    search_fields = ("name", "name_original", "description")

    class Meta:
        model = Mechanism
        fields = ["theme", "country", "year", "tag"]


class CountryFilterSet(SearchFilterSet):
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
    search_fields = ("title", "title_original", "outlet", "abstract")

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
    search_fields = ("text", "text_original")

    class Meta:
        model = Finding
        fields = ["theme", "kind", "source", "tag"]
