"""The API's `?q=` on entries is the site's full-text search: it finds what /search/
finds, combines with each collection's own filters, holds published entries only,
and costs a page no query of its own. Themes and countries, which the index does not
cover, match words in their names (tests/test_api.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Status
from tests.builders import (
    indexed_once,
    make_agreement,
    make_country,
    make_directive,
    make_finding,
    make_mechanism,
    make_provision,
    make_source,
    make_theme,
)
from tests.test_api import API, get_json, results
from tests.test_search import result_urls

pytestmark = pytest.mark.django_db

INDEXED = ["directives", "provisions", "agreements", "mechanisms", "sources", "findings"]
# What the search page says when nothing matches every word and it offers near misses,
# which a script filtering by `q` never gets.
NEAR_MISSES = "these come closest"


@pytest.fixture
def corpus(search_corpus):
    # Built once for the tests that ask (tests/conftest.py).
    return search_corpus


def api_paths(collection, client, **params):
    """The site-relative permalinks of the API's results, in its order."""
    return [
        item["permalink"].removeprefix("http://testserver")
        for item in results(client, collection, **params)
    ]


def page_paths(client, collection, q):
    """What /search/ lists for `q` in one type, or nothing where it offers near misses."""
    response = client.get("/search/", {"q": q, "type": collection})
    assert response.status_code == 200
    return [] if NEAR_MISSES in response.content.decode() else result_urls(response)


@pytest.mark.parametrize(
    "q",
    [
        "rescue",
        "volunteering",  # stemmed: "volunteer"
        "emergency management",
        '"early warning"',
        "earthquake OR flood",
        "rescue -volunteer",
        "research cooperation",
        "应急管理",  # Chinese: the original-language text
        "地震救援",
        "resuce teams",  # a typo: the page offers near misses, the API finds nothing
    ],
)
def test_q_finds_what_the_search_page_finds(client, corpus, q):
    found = {}
    for collection in INDEXED:
        found[collection] = sorted(api_paths(collection, client, q=q))
        assert found[collection] == sorted(page_paths(client, collection, q)), collection
    if q != "resuce teams":
        assert any(found.values()), "the query should find something"


def test_q_combines_with_the_collections_own_filters(client, corpus):
    teams, plan = corpus["teams"].get_absolute_url(), corpus["plan"].get_absolute_url()
    assert sorted(api_paths("directives", client, q="rescue")) == sorted([teams, plan])
    assert api_paths("directives", client, q="rescue", year=2019) == [teams]
    assert api_paths("directives", client, q="rescue", tag="volunteers") == [teams]
    assert api_paths("directives", client, q="rescue", theme="rescue-forces") == [teams]
    # A theme takes in its sub-themes, as on the list page.
    assert sorted(api_paths("directives", client, q="rescue", theme="management")) == sorted(
        [teams, plan]
    )
    earthquake = corpus["earthquake"].get_absolute_url()
    assert api_paths("agreements", client, q="rescue", country="np") == [earthquake]
    assert api_paths("agreements", client, q="rescue", country="pk") == []
    provisions = api_paths("provisions", client, q="rescue", directive="volunteer-rescue-teams")
    assert provisions == [f"{teams}p1/"]


def test_q_keeps_the_lists_order_and_pages(client, db):
    for number in range(5):
        make_directive(title=f"Flood plan {number}", slug=f"flood-plan-{number}")
    make_directive(title="Drought plan", slug="drought-plan")
    unfiltered = [item["slug"] for item in results(client, "directives")]
    page = get_json(client, f"{API}directives/", q="flood", page_size=2, page=2)
    assert page["count"] == 5
    searched = [slug for slug in unfiltered if slug.startswith("flood-plan")]
    assert [item["slug"] for item in page["results"]] == searched[2:4]
    assert "q=flood" in page["next"] and "q=flood" in page["previous"]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN])
def test_q_finds_published_entries_only(client, db, status):
    word = "zanzibar"
    directive = make_directive(title=f"{word} plan", status=status, provisions=0)
    make_provision(directive, text=f"A {word} shelter.")
    source = make_source(title=f"{word} report", status=status)
    entries = [
        directive,
        make_agreement(title=f"{word} memorandum", status=status),
        make_mechanism(name=f"{word} mechanism", status=status),
        source,
        make_finding(source=source, text=f"{word} floods.", status=status),
    ]
    for collection in INDEXED:
        assert results(client, collection, q=word) == [], collection
    for entry in entries:
        entry.status = Status.PUBLISHED
        entry.save()
    for collection in INDEXED:
        assert len(results(client, collection, q=word)) == 1, collection


def test_q_with_nothing_to_search_for_finds_nothing(client, db):
    make_directive(title="Flood plan")
    assert results(client, "directives", q="!!! ---") == []
    assert results(client, "directives", q="-flood") == []  # an exclusion alone
    assert len(results(client, "directives", q="   ")) == 1  # blank: no search at all


@indexed_once
def add_flood_rows(count):
    """Rows of every indexed type, all with "flood" in their text, and the links each
    collection prefetches."""
    nepal = make_country()
    for _ in range(count):
        theme = make_theme()
        directive = make_directive(title="Flood plan", themes=[theme])
        directive.tags.add("floods")
        provision = make_provision(directive, text="Flood shelters.")
        source = make_source(title="Flood report", themes=[theme])
        directive.sources.add(source)
        agreement = make_agreement(
            title="Flood memorandum", themes=[theme], countries=[nepal], provisions=[provision]
        )
        agreement.mechanism = make_mechanism(name="Flood mechanism", themes=[theme])
        agreement.save()
        finding = make_finding(source=source, text="Floods rise.", themes=[theme])
        finding.provisions.add(provision)
        finding.agreements.add(agreement)


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), response.json()["count"]


@pytest.mark.parametrize("collection", INDEXED)
def test_q_adds_no_query_to_a_page_however_many_rows(client, db, collection):
    searched, listed = f"{API}{collection}/?q=flood&page_size=100", f"{API}{collection}/"
    add_flood_rows(1)
    few, few_found = count_queries(client, searched)
    add_flood_rows(5)
    many, many_found = count_queries(client, searched)
    unsearched, _ = count_queries(client, f"{listed}?page_size=100")
    assert (few_found, many_found) == (1, 6)
    assert few == many == unsearched


def test_the_schema_says_what_q_matches(client):
    response = client.get(f"{API}schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()
    assert "`q` for the site's full-text search" in schema["info"]["description"]

    def q_description(collection):
        operation = schema["paths"][f"{API}{collection}/"]["get"]
        return next(p["description"] for p in operation["parameters"] if p["name"] == "q")

    for collection in INDEXED:
        assert q_description(collection).startswith("The site's full-text search, as on /search/")
    for collection in ("themes", "countries"):
        assert "in the item's text fields" in q_description(collection)
