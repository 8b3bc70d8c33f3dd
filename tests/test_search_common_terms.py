"""Common words (search.common_terms): a rebuild chooses and counts them, PostgreSQL's
triggers keep the counts through every kind of write, and a one-word search reads
the counts and a shortlist instead of its matches, finding exactly what counting
its matches finds."""

import datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation.models import Agreement
from core.models import Status, Theme
from policies.models import Directive
from search import common_terms, indexing, services
from search.models import SearchDocument, TermCount
from tests.builders import make_agreement, make_country, make_directive, make_provision, make_theme
from tests.test_search_index import parse

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the counts are kept by PostgreSQL's triggers"
    ),
]

NO_FILTERS = {"entry_type": None, "year": None, "facets": ()}
# The counting query's own text: a search that runs it counts its matches row by row.
COUNTING = "string_to_array(facet_keys, ' ')"


@pytest.fixture
def common_at_two(settings):
    settings.SEARCH_COMMON_TERM_DOCUMENTS = 2


def flood_corpus():
    """Floods in five published documents and a draft, drought in two, earthquakes in
    one: a rebuild then counts flood and drought, with a threshold of two."""
    hazards = make_theme(slug="hazards")
    floods = make_theme(slug="floods", parent=hazards)
    directive = make_directive(title="Flood control plan", themes=[floods], summary="Dikes.")
    make_provision(directive, heading="Levees", text="Raise levees against floods.")
    make_provision(directive, heading="Drought", text="Store water against drought.")
    make_directive(title="Flooding in cities", themes=[hazards], date=None).tags.add("urban")
    make_agreement(title="Flood warning memorandum", countries=[make_country()])
    make_directive(title="Draft on floods", status=Status.DRAFT)
    make_directive(title="Drought relief", summary="Flood insurance for farmers.")
    make_directive(title="Earthquake rescue", summary="Teams and drills.")
    indexing.rebuild_index()


def test_the_triggers_count_as_a_recount_does(db):
    """Migration 0006 wrote its own copy of the counting SQL into the triggers' function;
    a recount runs common_terms.ADD_COUNTS. Were one changed without the other, counts
    kept by the triggers would drift from the counts a rebuild makes."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'search_count_terms'")
        (source,) = cursor.fetchone()
    for sign, documents in ((-1, "old_documents"), (1, "new_documents")):
        assert common_terms.ADD_COUNTS.format(sign=sign, documents=documents) in source


def assert_counted_as_matched(text, sort="relevance"):
    """The counts kept for a word give what counting its matches gives."""
    query = parse(text)
    kept = services.counted_from_terms(query, NO_FILTERS, sort)
    matched = services.count_matches(services.filtered(query, NO_FILTERS).ranked(query), sort)
    assert kept is not None, f"{text!r} is not counted"
    assert kept == matched


def test_a_rebuild_counts_the_words_of_enough_published_documents(common_at_two):
    flood_corpus()
    counted = set(TermCount.objects.filter(key="").values_list("lexeme", flat=True))
    assert {"flood", "drought"} <= counted
    assert "earthquak" not in counted and "draft" not in counted  # one document; a draft
    flood = TermCount.objects.filter(lexeme="flood").counts()
    assert flood[""] == 5
    assert flood["type:directives:2020"] == 2 and flood["type:directives:"] == 1
    assert flood["type:provisions:2020"] == 1 and flood["type:agreements:2019"] == 1
    assert flood["country:np"] == 1 and flood["tag:urban"] == 1
    hazards = Theme.objects.get(slug="hazards").pk
    assert flood[f"theme:{hazards}"] == 2  # a sub-theme counts under its parent
    for text in ("flood", "floods", "the flooding", "drought"):
        assert_counted_as_matched(text)
        assert_counted_as_matched(text, "date")


def add_a_flood_directive_with_a_provision():
    directive = make_directive(title="Floodplain zoning", date=None)
    make_provision(directive, heading="Maps", text="Map every flood zone.")


def change_themes_and_tags():
    directive = Directive.objects.get(title="Flood control plan")
    directive.themes.set([make_theme(slug="rivers")])
    directive.tags.add("rivers", "dikes")


def unpublish_a_directive_and_its_provisions():
    directive = Directive.objects.get(title="Flood control plan")
    directive.status = Status.DRAFT
    directive.save()


def publish_the_draft():
    directive = Directive.objects.get(title="Draft on floods")
    directive.status = Status.PUBLISHED
    directive.save()


def delete_the_agreement():
    Agreement.objects.get(title="Flood warning memorandum").delete()


def take_the_word_out_of_a_title():
    directive = Directive.objects.get(title="Flooding in cities")
    directive.title = "Cities"
    directive.save()


def update_the_documents_in_sql():
    SearchDocument.objects.filter(entry_type="provisions").update(is_published=False)
    SearchDocument.objects.filter(entry_type="agreements").update(year=1999)


@pytest.mark.parametrize(
    "change",
    [
        add_a_flood_directive_with_a_provision,
        change_themes_and_tags,
        unpublish_a_directive_and_its_provisions,
        publish_the_draft,
        delete_the_agreement,
        take_the_word_out_of_a_title,
        update_the_documents_in_sql,
    ],
)
def test_every_write_keeps_the_counts_equal_to_the_matches(common_at_two, change):
    flood_corpus()
    change()
    for text in ("flood", "drought"):
        assert_counted_as_matched(text)
        assert_counted_as_matched(text, "date")


def test_a_word_found_nowhere_any_more_is_counted_from_its_matches(common_at_two):
    flood_corpus()
    Directive.objects.filter(title__in=["Drought relief", "Flood control plan"]).delete()
    counts = TermCount.objects.filter(lexeme="drought").counts()
    assert "" in counts and set(counts.values()) == {0}  # still chosen, found nowhere
    assert services.counted_from_terms(parse("drought"), NO_FILTERS, "relevance") is None


@pytest.mark.parametrize(
    "text", ["flood warning", "flood -drought", '"flood warning"', "flood OR drought", "rescue"]
)
def test_only_a_search_for_one_counted_word_is_taken_from_the_counts(common_at_two, text):
    flood_corpus()
    assert services.counted_from_terms(parse(text), NO_FILTERS, "relevance") is None


def test_a_search_with_a_facet_chosen_counts_its_matches(common_at_two):
    flood_corpus()
    filters = {**NO_FILTERS, "entry_type": "directives"}
    assert services.counted_from_terms(parse("flood"), filters, "relevance") is None


def results_and_facets(client, path):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    outcome = response.context["outcome"]
    return (
        [result.document.pk for result in outcome.results],
        outcome.total,
        [(facet.name, [(v.value, v.count) for v in facet.values]) for facet in outcome.facets],
    ), [query["sql"] for query in queries]


def test_a_search_page_for_a_common_word_reads_the_counts_not_the_matches(
    client, common_at_two, monkeypatch
):
    flood_corpus()
    kept, queries = results_and_facets(client, "/search/?q=floods")
    assert not any(COUNTING in sql for sql in queries)
    monkeypatch.setattr(services, "counted_from_terms", lambda *args: None)
    matched, queries = results_and_facets(client, "/search/?q=floods")
    assert any(COUNTING in sql for sql in queries)
    assert kept == matched and kept[1] == 5


def test_a_search_page_for_a_common_word_asks_as_much_however_many_match(client, common_at_two):
    flood_corpus()
    _, few = results_and_facets(client, "/search/?q=floods")
    for year in range(2001, 2009):
        make_directive(title=f"Flood bulletin {year}", date=datetime.date(year, 1, 1))
    (_, total, _), many = results_and_facets(client, "/search/?q=floods")
    assert total == 13 and not any(COUNTING in sql for sql in many)
    assert len(many) == len(few)


def typhoon_corpus():
    """Typhoons in two titles, in the keywords (tags) of two more, in the text of
    three, on several dates, so that rank and date both order them."""
    for year, title in ((2018, "Typhoon shelters"), (2021, "Typhoon season")):
        make_directive(title=title, date=datetime.date(year, 6, 1))
    for year in (2017, 2022):
        make_directive(title=f"Coastal plan {year}", date=datetime.date(year, 1, 1)).tags.add(
            "typhoon"
        )
    for year in (2016, 2019, 2023):
        make_directive(
            title=f"Storms {year}", summary="Typhoon drills.", date=datetime.date(year, 3, 1)
        )


def assert_first_results_as_ranked(monkeypatch, sort, first):
    """first_ids gives the first `first` results of "typhoon" that ranking every match
    gives, in `sort` order; returns the queries it ran."""
    monkeypatch.setattr(services, "CACHED_RESULTS", first)
    query = parse("typhoon")
    ranked = services.count_matches(services.filtered(query, NO_FILTERS).ranked(query), sort)
    with CaptureQueriesContext(connection) as queries:
        taken = services.first_ids(query, sort)
    assert taken == ranked.first_ids and len(taken) == first
    return [query["sql"] for query in queries]


@pytest.mark.parametrize("first", range(1, 8))
def test_the_shortlist_gives_the_first_results_ranking_every_match_gives(monkeypatch, first):
    typhoon_corpus()
    queries = assert_first_results_as_ranked(monkeypatch, "relevance", first)
    # Two titles answer for the first two, titles and keywords for four; past that,
    # every match is ranked.
    shortlists_read = sum("ts_filter(search_vector" in sql for sql in queries)
    assert shortlists_read == (1 if first <= 2 else 2)
    assert len(queries) == (1 if first <= 2 else 2 if first <= 4 else 3)


@pytest.mark.parametrize("first", range(1, 10))
def test_the_dated_matches_give_the_first_results_by_date(monkeypatch, first):
    typhoon_corpus()
    # The same day as "Storms 2019", whose text alone holds the word: ranked first.
    make_directive(title="Typhoon drills", date=datetime.date(2019, 3, 1))
    make_directive(title="Typhoon archive", date=None)
    queries = assert_first_results_as_ranked(monkeypatch, "date", first)
    # Eight are dated; the ninth, undated, comes last, and only then are all read.
    assert len(queries) == (1 if first <= 8 else 2)


def test_the_rebuild_command_can_count_the_common_words_alone(common_at_two, capsys):
    flood_corpus()
    TermCount.objects.all().delete()
    call_command("rebuild_search_index", "--common-terms")
    assert "Counted 2 common words." in capsys.readouterr().out
    assert_counted_as_matched("flood")
