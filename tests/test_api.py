"""The read-only JSON API: what it answers on the starter data, that it holds only
published entries, its filters, paging, errors, throttle and cost."""

import datetime
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation.models import Agreement
from core.models import Status
from tests.builders import (
    indexed_once,
    make_agreement,
    make_country,
    make_directive,
    make_finding,
    make_mechanism,
    make_organization,
    make_provision,
    make_source,
    make_theme,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/"
XI = "xi-2019-emergency-management"
PAPER = "xu-meng-belt-and-road-emergency-cooperation"
COLLECTIONS = [
    "themes",
    "directives",
    "provisions",
    "agreements",
    "mechanisms",
    "countries",
    "sources",
    "findings",
]


def get_json(client, path, expect=200, **params):
    response = client.get(path, params)
    assert response.status_code == expect, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def results(client, collection, **params):
    return get_json(client, f"{API}{collection}/", page_size=100, **params)["results"]


def test_root_links_every_collection_the_schema_docs_and_data(client):
    root = get_json(client, API)
    for name in COLLECTIONS:
        assert root[name] == f"http://testserver{API}{name}/"
    assert root["schema"] == "http://testserver/api/v1/schema/"
    assert root["docs"] == "http://testserver/api/v1/docs/"
    assert root["data"] == "http://testserver/data/"


@pytest.mark.parametrize(
    ("collection", "count", "key", "expected"),
    [
        ("themes", 9, "slug", "international-cooperation"),
        ("directives", 1, "slug", XI),
        ("provisions", 6, "label", "p3"),
        ("agreements", 0, None, None),
        (
            "mechanisms",
            1,
            "slug",
            "belt-and-road-disaster-prevention-emergency-management-mechanism",
        ),
        ("countries", 249, "code", "cn"),
        ("sources", 2, "slug", PAPER),
        ("findings", 10, "label", "f10"),
    ],
)
def test_every_collection_lists_the_starter_data(client, seeded, collection, count, key, expected):
    page = get_json(client, f"{API}{collection}/", page_size=100)
    assert page["count"] == count
    if key:
        assert expected in [item[key] for item in page["results"]]
        for item in page["results"]:
            assert item["permalink"].startswith("http://testserver/")


def test_a_directive_carries_its_permalink_and_the_keys_of_linked_items(client, seeded):
    directive = get_json(client, f"{API}directives/{XI}/")
    assert directive["permalink"] == f"http://testserver/directives/{XI}/"
    assert directive["kind"] == "speech"
    assert directive["date"] == "2019-11-29"
    assert directive["speaker"] == "Xi Jinping"
    assert directive["issuing_body"] is None  # the report names no issuer
    assert (directive["date_basis"], directive["points_are"]) == ("inferred", "division")
    assert directive["sources"] == ["cgtn-2019-xi-emergency-management"]
    assert directive["themes"] == ["emergency-management-system"]
    assert len(directive["provisions"]) == 6
    # Each linked key opens the linked item.
    assert [p["number"] for p in directive["provisions"]] == [1, 2, 3, 4, 5, 6]
    assert directive["provisions"][2]["permalink"].endswith(f"/directives/{XI}/p3/")
    third = get_json(client, f"{API}provisions/{directive['provisions'][2]['id']}/")
    assert third["number"] == 3
    assert third["directive"] == XI
    assert third["permalink"] == f"http://testserver/directives/{XI}/p3/"
    source = get_json(client, f"{API}sources/{directive['sources'][0]}/")
    assert source["outlet"] == "CGTN"


def test_a_source_lists_its_authors_in_order_and_its_findings(client, seeded):
    paper = get_json(client, f"{API}sources/{PAPER}/")
    assert paper["authors"] == ["Xu, Qian", "Meng, Fanhua"]
    assert paper["kind"] == "journal_article"
    assert len(paper["findings"]) == 10
    finding = get_json(client, f"{API}findings/{paper['findings'][0]}/")
    assert finding["source"] == PAPER
    assert finding["permalink"] == f"http://testserver/sources/{PAPER}/#f1"


def test_countries_answer_to_their_lower_case_code_with_published_agreements(client):
    nepal = make_country()
    make_agreement(countries=[nepal], slug="published-mou")
    make_agreement(countries=[nepal], slug="draft-mou", status=Status.DRAFT)
    country = get_json(client, f"{API}countries/np/")
    assert country["code"] == "np"
    assert country["name"] == "Nepal"
    assert country["permalink"] == "http://testserver/countries/np/"
    assert country["agreements"] == ["published-mou"]
    assert get_json(client, f"{API}countries/NP/")["code"] == "np"
    get_json(client, f"{API}countries/zz/", expect=404)


def test_an_agreement_lists_parties_and_only_published_links(client):
    nepal = make_country()
    directive = make_directive(provisions=2, slug="opinions")
    draft_directive = make_directive(provisions=1, slug="draft-opinions", status=Status.DRAFT)
    draft_mechanism = make_mechanism(status=Status.DRAFT)
    agreement = make_agreement(
        countries=[nepal],
        provisions=[directive.provisions.get(number=2), draft_directive.provisions.get()],
        mechanism=draft_mechanism,
        slug="nepal-mou",
        agreement_status=Agreement.AgreementStatus.IN_FORCE,
        in_force_on=datetime.date(2019, 5, 1),
    )
    agreement.party_organizations.add(
        make_organization(name="Ministry of Home Affairs", slug="moha")
    )
    agreement.sources.add(make_source(slug="public-report"), make_source(status=Status.DRAFT))
    data = get_json(client, f"{API}agreements/nepal-mou/")
    assert data["party_countries"] == ["np"]
    assert data["party_organizations"] == ["moha"]
    assert data["agreement_status"] == "in_force"
    assert data["signed_on"] == "2019-04-25"
    assert data["in_force_on"] == "2019-05-01"
    assert data["directives"] == ["opinions"]
    assert data["provisions"] == [directive.provisions.get(number=2).pk]
    assert data["sources"] == ["public-report"]
    assert data["mechanism"] is None  # a draft mechanism is not named
    provision = get_json(client, f"{API}provisions/{directive.provisions.get(number=2).pk}/")
    assert provision["agreements"] == ["nepal-mou"]
    assert get_json(client, f"{API}directives/opinions/")["agreements"] == ["nepal-mou"]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN])
def test_unpublished_entries_are_in_no_list_and_no_detail(client, status):
    theme = make_theme(slug="hidden-theme")
    directive = make_directive(status=status, slug="hidden-directive", provisions=1)
    items = {
        "directives": "hidden-directive",
        "provisions": directive.provisions.get().pk,
        "agreements": make_agreement(status=status, slug="hidden-agreement").slug,
        "mechanisms": make_mechanism(status=status, slug="hidden-mechanism").slug,
        "sources": make_source(status=status, slug="hidden-source").slug,
        "findings": make_finding(source=make_source(status=status), status=status).pk,
    }
    for collection, key in items.items():
        assert results(client, collection) == [], collection
        get_json(client, f"{API}{collection}/{key}/", expect=404)
    # Reference data is public, but a draft linked to it is not listed with it.
    theme_data = get_json(client, f"{API}themes/hidden-theme/")
    assert theme_data["name"] == theme.name


def test_a_published_entry_does_not_name_its_draft_links(client):
    directive = make_directive(slug="public")
    directive.sources.add(make_source(status=Status.DRAFT), make_source(slug="public-source"))
    make_agreement(provisions=[make_provision(directive)], status=Status.DRAFT)
    source = make_source(slug="with-findings")
    make_finding(source=source, status=Status.DRAFT)
    mechanism = make_mechanism(slug="mechanism")
    make_agreement(mechanism=mechanism, status=Status.DRAFT)
    assert get_json(client, f"{API}directives/public/")["sources"] == ["public-source"]
    assert get_json(client, f"{API}directives/public/")["agreements"] == []
    assert get_json(client, f"{API}sources/with-findings/")["findings"] == []
    assert get_json(client, f"{API}mechanisms/mechanism/")["agreements"] == []


def test_directive_filters_are_the_list_pages_filters(client):
    parent = make_theme(slug="parent")
    child = make_theme(slug="child", parent=parent)
    body = make_organization(slug="state-council")
    make_directive(themes=[child], slug="under-child", issuing_body=body)
    law = make_directive(
        slug="a-law", title="Flood Control Law", kind="law", date=datetime.date(2007, 8, 30)
    )
    law.tags.add("flood-control")

    def slugs(**params):
        return [item["slug"] for item in results(client, "directives", **params)]

    assert slugs(theme="parent") == ["under-child"]  # a sub-theme's entries count
    assert slugs(kind="law") == ["a-law"]
    assert slugs(year=2007) == ["a-law"]
    assert slugs(tag="flood-control") == ["a-law"]
    assert slugs(body="state-council") == ["under-child"]
    assert slugs(q="OPINIONS emergency") == ["under-child"]  # every word, any case


def test_agreement_filters_are_the_list_pages_filters(client):
    nepal, laos = make_country(), make_country("LA", "Laos")
    mechanism = make_mechanism(slug="bri-mechanism")
    make_agreement(countries=[nepal], slug="with-nepal", mechanism=mechanism)
    make_agreement(
        countries=[laos],
        slug="with-laos",
        signed_on=datetime.date(2023, 1, 2),
        agreement_status=Agreement.AgreementStatus.EXPIRED,
    )

    def slugs(**params):
        return [item["slug"] for item in results(client, "agreements", **params)]

    assert slugs(country="np") == ["with-nepal"]
    assert slugs(status="expired") == ["with-laos"]
    assert slugs(mechanism="bri-mechanism") == ["with-nepal"]
    assert slugs(year=2023) == ["with-laos"]


def test_other_collections_filter_too(client, seeded):
    assert [t["slug"] for t in results(client, "themes", parent="international-cooperation")] == [
        "belt-and-road",
        "cooperation-governance",
        "talent-and-research",
    ]
    assert [p["number"] for p in results(client, "provisions", directive=XI, tag="volunteers")] == [
        2
    ]
    problems = results(client, "findings", source=PAPER, kind="problem")
    assert problems and {f["kind"] for f in problems} == {"problem"}
    assert [s["slug"] for s in results(client, "sources", kind="news_report")] == [
        "cgtn-2019-xi-emergency-management"
    ]
    assert [c["code"] for c in results(client, "countries", q="nepal")] == ["np"]
    assert len(results(client, "countries", region="asia")) > 40


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"theme": "no-such-theme"}, "theme", "There is no such theme"),
        ({"kind": "poem"}, "kind", "poem"),
        ({"year": "twenty"}, "year", "number"),
        ({"body": "bad\x00slug"}, "body", "There is no such organization"),
        ({"tag": "nul\x00"}, "tag", "Null characters are not allowed"),
        ({"q": "x" * 201}, "q", "at most 200 characters"),
        ({"q": "nul\x00"}, "q", "Null characters are not allowed"),
        ({"page": "abc"}, "page", "There is no page “abc”"),
        ({"page": "99"}, "page", "pages run from 1 to 1"),
        ({"page_size": "0"}, "page_size", "from 1 to 100"),
        ({"page_size": "ten"}, "page_size", "from 1 to 100"),
    ],
)
def test_a_bad_parameter_is_a_400_that_says_what_was_wrong(client, params, field, message):
    make_directive()
    data = get_json(client, f"{API}directives/", expect=400, **params)
    assert message in " ".join(data[field])


def test_page_size_is_capped_at_100(client):
    theme = make_theme(slug="t")
    for index in range(3):
        make_theme(slug=f"child-{index}", parent=theme)
    page = get_json(client, f"{API}themes/", page_size=2)
    assert len(page["results"]) == 2
    assert page["next"] == "http://testserver/api/v1/themes/?page=2&page_size=2"
    make_country()
    countries = get_json(client, f"{API}themes/", page_size=1000)
    assert len(countries["results"]) == 4  # all of them: 1000 is read as 100


def test_anonymous_clients_are_throttled_at_the_documented_rate(client, settings):
    from django.conf import settings as live_settings

    assert live_settings.API_REQUESTS_PER_MINUTE == 120
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute"},
    }
    cache.clear()
    for _ in range(3):
        assert client.get(f"{API}themes/").status_code == 200
    refused = client.get(f"{API}themes/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "throttled" in refused.json()["detail"].lower()
    cache.clear()


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("collection", "expected"),
    [
        ("directives", 7),
        ("provisions", 6),
        ("agreements", 11),
        ("mechanisms", 8),
        ("countries", 4),
        ("sources", 6),
        ("findings", 6),
        ("themes", 3),
    ],
)
def test_a_page_costs_the_same_queries_for_one_row_or_many(client, collection, expected):
    """count + rows + one query per prefetched relation, whatever the number of rows."""

    @indexed_once
    def add_rows(count):
        nepal = make_country()
        for _ in range(count):
            theme = make_theme()
            directive = make_directive(themes=[theme], provisions=2)
            directive.tags.add("floods")
            directive.sources.add(make_source(themes=[theme]))
            agreement = make_agreement(
                themes=[theme], countries=[nepal], provisions=[directive.provisions.first()]
            )
            agreement.mechanism = make_mechanism(themes=[theme])
            agreement.save()
            finding = make_finding(themes=[theme])
            finding.provisions.add(directive.provisions.first())
            finding.agreements.add(agreement)

    path = f"{API}{collection}/?page_size=100"
    add_rows(1)
    few = count_queries(client, path)
    add_rows(5)
    many = count_queries(client, path)
    assert (few, many) == (expected, expected)


class AssetParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self.styles, self.inline = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs.get("src"))
        elif tag == "link" and attrs.get("rel") == "stylesheet":
            self.styles.append(attrs["href"])
        elif tag == "style" or "style" in attrs:
            self.inline.append(tag)


def test_docs_page_uses_only_the_sites_own_assets_and_no_inline_script(client):
    response = client.get(f"{API}docs/")
    assert response.status_code == 200
    page = AssetParser()
    page.feed(response.content.decode())
    assert page.scripts and None not in page.scripts  # every script has a src: none inline
    assert page.inline == []  # and no inline style, which the CSP would refuse
    for url in page.scripts + page.styles:
        assert url.startswith("/"), url  # served by the site, no CDN
    init = client.get(page.scripts[-1])
    assert init["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in init.content.decode()
    assert '"/api/v1/schema/"' in init.content.decode()


def test_schema_is_openapi_3_with_every_collection(client):
    response = client.get(f"{API}schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "120 requests a minute" in schema["info"]["description"]
    for name in COLLECTIONS:
        assert f"/api/v1/{name}/" in schema["paths"]
    directives = schema["paths"]["/api/v1/directives/"]["get"]
    params = {p["name"] for p in directives["parameters"]}
    assert params == {"theme", "kind", "body", "year", "tag", "q", "page", "page_size"}
    agreements = schema["paths"]["/api/v1/agreements/"]["get"]
    assert {p["name"] for p in agreements["parameters"]} == {
        "theme", "kind", "country", "status", "mechanism", "year", "tag", "q", "page", "page_size"
    }  # fmt: skip
