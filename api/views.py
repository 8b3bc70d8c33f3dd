"""Read-only views of every public collection. Each is a DRF viewset whose queryset
comes from its serializer (published rows, linked items prefetched) and whose
filters are the list pages' own, so the API and the pages always agree."""

import re

from django.http import Http404
from django.urls import reverse
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import routers, viewsets

from api import filters, serializers

# The keys items are addressed by: the pages' own slug converter, ids and ISO codes.
SLUG_KEY = re.compile(r"[-a-zA-Z0-9_]+")
ID_KEY = re.compile(r"[0-9]{1,18}")
COUNTRY_KEY = re.compile(r"[A-Za-z]{2}")


class CollectionViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    # Any segment reaches the view, so that a malformed key is a JSON 404 like any other.
    lookup_value_regex = "[^/]+"
    key_pattern = SLUG_KEY

    def get_object(self):
        # A key of the wrong shape is refused before it reaches a query: PostgreSQL
        # fails on a NUL byte, and int() would read "١" (Arabic-Indic one) as the
        # id 1, giving an item a second address.
        kwarg = self.lookup_url_kwarg or self.lookup_field
        if not self.key_pattern.fullmatch(self.kwargs[kwarg]):
            raise Http404
        self.kwargs[kwarg] = self.stored_key(self.kwargs[kwarg])
        return super().get_object()

    def stored_key(self, key):
        """The key as the database holds it."""
        return key

    def get_queryset(self):
        queryset = self.get_serializer_class().public_queryset()
        # The model's own order, then the id, so that pages never overlap or skip.
        return queryset.order_by(*queryset.model._meta.ordering, "pk")


class ThemeViewSet(CollectionViewSet):
    """Themes: the nested subject headings that organise every entry."""

    serializer_class = serializers.ThemeSerializer
    filterset_class = filters.ThemeFilterSet


class DirectiveViewSet(CollectionViewSet):
    """Directives: laws, plans, opinions and leaders' remarks, made of provisions."""

    serializer_class = serializers.DirectiveSerializer
    filterset_class = filters.DirectiveFilterSet


class ProvisionViewSet(CollectionViewSet):
    """Provisions: the numbered points of published directives, addressed by id."""

    serializer_class = serializers.ProvisionSerializer
    filterset_class = filters.ProvisionFilterSet
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    key_pattern = ID_KEY


class AgreementViewSet(CollectionViewSet):
    """Agreements: MoUs, agreements, joint statements and plans between parties."""

    serializer_class = serializers.AgreementSerializer
    filterset_class = filters.AgreementFilterSet


class MechanismViewSet(CollectionViewSet):
    """Mechanisms: standing Belt and Road cooperation frameworks."""

    serializer_class = serializers.MechanismSerializer
    filterset_class = filters.MechanismFilterSet


class CountryViewSet(CollectionViewSet):
    """Countries: every ISO 3166-1 country, addressed by its lower-case alpha-2 code."""

    serializer_class = serializers.CountrySerializer
    filterset_class = filters.CountryFilterSet
    lookup_field = "code"
    key_pattern = COUNTRY_KEY

    def stored_key(self, key):
        # Checked first: "ß".upper() is "SS", which would pass for a code.
        return key.upper()


class SourceViewSet(CollectionViewSet):
    """Sources: the reports, articles and official texts that entries rest on."""

    serializer_class = serializers.SourceSerializer
    filterset_class = filters.SourceFilterSet


class FindingViewSet(CollectionViewSet):
    """Findings: claims drawn from sources, addressed by id."""

    serializer_class = serializers.FindingSerializer
    filterset_class = filters.FindingFilterSet
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    key_pattern = ID_KEY


# Every public collection, by the name it has in /api/v1/<name>/ and /export/<name>.*
COLLECTIONS = {
    "themes": ThemeViewSet,
    "directives": DirectiveViewSet,
    "provisions": ProvisionViewSet,
    "agreements": AgreementViewSet,
    "mechanisms": MechanismViewSet,
    "countries": CountryViewSet,
    "sources": SourceViewSet,
    "findings": FindingViewSet,
}


class APIRootView(routers.APIRootView):
    """Links to every collection, the schema, these docs and the bulk data."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        for name, url_name in (
            ("schema", "api:schema"),
            ("docs", "api:docs"),
            ("data", "data:page"),
        ):
            response.data[name] = request.build_absolute_uri(reverse(url_name))
        return response


class APIDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the site's own static files (drf-spectacular-sidecar).

    The split view serves Swagger UI's start-up script as a file of its own, and our
    template keeps drf-spectacular's inline <style> out, so the page works under the
    site's Content-Security-Policy (scripts and styles from the site only)."""

    url_name = "api:schema"
    template_name = "api/docs.html"
