"""/search/: what a reader finds, how it is ranked, highlighted and narrowed, on
whichever database the suite runs (the same tests pass on SQLite and PostgreSQL)."""

import datetime
import importlib
import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Status, Theme
from policies.models import Directive
from search import services
from search.models import IndexState, SearchDocument
from tests.builders import make_directive, make_provision
from tests.search_corpus import build_corpus
from tests.test_search_index import parse

pytestmark = pytest.mark.django_db

SEARCH = "/search/"


@pytest.fixture
def corpus(search_corpus):
    # Built once for the tests that ask (tests/conftest.py).
    return search_corpus


def result_urls(response):
    """The permalinks of the results, in order."""
    html = response.content.decode()
    return re.findall(r'<h3 class="card__title"><a href="([^"]+)"', html)


def search(client, **params):
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    return response


def test_header_has_a_labelled_search_box_that_works_without_script(client, corpus):
    html = client.get("/").content.decode()
    form = re.search(r'<form class="site-search"[^>]*>.*?</form>', html, re.S).group()
    assert 'method="get"' in form and f'action="{SEARCH}"' in form
    assert '<label for="site-search-q">' in form and 'id="site-search-q"' in form
    assert 'name="q"' in form


def test_finds_every_published_type_by_its_words(client, corpus):
    expectations = {
        "volunteer": corpus["teams"].get_absolute_url(),
        "collapsed buildings": "/directives/volunteer-rescue-teams/p1/",
        "earthquake drills": corpus["earthquake"].get_absolute_url(),
        "standing mechanism": corpus["mechanism"].get_absolute_url(),
        "lags behind practice": corpus["source"].get_absolute_url(),
        "theoretical cooperation": corpus["finding"].get_absolute_url(),
    }
    for words, url in expectations.items():
        assert url in result_urls(search(client, q=words)), words


def test_a_provision_links_to_its_own_page_and_names_its_directive(client, corpus):
    html = search(client, q="collapsed").content.decode()
    assert 'href="/directives/volunteer-rescue-teams/p1/"' in html
    assert "Point 1 of" in html
    assert (
        'href="/directives/volunteer-rescue-teams/">Opinions on volunteer rescue teams</a>' in html
    )


def test_results_show_type_date_and_themes(client, corpus):
    html = search(client, q="earthquake").content.decode()
    assert "Agreements" in html
    assert '<time datetime="2018-05-10">' in html
    assert 'href="/themes/cooperation/">International cooperation</a>' in html


def test_english_stemming_finds_other_forms(client, corpus):
    urls = result_urls(search(client, q="rescue"))
    assert "/directives/volunteer-rescue-teams/p1/" in urls  # "rescuing"
    assert corpus["teams"].get_absolute_url() in result_urls(search(client, q="volunteering"))


def test_matches_are_highlighted(client, corpus):
    html = search(client, q="drills").content.decode()
    assert "<mark>drills</mark>" in html


def test_title_matches_rank_above_body_matches(client, corpus):
    urls = result_urls(search(client, q="risk prevention"))
    assert urls[0] == corpus["plan"].get_absolute_url()  # in the title
    assert "/directives/volunteer-rescue-teams/p2/" in urls[1:]  # in the text only


def test_sort_by_date_puts_the_newest_first(client, corpus):
    urls = result_urls(search(client, q="rescue", sort="date"))
    assert urls.index(corpus["plan"].get_absolute_url()) < urls.index(
        corpus["earthquake"].get_absolute_url()
    )


def test_quoted_phrase_or_and_exclusion(client, corpus):
    phrase = result_urls(search(client, q='"early warning"'))
    assert phrase == [corpus["flood"].get_absolute_url()]
    # Syntax means the reader wants exactly this: no near misses are offered.
    assert "0 results" in search(client, q='"warning early"').content.decode()
    either = result_urls(search(client, q="earthquake OR flood"))
    assert set(either) >= {
        corpus["earthquake"].get_absolute_url(),
        corpus["flood"].get_absolute_url(),
    }
    excluded = result_urls(search(client, q="rescue -volunteer"))
    assert corpus["earthquake"].get_absolute_url() in excluded
    assert corpus["teams"].get_absolute_url() not in excluded


@pytest.mark.parametrize("typo", ["resuce teams", "rescu teams", "voluntear"])
def test_small_typos_still_find_the_entry(client, corpus, typo):
    assert corpus["teams"].get_absolute_url() in result_urls(search(client, q=typo))


def test_chinese_query_finds_original_language_text(client, corpus):
    response = search(client, q="应急管理")
    assert result_urls(response) == [corpus["teams"].get_absolute_url()]
    assert "<mark>应急管理</mark>" in response.content.decode()
    assert corpus["earthquake"].get_absolute_url() in result_urls(search(client, q="地震救援"))


def test_drafts_never_appear_in_results_or_counts(client, corpus):
    html = search(client, q="secret draft rescue teams").content.decode()
    assert "secret-draft" not in html and "Draft provision" not in html
    counts = search(client, tag="volunteers").content.decode()
    assert "secret-draft" not in counts
    assert "1 result" in counts  # only the published directive carries the tag


def test_publishing_and_withdrawing_update_the_index(client, corpus):
    draft = corpus["draft"]
    draft.status = Status.PUBLISHED
    draft.save()
    urls = result_urls(search(client, q="secret"))
    assert draft.get_absolute_url() in urls
    assert "/directives/secret-draft/p1/" in result_urls(search(client, q="draft provision"))
    draft.status = Status.WITHDRAWN
    draft.save()
    assert result_urls(search(client, q="secret")) == []
    assert result_urls(search(client, q="draft provision")) == []


def test_facet_counts_follow_the_query(client, corpus):
    html = search(client, q="rescue").content.decode()
    facets = facet_counts(html)
    # directive "teams" (title), its provision 1, plan (body), the agreement, the source
    assert facets["type"] == {"Directives": 2, "Provisions": 1, "Agreements": 1, "Sources": 1}
    assert facets["year"] == {"2021": 1, "2020": 1, "2019": 2, "2018": 1}
    # A theme counts its sub-themes' entries: "teams" and provision 1 sit under "rescue".
    assert facets["theme"]["Emergency management"] == 3
    assert facets["theme"]["Rescue forces"] == 2
    assert facets["country"] == {"Nepal": 1}
    assert facets["tag"] == {"volunteers": 1, "earthquakes": 1}


def test_facets_combine_with_the_query_and_each_other(client, corpus):
    response = search(client, q="rescue", type="directives", year="2019")
    assert result_urls(response) == [corpus["teams"].get_absolute_url()]
    by_theme = result_urls(search(client, q="rescue", theme="management"))
    assert set(by_theme) == {
        corpus["teams"].get_absolute_url(),
        corpus["plan"].get_absolute_url(),
        "/directives/volunteer-rescue-teams/p1/",
    }
    agreements_with_nepal = result_urls(search(client, type="agreements", country="np"))
    assert agreements_with_nepal == [corpus["earthquake"].get_absolute_url()]
    assert result_urls(search(client, tag="earthquakes", country="pk")) == []


def test_chosen_facets_are_shown_and_removable_keeping_the_rest(client, corpus):
    html = search(client, q="rescue", type="directives", theme="management").content.decode()
    chips = re.search(r'<ul class="chips chips--chosen".*?</ul>', html, re.S).group()
    assert "Type: Directives" in chips and "Theme: Emergency management" in chips
    remove_type = re.search(r'<a href="\?([^"]+)"[^>]*>Type:', chips).group(1)
    assert "type=" not in remove_type
    assert "q=rescue" in remove_type and "theme=management" in remove_type


def test_facet_links_keep_the_query_and_drop_the_page(client, corpus):
    html = search(client, q="rescue", page="1").content.decode()
    link = re.search(r'href="\?([^"]*type=agreements[^"]*)"', html).group(1)
    assert "q=rescue" in link and "page=" not in link


def test_results_escape_what_editors_type(client, db):
    make_directive(
        title='Rescue <script>alert("x")</script> teams',
        slug="xss",
        summary="<img src=x onerror=alert(1)> rescue summary",
    )
    html = search(client, q="rescue").content.decode()
    assert "<script>alert" not in html and "<img" not in html
    assert "<mark>Rescue</mark> &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; teams" in html
    assert "<mark>rescue</mark> summary" in html


class Marks(HTMLParser):
    """The text of every <mark> on a page, and any <mark> opened inside another, closed
    when none is open, or left open across other tags (ours hold only text)."""

    def __init__(self, html):
        super().__init__()
        self.open, self.texts, self.unbalanced = False, [], []
        self.feed(html)
        self.close()
        if self.open:
            self.unbalanced.append("a <mark> never closed")

    def handle_starttag(self, tag, attrs):
        if self.open:
            self.unbalanced.append(f"a <{tag}> inside a <mark>")
        if tag == "mark":
            self.open = True
            self.texts.append("")

    def handle_endtag(self, tag):
        if tag != "mark" and self.open:
            self.unbalanced.append(f"a </{tag}> inside a <mark>")
        elif tag == "mark":
            if not self.open:
                self.unbalanced.append("a </mark> with no <mark> open")
            self.open = False

    def handle_data(self, data):
        if self.open:
            self.texts[-1] += data


def assert_marks_only_the_word(html, word):
    assert "\ue000" not in html and "\ue001" not in html
    marks = Marks(html)
    assert marks.unbalanced == []
    assert marks.texts and all(text.lower().startswith(word) for text in marks.texts), marks.texts


def test_stray_highlight_markers_typed_by_editors_leave_every_mark_balanced(client, db):
    # The markers are private-use characters; pasted text can carry them (icon fonts).
    make_directive(
        title="Flood relief\ue000 plan",
        slug="stray-markers",
        summary="Levees against floods\ue001 and walls.",
    )
    html = search(client, q="flood").content.decode()
    assert result_urls(search(client, q="flood")) == ["/directives/stray-markers/"]
    assert_marks_only_the_word(html, "flood")
    assert "<mark>Flood</mark> relief plan" in html


def test_a_migration_takes_stray_markers_out_of_documents_indexed_before(client, db):
    directive = make_directive(title="Flood relief plan", summary="Levees against floods.")
    documents = SearchDocument.objects.filter(entry_type="directives", object_id=directive.pk)
    # As indexed before clean_text removed the markers.
    documents.update(title="Flood relief\ue000 plan", body="Levees against floods\ue001.")
    before = IndexState.objects.token()
    migration = importlib.import_module("search.migrations.0007_strip_highlight_markers")
    with connection.cursor() as cursor:
        migration.strip_markers(apps, SimpleNamespace(execute=cursor.execute))
    assert documents.values_list("title", "body").get() == (
        "Flood relief plan",
        "Levees against floods.",
    )
    assert IndexState.objects.token() != before
    html = search(client, q="flood").content.decode()
    assert_marks_only_the_word(html, "flood")
    assert result_urls(search(client, q="relief plan")) == [directive.get_absolute_url()]


def test_a_search_with_drafts_never_makes_a_results_page_and_reads_indexed_types_only(corpus):
    editors = services.search(text="secret rescue", include_drafts=True)
    assert list(editors.entries(Directive.objects.all())) == [corpus["draft"]]
    assert list(services.search(text="secret rescue").entries(Directive.objects.all())) == []
    with pytest.raises(ValueError, match="published documents only"):
        editors.page(selected={}, sort="relevance", page_number=1)
    with pytest.raises(ValueError, match="not in the search index"):
        editors.entries(Theme.objects.all())


def test_no_query_and_no_facet_shows_a_prompt(client, corpus):
    html = search(client).content.decode()
    assert "Type some words" in html and 'class="card result"' not in html


def test_pagination_keeps_the_query(client, db, settings):
    settings.PAGE_SIZE = 5
    directive = make_directive(title="Pager", slug="pager")
    for number in range(1, 13):
        make_provision(directive, number=number, text=f"Flood shelter number {number}.")
    html = search(client, q="shelter").content.decode()
    assert "12 results" in html
    assert 'href="?q=shelter&amp;page=2"' in html


def facet_counts(html):
    """{facet name: {label: count}} from the facet sidebar."""
    found = {}
    for section in re.findall(r'<section class="facet">(.*?)</section>', html, re.S):
        title = re.search(r'<h2 class="facet__title">([^<]+)</h2>', section).group(1).lower()
        found[title] = {
            label: int(count)
            for label, count in re.findall(
                r'>(?:<strong>)?([^<>]+)(?:</strong>)?</a> <span class="facet__count">(\d+)</span>',
                section,
            )
        }
    return found


@pytest.mark.parametrize("entries", [1, 30])
def test_search_page_query_count_does_not_grow_with_results(
    client, db, django_assert_max_num_queries, entries
):
    build_corpus()
    for number in range(entries):
        make_directive(title=f"Rescue plan {number}", slug=f"rescue-plan-{number}").tags.add(
            f"tag-{number}"
        )
    with django_assert_max_num_queries(14):
        response = client.get(
            SEARCH, {"q": "rescue", "theme": "management", "country": "np", "tag": "volunteers"}
        )
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        response = client.get(SEARCH, {"q": "rescue plan"})
    assert response.status_code == 200
    assert "/directives/rescue-plan-0/" in result_urls(response)


def test_timeline_lists_dated_entries_in_time_order_by_year(client, corpus):
    response = client.get(reverse("search:timeline"))
    assert response.status_code == 200
    html = response.content.decode()
    years = re.findall(r'<h2 id="year-(\d{4})">', html)
    assert years == ["2018", "2019", "2020", "2021"]
    order = [
        corpus[name].get_absolute_url()
        for name in ("earthquake", "teams", "source", "mechanism", "plan", "flood")
    ]
    positions = [html.index(f'href="{url}"') for url in order]
    assert positions == sorted(positions)
    assert "secret-draft" not in html
    assert "/p1/" not in html  # provisions take their directive's date; not repeated


def test_timeline_filters_by_type_and_theme(client, corpus):
    html = client.get(reverse("search:timeline"), {"type": "agreements"}).content.decode()
    assert corpus["earthquake"].get_absolute_url() in html
    assert corpus["teams"].get_absolute_url() not in html
    html = client.get(reverse("search:timeline"), {"theme": "management"}).content.decode()
    assert corpus["teams"].get_absolute_url() in html and corpus["plan"].get_absolute_url() in html
    assert corpus["earthquake"].get_absolute_url() not in html


def test_a_repeated_search_is_answered_from_the_cache_with_the_same_page(
    client, corpus, django_assert_max_num_queries
):
    first = search(client, q="rescue", theme="management")
    with CaptureQueriesContext(connection) as counted:
        again = search(client, q="rescue", theme="management")
    assert result_urls(again) == result_urls(first) and result_urls(first)
    assert facet_counts(again.content.decode()) == facet_counts(first.content.decode())
    counting_or_ranking = ("COUNT(", "ts_rank", "bm25", "word_similarity")
    repeated = [
        q["sql"]
        for q in counted.captured_queries
        if any(w in q["sql"] for w in counting_or_ranking)
    ]
    assert repeated == []


def test_a_published_change_shows_in_the_next_search_despite_the_cache(client, corpus):
    assert "/directives/tsunami-drill/" not in result_urls(search(client, q="rescue"))
    directive = make_directive(
        title="Tsunami rescue drill", slug="tsunami-drill", status=Status.DRAFT
    )
    assert "/directives/tsunami-drill/" not in result_urls(search(client, q="rescue"))
    directive.status = Status.PUBLISHED
    directive.save()
    assert "/directives/tsunami-drill/" in result_urls(search(client, q="rescue"))
    directive.delete()
    assert "/directives/tsunami-drill/" not in result_urls(search(client, q="rescue"))


def test_every_index_write_changes_the_index_state_and_reading_does_not(client, corpus):
    before = IndexState.objects.token()
    search(client, q="rescue")
    assert IndexState.objects.token() == before
    make_directive(title="Drought relief", slug="drought-relief")
    after_save = IndexState.objects.token()
    assert after_save != before
    Directive.objects.get(slug="drought-relief").delete()
    assert IndexState.objects.token() not in (before, after_save)


def shelter_pages(client, settings, monkeypatch):
    """Three pages of five results, read while all are cached; then an empty cache that
    keeps only the first seven results of a search, so pages 2 and 3 read the query."""
    settings.PAGE_SIZE = 5
    directive = make_directive(title="Pager", slug="pager")
    for number in range(1, 19):
        make_provision(directive, number=number, text=f"Flood shelter {'shelter ' * number}.")
    pages = [result_urls(search(client, q="shelter", page=n)) for n in (1, 2, 3)]
    cache.clear()
    monkeypatch.setattr(services, "CACHED_RESULTS", 7)
    return pages


def test_pages_beyond_the_cached_results_continue_the_same_order(client, db, settings, monkeypatch):
    pages = shelter_pages(client, settings, monkeypatch)
    assert [result_urls(search(client, q="shelter", page=n)) for n in (1, 2, 3)] == pages
    flattened = [url for page in pages for url in page]
    assert len(flattened) == len(set(flattened)) == 18


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_the_counting_query_orders_the_first_results_as_the_ranked_query_does(db, sort):
    # Ties in rank and in date, and undated entries, so that every key of the order
    # (rank, date with undated last, id) decides somewhere.
    for number, (title, date) in enumerate(
        [
            ("Flood shelter", None),
            ("Flood shelter", datetime.date(2020, 5, 1)),
            ("Flood shelters and flood walls", datetime.date(2020, 5, 1)),
            ("Shelter", datetime.date(2018, 1, 1)),
            ("Flood shelter", None),
            ("Floods", datetime.date(2021, 1, 1)),
        ]
    ):
        make_directive(title=title, date=date, slug=f"d{number}", summary="Flood relief.")
    query = parse("flood")
    matches = services.count_matches(services.filtered(query, {}).ranked(query), sort)
    ranked = services.ranked(query, {}, matches).in_order(sort)
    assert matches.first_ids == list(ranked.values_list("id", flat=True))
    assert matches.total == 6 and matches.by_type == {"directives": 6}


def test_a_new_search_counts_and_ranks_in_one_query(client, corpus):
    cache.clear()
    with CaptureQueriesContext(connection) as counted:
        response = search(client, q="rescue")
    assert result_urls(response)
    searching = [q["sql"] for q in counted.captured_queries if "COUNT(" in q["sql"]]
    assert len([sql for sql in searching if "ROW_NUMBER()" in sql]) == 1
    # SQLite first asks whether ranking fits its budget, with a count that stops
    # there (services.ranking_fits).
    bounded = [sql for sql in searching if "ROW_NUMBER()" not in sql]
    assert len(bounded) == (connection.vendor == "sqlite")
    assert all(re.search(r"LIMIT \d+\)", sql) for sql in bounded)


@pytest.mark.parametrize("text", ["rescue", "earthquake OR flood OR rescue OR plan", "disaster"])
def test_facet_counts_equal_the_facet_rows_of_the_matches(corpus, text):
    """The counting query counts facet values from each match's facet_keys; they are
    exactly what counting the matches' facet rows gives."""
    from search.models import SearchFacet

    query, counted = parse(text), []
    for filters in [services.NO_FILTERS, {**services.NO_FILTERS, "entry_type": "provisions"}]:
        documents = services.filtered(query, filters)
        matches = services.count_matches(documents.ranked(query), "relevance")
        expected = {kind: {} for kind in SearchFacet.Kind.values}
        for kind, value in SearchFacet.objects.filter(document__in=documents).values_list(
            "kind", "value"
        ):
            expected[kind][value] = expected[kind].get(value, 0) + 1
        assert matches.total == documents.count()
        assert matches.by_value == expected
        counted.append(sum(map(len, expected.values())))
    assert counted[0], "the search finds documents with facets"


def test_a_cold_deep_page_is_counted_and_ordered_in_one_query(client, db, settings, monkeypatch):
    """SQLite: a page beyond the cached first results, asked before its search is
    cached, takes its ids from the counting query (up to DEEP_RESULTS) rather than
    ranking every match again; PostgreSQL reads the ranked query, as before."""
    pages = shelter_pages(client, settings, monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        assert result_urls(search(client, q="shelter", page=3)) == pages[2]
    ranking = [q for q in queries.captured_queries if re.search(r"bm25|ts_rank", q["sql"])]
    assert len(ranking) == (2 if connection.vendor == "postgresql" else 1)
    # Beyond DEEP_RESULTS, or a page asked after the search was cached with fewer ids,
    # the ranked query reads the page.
    monkeypatch.setattr(services, "DEEP_RESULTS", 10)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert result_urls(search(client, q="shelter", page=3)) == pages[2]
    assert len([q for q in queries.captured_queries if re.search(r"bm25|ts_rank", q["sql"])]) == 2
    assert services.results_to_order("x", 5) == services.results_to_order(None, 5) == 7


UNRANKED_NOTICE = "too many entries to rank them by relevance"


@pytest.fixture
def shelters(db):
    """Six directives with "shelter": the oldest says it most, so relevance and date
    disagree on every place. Three carry the tag "coastal"."""
    for number in range(1, 7):
        directive = make_directive(
            title=f"Plan {number}",
            slug=f"shelter-{number}",
            date=datetime.date(2010 + number, 1, 1),
            # The same length each, so that only how often it says "shelter" ranks it.
            summary="Shelter. " * (8 - number) + "Relief. " * number,
        )
        if number % 2:
            directive.tags.add("coastal")
    by_relevance = [f"/directives/shelter-{n}/" for n in range(1, 7)]
    return SimpleNamespace(by_relevance=by_relevance, newest_first=by_relevance[::-1])


def ranking_room_for(monkeypatch, matches, phrases=1):
    """A ranking budget that fits `matches` matches of a query of `phrases` phrases,
    and not one more."""
    monkeypatch.setattr(services, "RANKING_BUDGET", (services.RANK_ROW_COST + phrases) * matches)


def test_a_search_within_the_ranking_budget_is_ranked(client, shelters, monkeypatch):
    ranking_room_for(monkeypatch, 6)
    response = search(client, q="shelter")
    assert result_urls(response) == shelters.by_relevance
    assert UNRANKED_NOTICE not in response.content.decode()


def test_a_search_too_large_to_rank_is_counted_in_full_and_listed_newest_first(
    client, shelters, monkeypatch
):
    ranked = search(client, q="shelter")
    cache.clear()
    ranking_room_for(monkeypatch, 5)
    with CaptureQueriesContext(connection) as counted:
        response = search(client, q="shelter")
    html = response.content.decode()
    assert "6 results" in html
    assert facet_counts(html) == facet_counts(ranked.content.decode())
    if connection.vendor == "sqlite":
        assert result_urls(response) == shelters.newest_first
        assert UNRANKED_NOTICE in html
        assert not [q for q in counted.captured_queries if "bm25" in q["sql"]]
    else:  # PostgreSQL ranks every search
        assert result_urls(response) == shelters.by_relevance
        assert UNRANKED_NOTICE not in html


def test_the_budget_counts_each_phrase_of_the_query(client, shelters, monkeypatch):
    ranking_room_for(monkeypatch, 6, phrases=1)
    response = search(client, q="shelter OR plan")  # two phrases: six matches cost more
    listed_by_date = result_urls(response) == shelters.newest_first
    assert listed_by_date == (connection.vendor == "sqlite")


def test_a_filter_that_narrows_the_matches_within_the_budget_ranks_them(
    client, shelters, monkeypatch
):
    ranking_room_for(monkeypatch, 5)
    response = search(client, q="shelter", tag="coastal")
    assert result_urls(response) == shelters.by_relevance[::2]
    assert UNRANKED_NOTICE not in response.content.decode()


def test_sorted_by_date_a_search_too_large_to_rank_has_no_notice(client, shelters, monkeypatch):
    ranking_room_for(monkeypatch, 5)
    response = search(client, q="shelter", sort="date")
    assert result_urls(response) == shelters.newest_first
    assert UNRANKED_NOTICE not in response.content.decode()


def test_pages_beyond_the_cached_results_of_an_unranked_search_keep_its_order(
    client, shelters, settings, monkeypatch
):
    settings.PAGE_SIZE = 2
    ranking_room_for(monkeypatch, 5)
    monkeypatch.setattr(services, "CACHED_RESULTS", 3)
    monkeypatch.setattr(services, "DEEP_RESULTS", 3)
    # Two pages (the last takes up to services.ORPHANS more): 2 from the cached ids,
    # then 4 read by the query, in the same order.
    pages = [result_urls(search(client, q="shelter", page=n)) for n in (1, 2)]
    assert [len(page) for page in pages] == [2, 4]
    expected = shelters.newest_first if connection.vendor == "sqlite" else shelters.by_relevance
    assert [url for page in pages for url in page] == expected
