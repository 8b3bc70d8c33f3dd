"""The canary scan: nothing unpublished reaches the public, on any address.

tests/canaries.py builds published entries of every registered type and, linked to
them every way the models allow, canaries in every state the public must not see,
each text field of which holds a marker of its own. Every public route (read off the
URL resolver, so a route added later is scanned too, or fails here until it is) is
asked for every address the site's data gives it: the pages of every entry, theme,
tag and country, published or not; every citation download; every list, search and
API collection, plain and filtered; every export, feed and sitemap. No answer may
hold a marker.

The one exception is written in docs/contracts.md: a withdrawn entry's own address
answers 410 with a note that names it (its title), as a record that it existed.
"""

from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import LocalePrefixPattern
from taggit.models import Tag

from api.views import COLLECTIONS
from citations.views import DOWNLOADS
from core.models import Country, PreviousSlug, Theme
from core.registry import registry
from exports.views import FORMATS
from feeds.sitemaps import SITEMAPS
from tests.canaries import CANARY_WORD, MARKER, SHARED_WORD, STATES

pytestmark = pytest.mark.django_db

# Addresses behind a login are not public; the others answer no entry's data.
NOT_PUBLIC = ("admin/",)
READS_NO_ENTRY = {
    "healthz",  # "ok"
    "metrics",  # counters by method, status and view, for the operator only
    "set_language",  # a POST that sets a cookie
    "api:schema",  # the OpenAPI description of the collections
    "api:docs",  # Swagger UI, which reads the schema
    "feeds:robots",  # robots.txt
}

# Routes that show entries but none of their text: the sitemap index (the sections'
# addresses), the API's root and /data/ (the collections' fields).
SHOWS_NO_ENTRY_TEXT = {"feeds:sitemap", "api:api-root", "data:page"}

CITATION_FORMATS = [f"{which}{fmt}" for which in ("", "record.") for fmt in DOWNLOADS]


@dataclass(frozen=True)
class Route:
    # Under the language prefix (/zh-hans/...)?
    translated: bool
    # Does its address take parameters (a slug, a format...)?
    has_parameters: bool


def public_routes(patterns=None, namespace="", translated=False):
    """{view name: Route} of every public route."""
    found = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if str(pattern.pattern).startswith(NOT_PUBLIC):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found.update(
                public_routes(
                    pattern.url_patterns,
                    inner,
                    translated or isinstance(pattern.pattern, LocalePrefixPattern),
                )
            )
        elif isinstance(pattern, URLPattern):
            found[f"{namespace}{pattern.name or pattern.lookup_str}"] = Route(
                translated, bool(pattern.pattern.regex.groups)
            )
    return found


ROUTES = public_routes()
SCANNED_ROUTES = sorted(set(ROUTES) - READS_NO_ENTRY)


def addresses(site):
    """Every address the site's data gives its public routes, published or not."""
    found, entry_pages = set(), set()
    for entry_type in registry:
        if not entry_type.has_page:
            continue
        for entry in entry_type.model.objects.all():
            page = entry.get_absolute_url()
            found.add(page)
            entry_pages.add(page)
            if entry_type.citable:
                # An unpublished entry's downloads are refused before the format is read.
                formats = CITATION_FORMATS if entry.is_published else CITATION_FORMATS[:1]
                found.update(f"{page}cite.{fmt}" for fmt in formats)
    for old in PreviousSlug.objects.select_related("content_type"):
        found.add(old.content_type.model_class()(slug=old.slug).get_absolute_url())
    for theme in Theme.objects.all():
        found.update([theme.get_absolute_url(), reverse("feeds:theme", args=[theme.slug])])
    for tag in Tag.objects.all():
        found.add(reverse("browse:tag", args=[tag.slug]))
    for country in Country.objects.all():
        found.add(country.get_absolute_url())
    for name, viewset in COLLECTIONS.items():
        model = viewset.serializer_class.Meta.model
        for item in model.objects.all():
            key = str(getattr(item, viewset.lookup_field))
            found.add(reverse(f"api:{name}-detail", args=[key.lower()]))
        found.update(reverse("exports:export", args=[name, fmt]) for fmt in FORMATS)
    found.update(reverse("feeds:sitemap-section", args=[section]) for section in SITEMAPS)
    # Every route without parameters (lists, search, feeds, indexes), plain and with
    # each filter the data gives a value for.
    filters = [
        {},
        {"q": SHARED_WORD},
        {"q": SHARED_WORD, "sort": "date"},
        {"q": CANARY_WORD},
        # Near misses: a spelling suggestion must come from public text only.
        {"q": "canaryonyl"},
        {"q": site.near_miss()},
        {"theme": "quillwort-floods"},
        {"country": "xa"},
        {"tag": "quillwort-drills"},
        *({"tag": tag.slug} for tag in site.canary_tags),
    ]
    for name, route in ROUTES.items():
        if not route.has_parameters:  # those of the others come from the data
            path = reverse(name)
            found.update(f"{path}?{urlencode(query)}" if query else path for query in filters)
    # The Chinese interface of the pages under the language prefix: every page but
    # those of entries, where only the published ones linked to canaries are asked
    # for (the others are the same template, and each costs a formatted citation).
    chinese_too = {entry.get_absolute_url() for entry in site.published.values()}
    found.update(
        f"{CHINESE}{address}"
        for address in list(found)
        if ROUTES[route_of(address)].translated
        and "?" not in address
        and "/cite." not in address
        and (address not in entry_pages or address in chinese_too)
    )
    return found


CHINESE = "/zh-hans"


def route_of(address):
    return resolve(urlsplit(address).path.removeprefix(CHINESE)).view_name


def by_route(found):
    grouped = {}
    for address in found:
        grouped.setdefault(route_of(address), []).append(address)
    return grouped


def read(client, address):
    """The answer and what it shows: its body, and where it redirects to."""
    response = client.get(address)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response, f"{response.get('Location', '')}\n{content.decode()}"


def leaks_in(site, response, content, address):
    """What the answer shows of canaries, but for the markers the address itself
    holds (a page may say what was asked for) and a withdrawn entry's name on its 410."""
    allowed = set(MARKER.findall(address))
    if response.status_code == 410:
        allowed.update(MARKER.findall(str(response.context["entry"])))
    for marker in allowed:
        content = content.replace(marker, "")
    return site.leaks(content)


@pytest.fixture(scope="module")
def public():
    """An anonymous reader."""
    return Client()


def test_every_public_route_is_scanned_or_reads_no_entry():
    """A route added later is scanned (its addresses come from the data, see
    `addresses`), or is named here as one that shows no entry."""
    assert {"browse:home", "policies:provision", "api:findings-list", "feeds:latest"} <= set(
        SCANNED_ROUTES
    )
    assert set(ROUTES) >= READS_NO_ENTRY


def test_every_registered_type_has_a_canary_in_every_state(canary_site):
    """A type registered later fails here until tests/canaries.py builds canaries of
    it (and links them to the published entries)."""
    for state in STATES:
        types = {
            registry.for_model(entry).key
            for entry in canary_site.canaries
            if canary_site.state_of(entry) == state
        }
        assert types == {entry_type.key for entry_type in registry}, state


_grouped = {}


def addresses_by_route(site):
    """`by_route(addresses(site))`, worked out once per canary site: every test of a
    route starts from the same rows (the site is a layer of shared data, rolled back to
    after each test), and there are some sixty of them."""
    if _grouped.get("site") is not site:
        _grouped.update(site=site, found=by_route(addresses(site)))
    return _grouped["found"]


@pytest.mark.parametrize("route", SCANNED_ROUTES)
def test_no_canary_text_on_any_address_of(route, canary_site, public):
    found = addresses_by_route(canary_site).get(route)
    assert found, f"no address of {route} was made from the data: teach `addresses` its keys"
    leaks, shows_published = {}, False
    for address in sorted(found):
        response, content = read(public, address)
        assert response.status_code < 500, address
        shows_published |= response.status_code in (200, 301) and SHARED_WORD in content
        leaked = leaks_in(canary_site, response, content, address)
        if leaked:
            leaks[address] = leaked
    assert not leaks
    # Not a scan of error pages only: the route shows the published entries.
    assert shows_published or route in SHOWS_NO_ENTRY_TEXT, route


def test_no_public_search_for_a_canary_word_finds_anything(canary_site, public):
    """Not only no canary text: no published entry found by it either (a published
    agreement found by the name of its draft mechanism, say)."""
    for name, viewset in COLLECTIONS.items():
        queries = [{"q": CANARY_WORD}]
        if "tag" in viewset.filterset_class.base_filters:
            queries += [{"tag": tag.slug} for tag in canary_site.canary_tags]
        for query in queries:
            response = public.get(f"/api/v1/{name}/?{urlencode(query)}")
            assert response.status_code in (200, 400), (name, query)
            if response.status_code == 200:
                assert response.json()["count"] == 0, (name, query)
    response = public.get(f"/search/?q={CANARY_WORD}")
    assert response.context["page_obj"] is None or not response.context["page_obj"].object_list


def test_counts_count_published_entries_only(canary_site, public):
    """The numbers pages show (theme counts, search facets, the API's totals) are
    counts of published entries: a canary adds to none of them. Every entry holds
    the shared word and the theme, so each count is the number of published ones."""
    published = {t.key: t.model.objects.published().count() for t in registry}
    assert all(published.values())

    response = public.get(f"/search/?q={SHARED_WORD}")
    facets = {facet.name: facet for facet in response.context["outcome"].facets}
    assert {value.value: value.count for value in facets["type"].values} == published
    (tag,) = (v for v in facets["tag"].values if v.value == "quillwort-drills")
    assert tag.count == sum(published.values())
    assert {value.value for value in facets["tag"].values} == {"quillwort-drills"}

    home = public.get("/").context["themes"]
    assert [(theme.slug, theme.entry_count) for theme in home] == [
        ("quillwort-hazards", sum(published.values()))
    ]
    for name in COLLECTIONS:
        total = public.get(f"/api/v1/{name}/").json()["count"]
        model = COLLECTIONS[name].serializer_class.Meta.model
        assert total == model.objects.published().count(), name
