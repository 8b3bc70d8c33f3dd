"""SQLite's search keeps its cost bounded on a large corpus (issue 19): it ranks in the
one scan of the FTS5 index that matches, never with a full-text query per match, and
its spelling suggestions read a bounded part of the vocabulary. Checked by the shape
of the queries and their plans on a small corpus; bench/RESULTS.md has the timings."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from search import querysets, services
from search.models import SearchFacet
from tests.builders import make_directive, make_provision
from tests.test_search_index import parse

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's FTS5 only"),
]

FILTERS = [
    services.NO_FILTERS,
    {**services.NO_FILTERS, "entry_type": "directives"},
    {**services.NO_FILTERS, "entry_type": "provisions", "year": 2019},
    {**services.NO_FILTERS, "facets": ((SearchFacet.Kind.TAG, "volunteers"),)},
]


def plan_of(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return [row[-1] for row in cursor.fetchall()]


def assert_matched_and_ranked_in_one_scan(sql, params=()):
    """The FTS5 table is read once, by its MATCH alone (`0:M…`), never looked up
    by rowid (`0:=M…`) once for each document, and each document by its primary key."""
    plan = plan_of(sql, params)
    full_text = [step for step in plan if "search_fts" in step]
    assert len(full_text) == 1, plan
    assert re.fullmatch(r"SCAN search_fts VIRTUAL TABLE INDEX 0:M\d*", full_text[0]), plan
    assert not any("CORRELATED" in step for step in plan if "search_fts" in step), plan
    assert any("search_searchdocument USING INTEGER PRIMARY KEY" in step for step in plan), plan


def test_the_counting_query_ranks_in_the_scan_that_matches(search_corpus):
    for text in ["rescue", "earthquake OR flood OR rescue", "rescue teams"]:
        query = parse(text)
        for filters in FILTERS:
            with CaptureQueriesContext(connection) as queries:
                documents = services.filtered(query, filters).ranked(query)
                services.count_matches(documents, "relevance")
            (counting,) = queries.captured_queries
            assert "bm25" in counting["sql"]
            assert_matched_and_ranked_in_one_scan(counting["sql"])
            # Facet values are counted from the matches' facet_keys: joining the
            # facet rows (four a document) took three times as long at 225,000 matches.
            # (A chosen facet is still tested on its rows, by the filter.)
            if not filters["facets"]:
                assert "searchfacet" not in counting["sql"]


def test_pages_beyond_the_cached_results_rank_in_the_scan_that_matches(search_corpus):
    query = parse("earthquake OR rescue")
    for filters in FILTERS:
        ranked = services.filtered(query, filters).ranked(query).in_order("relevance")[40:60]
        assert_matched_and_ranked_in_one_scan(*ranked.query.sql_with_params())


def test_a_search_of_many_unknown_words_reads_no_vocabulary(client, db):
    make_directive(title="Volunteer rescue teams", slug="teams")
    cache.clear()
    unknown = " ".join(f"qzx{chr(97 + n)}vbn" for n in range(16))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", {"q": unknown})
    assert response.status_code == 200 and "0 results" in response.content.decode()
    assert not [q for q in queries.captured_queries if "search_fts_vocab" in q["sql"]]


def test_spelling_suggestions_read_a_bounded_part_of_the_vocabulary(db, monkeypatch):
    directive = make_directive(title="Rescue teams", slug="rescue-teams")
    # Many indexed words that begin as the typo does: more than the cap.
    for number in range(1, 31):
        make_provision(directive, number=number, text=f"Resolution re{number:02d}x{'q' * 3}.")
    monkeypatch.setattr(querysets, "MAX_CANDIDATES", 5)
    read = {}
    real = querysets.candidate_terms

    def counted(*args):
        found = real(*args)
        read.update({word: len(terms) for word, terms in found.items()})
        return found

    monkeypatch.setattr(querysets, "candidate_terms", counted)
    with CaptureQueriesContext(connection) as queries:
        corrections = querysets.spelling_corrections(["resuce", "teams"])
    assert list(read) == ["resuce"]  # a word some document contains is not respelled
    assert read["resuce"] <= 5 * len(querysets.spellings_of("resuce"))
    vocabulary = [q["sql"] for q in queries.captured_queries if "search_fts_vocab" in q["sql"]]
    assert len(vocabulary) == 1
    # Every read of the vocabulary is a range of words, which fts5vocab seeks to.
    for step in plan_of(vocabulary[0]):
        if "search_fts_vocab" in step:
            assert not step.endswith("INDEX 0:"), step
    assert vocabulary[0].count("LIMIT 5") == len(querysets.spellings_of("resuce"))
    assert "resuce" not in corrections or corrections["resuce"].startswith("re")


def test_more_unknown_words_than_the_cap_are_not_respelled(db):
    make_directive(title="Volunteer rescue teams", slug="teams", summary="Earthquake drills.")
    words = ["resuce", "voluntear", "earthqauke", "droughtt"]
    assert len(words) > querysets.MAX_CORRECTED_WORDS
    assert querysets.spelling_corrections(words) == {}
    assert querysets.spelling_corrections(words[:2]) == {"resuce": "rescu", "voluntear": "volunt"}
