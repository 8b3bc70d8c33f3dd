"""Atom feeds read back with feedparser, the sitemap with ElementTree, robots.txt,
and the feed links in page heads."""

import datetime
import xml.etree.ElementTree as ET

import feedparser
import pytest
import time_machine
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from core.models import Status
from feeds.sitemaps import SITEMAP_PAGE_SIZE, SITEMAPS, I18nSitemap
from policies.models import Provision
from tests.builders import (
    make_agreement,
    make_country,
    make_directive,
    make_finding,
    make_mechanism,
    make_source,
    make_theme,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def parse_feed(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    return feed


def test_latest_feed_lists_new_entries_newest_first(client):
    with time_machine.travel(datetime.datetime(2024, 3, 1, 9, 0, tzinfo=UTC)):
        make_directive(title="Opinions on flood control", slug="flood-opinions")
    with time_machine.travel(datetime.datetime(2024, 3, 5, 9, 0, tzinfo=UTC)):
        make_agreement(title="MoU with Nepal", slug="nepal-mou")
    with time_machine.travel(datetime.datetime(2024, 3, 9, 9, 0, tzinfo=UTC)):
        make_source(title="A report on drills", slug="drills-report")
    feed = parse_feed(client, "/feeds/latest.atom")
    assert feed.feed.title == "emgov: newly published entries"
    assert feed.feed.link == "http://testserver/"
    assert [entry.title for entry in feed.entries] == [
        "A report on drills",
        "MoU with Nepal",
        "Opinions on flood control",
    ]
    assert [entry.link for entry in feed.entries] == [
        "http://testserver/sources/drills-report/",
        "http://testserver/agreements/nepal-mou/",
        "http://testserver/directives/flood-opinions/",
    ]
    published = feed.entries[2].published_parsed
    assert published[:5] == (2024, 3, 1, 9, 0)
    assert feed.entries[0].updated_parsed[:3] == (2024, 3, 9)


def test_feed_items_carry_their_gist_and_themes_and_escape_what_editors_type(client):
    theme = make_theme(name="Rescue forces")
    make_directive(
        title="Rules <script>alert(1)</script> & more",
        summary="Build a <b>national</b> rescue force.",
        themes=[theme],
    )
    entry = parse_feed(client, "/feeds/latest.atom").entries[0]
    assert entry.title == "Rules <script>alert(1)</script> & more"  # as text, not markup
    assert "Build a" in entry.summary
    assert [tag.term for tag in entry.tags] == ["Rescue forces"]
    raw = client.get("/feeds/latest.atom").content.decode()
    assert "<script>" not in raw


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN])
def test_unpublished_entries_are_in_no_feed(client, status):
    theme = make_theme(slug="floods")
    make_directive(title="Published", themes=[theme])
    make_directive(title="Hidden directive", themes=[theme], status=status)
    make_agreement(title="Hidden agreement", themes=[theme], status=status)
    make_source(title="Hidden source", themes=[theme], status=status)
    for path in ("/feeds/latest.atom", "/themes/floods/feed.atom"):
        titles = [entry.title for entry in parse_feed(client, path).entries]
        assert titles == ["Published"], path


def test_theme_feed_includes_sub_themes_only(client):
    parent = make_theme(slug="cooperation", name="Cooperation")
    child = make_theme(slug="belt-and-road", parent=parent)
    other = make_theme(slug="other")
    make_mechanism(name="Mechanism under the child", themes=[child])
    make_finding(text="A finding under the parent", themes=[parent])
    make_directive(title="Elsewhere", themes=[other])
    feed = parse_feed(client, "/themes/cooperation/feed.atom")
    assert feed.feed.title == "emgov: newly published under “Cooperation”"
    assert feed.feed.link == "http://testserver/themes/cooperation/"
    assert sorted(entry.title for entry in feed.entries) == [
        "Mechanism under the child",
        "Problem: A finding under the parent",
    ]
    assert client.get("/themes/no-such-theme/feed.atom").status_code == 404


def test_feed_auto_discovery_in_page_heads(client, seeded):
    home = client.get("/").content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" '
        'title="emgov: newly published entries" href="/feeds/latest.atom">'
    ) in home
    theme = client.get("/themes/international-cooperation/").content.decode()
    assert 'href="/themes/international-cooperation/feed.atom"' in theme
    assert 'href="/feeds/latest.atom"' in theme


def read_xml(client, address):
    response = client.get(address.removeprefix("http://testserver"))
    assert response.status_code == 200
    return ET.fromstring(response.content)  # noqa: S314 (our own response, in a test)


def sitemap_files(client):
    """The addresses of the sitemaps that /sitemap.xml lists."""
    index = read_xml(client, "/sitemap.xml")
    assert index.tag == f"{SITEMAP}sitemapindex"
    return [entry.find(f"{SITEMAP}loc").text for entry in index.iter(f"{SITEMAP}sitemap")]


def sitemap_urls(client, address):
    """[(address, lastmod)] of one sitemap file, in its order."""
    return [
        (url.find(f"{SITEMAP}loc").text, url.find(f"{SITEMAP}lastmod").text)
        for url in read_xml(client, address).iter(f"{SITEMAP}url")
    ]


def sitemap(client):
    """{address: lastmod} of every page the sitemap index leads to."""
    pairs = [pair for file in sitemap_files(client) for pair in sitemap_urls(client, file)]
    urls = dict(pairs)
    assert len(urls) == len(pairs)  # no page listed twice
    return urls


def test_sitemap_index_lists_one_sitemap_per_kind_of_page(client):
    make_directive(slug="opinions", provisions=1)
    sections = "pages themes directives provisions agreements mechanisms sources countries tags"
    assert sitemap_files(client) == [
        f"http://testserver/sitemap-{section}.xml" for section in sections.split()
    ]
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_each_sitemap_asks_each_question_once_for_the_index(client):
    make_directive(slug="opinions", provisions=1, themes=[make_theme(slug="floods")])
    make_agreement(slug="mou", countries=[make_country()]).tags.add("floods")
    for section, sitemap_of in SITEMAPS.items():
        site = sitemap_of() if callable(sitemap_of) else sitemap_of
        with CaptureQueriesContext(connection) as captured:
            site.get_latest_lastmod()  # what the index view asks of each sitemap
            assert site.paginator.num_pages == 1
        statements = [query["sql"] for query in captured]
        assert len(statements) == len(set(statements)), section


def test_long_sitemaps_are_split_into_pages_that_list_each_address_once(client, monkeypatch):
    monkeypatch.setattr(I18nSitemap, "limit", 4)  # two entries a page, in two languages
    make_directive(slug="opinions", provisions=5)
    files = [file for file in sitemap_files(client) if "provisions" in file]
    # Page n lists the provisions whose id is in (first + (n - 1) * 2, first + n * 2]:
    # five provisions with ids in a row, three pages.
    base = "http://testserver/sitemap-provisions.xml"
    assert files == [base, f"{base}?p=2", f"{base}?p=3"]
    pages = [[address for address, _ in sitemap_urls(client, file)] for file in files]
    assert all(len(page) <= 4 for page in pages)
    listed = [address for page in pages for address in page]
    expected = [
        f"http://testserver{prefix}/directives/opinions/p{number}/"
        for number in range(1, 6)
        for prefix in ("", "/zh-hans")
    ]
    assert listed == expected
    assert client.get(f"/sitemap-provisions.xml?p={len(files) + 1}").status_code == 404
    assert client.get("/sitemap-provisions.xml?p=0").status_code == 404
    assert client.get("/sitemap-provisions.xml?p=x").status_code == 404


def test_each_address_in_a_sitemap_names_its_language_versions(client):
    """Every <url> of an entry, English and Chinese, carries the same three hreflang
    alternates, each address made for its own language."""
    make_directive(slug="opinions", provisions=1)
    english = "http://testserver/directives/opinions/p1/"
    chinese = "http://testserver/zh-hans/directives/opinions/p1/"
    urls = read_xml(client, "/sitemap-provisions.xml").findall(f"{SITEMAP}url")
    assert [url.find(f"{SITEMAP}loc").text for url in urls] == [english, chinese]
    for url in urls:
        alternates = [
            (link.get("rel"), link.get("hreflang"), link.get("href"))
            for link in url.findall("{http://www.w3.org/1999/xhtml}link")
        ]
        assert alternates == [
            ("alternate", "en", english),
            ("alternate", "zh-hans", chinese),
            ("alternate", "x-default", english),
        ]


def test_a_sitemap_file_holds_at_most_its_limit_of_addresses():
    """2,000 addresses (1,000 entries in two languages): a file of 10,000 took seconds."""
    assert SITEMAP_PAGE_SIZE == 2_000
    for sitemap_of in SITEMAPS.values():
        site = sitemap_of() if callable(sitemap_of) else sitemap_of
        assert site.limit == SITEMAP_PAGE_SIZE


def test_a_deep_sitemap_page_is_one_range_of_ids(client, monkeypatch):
    """Page n reads the entries of its own id range, not every row before it."""
    monkeypatch.setattr(I18nSitemap, "limit", 2)  # one entry a page
    make_directive(slug="deep", provisions=4)
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        listed = sitemap_urls(client, "/sitemap-provisions.xml?p=4")
    assert [address for address, _ in listed] == [
        "http://testserver/directives/deep/p4/",
        "http://testserver/zh-hans/directives/deep/p4/",
    ]
    assert len(statements) == 3, statements  # the smallest and largest ids, the page's range
    assert not any("OFFSET" in sql.upper() for sql in statements), statements


def test_a_sitemap_page_reads_only_its_own_entries_in_a_fixed_number_of_queries(
    client, monkeypatch
):
    monkeypatch.setattr(I18nSitemap, "limit", 4)  # two provisions, in two languages
    make_directive(slug="small", provisions=2)

    def read_page(number):
        loaded = []

        def count(sender, instance, **kwargs):
            loaded.append(instance.pk)

        post_init.connect(count, sender=Provision)
        try:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(f"/sitemap-provisions.xml?p={number}")
        finally:
            post_init.disconnect(count, sender=Provision)
        assert response.status_code == 200
        return len(captured), loaded

    queries, loaded = read_page(1)
    assert len(loaded) == 2
    make_directive(slug="large", provisions=30)
    assert read_page(1) == (queries, loaded)
    assert len(read_page(9)[1]) == 2


def test_sitemap_lists_every_published_page_with_its_last_change(client):
    nepal = make_country()
    make_country("LA", "Laos")  # no agreements: nothing to index
    theme = make_theme(slug="floods")
    with time_machine.travel(datetime.datetime(2024, 2, 1, tzinfo=UTC)):
        make_directive(slug="opinions", provisions=2, themes=[theme])
    with time_machine.travel(datetime.datetime(2024, 4, 1, tzinfo=UTC)):
        make_agreement(slug="nepal-mou", countries=[nepal])
        make_mechanism(slug="mechanism")
        make_source(slug="report")
    urls = sitemap(client)
    base = "http://testserver"
    expected = {
        "/directives/opinions/": "2024-02-01",
        "/directives/opinions/p1/": "2024-02-01",
        "/directives/opinions/p2/": "2024-02-01",
        "/agreements/nepal-mou/": "2024-04-01",
        "/mechanisms/mechanism/": "2024-04-01",
        "/sources/report/": "2024-04-01",
        "/themes/floods/": "2024-02-01",
        "/countries/np/": "2024-04-01",
        "/directives/": "2024-02-01",
        "/agreements/": "2024-04-01",
        "/": "2024-04-01",
    }
    for path, lastmod in expected.items():
        assert urls[base + path] == lastmod, path
        assert urls[f"{base}/zh-hans{path}"] == lastmod, path  # the Chinese page too
    assert base + "/countries/la/" not in urls
    assert all(urls.values())  # every page has its lastmod


def test_sitemap_lists_the_tags_of_published_entries_with_their_last_change(client):
    with time_machine.travel(datetime.datetime(2024, 2, 1, tzinfo=UTC)):
        make_directive(slug="opinions").tags.add("floods")
        make_directive(slug="hidden", status=Status.DRAFT).tags.add("secret")
    with time_machine.travel(datetime.datetime(2024, 5, 1, tzinfo=UTC)):
        make_agreement(slug="mou").tags.add("floods")
    urls = sitemap(client)
    assert urls["http://testserver/tags/floods/"] == "2024-05-01"
    assert urls["http://testserver/zh-hans/tags/floods/"] == "2024-05-01"
    assert client.get("/tags/floods/").status_code == 200
    assert not any("/tags/secret/" in url for url in urls)


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN])
def test_unpublished_pages_are_not_in_the_sitemap(client, status):
    nepal = make_country()
    make_directive(slug="hidden", provisions=1, status=status)
    make_agreement(slug="hidden-mou", countries=[nepal], status=status)
    make_source(slug="hidden-source", status=status)
    make_mechanism(slug="hidden-mechanism", status=status)
    urls = " ".join(sitemap(client))
    for hidden in ("hidden", "/countries/np/", "/directives/", "/agreements/"):
        assert hidden not in urls


def test_robots_txt_points_at_the_sitemap_and_keeps_out_of_the_admin(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
