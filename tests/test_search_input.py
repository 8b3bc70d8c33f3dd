"""Whatever a reader or a script puts in the query string, /search/ and /timeline/
answer a page, never a 500, on SQLite and PostgreSQL alike."""

import pytest

from search.parsing import MAX_QUERY_LENGTH, normalise, parse

pytestmark = pytest.mark.django_db

# The tests that search ask for `search_corpus` (tests/search_corpus.py, built once for
# all of them: tests/conftest.py).

BAD_QUERIES = {
    "empty": "q=",
    "whitespace": "q=%20%20%09%0A",
    "very long": "q=" + "rescue%20" * 1500,
    "one long word": "q=" + "x" * 10_000,
    "unbalanced quote": "q=%22rescue%20teams",
    "stray operators": "q=%26%20%7C%20%21%20%3A%20*%20(%20)%20rescue",
    "only operators": "q=%26%7C%21%3A*()",
    "tsquery syntax": "q=rescue%3A*%20%26%20!teams%20%3C-%3E%20(a%7Cb)",
    "fts5 syntax": "q=rescue%20NEAR(teams)%20title%3Arescue%20%5E%22x%22%20*",
    "sql fragment": "q=%27%3B%20DROP%20TABLE%20search_searchdocument%3B%20--",
    "sql union": "q=rescue%27%20UNION%20SELECT%20password%20FROM%20auth_user--",
    "invalid utf-8": "q=%FF%FE%C3%28",
    "nul byte": "q=res%00cue",
    "control characters": "q=%01%02rescue%1B%7F",
    "only a minus": "q=-",
    "only exclusions": "q=-rescue%20-teams",
    "or alone": "q=OR%20OR",
    "lone surrogate escape": "q=%ED%A0%80",
    "unknown type": "q=rescue&type=spaceships",
    "unknown theme": "q=rescue&theme=no-such-theme",
    "malformed theme": "q=rescue&theme=%00%FF",
    "unknown country": "q=rescue&country=zz",
    "malformed country": "q=rescue&country=%00",
    "unknown tag": "q=rescue&tag=nope",
    "year not a number": "q=rescue&year=abc",
    "year out of range": "q=rescue&year=99999999999999999999",
    "unknown sort": "q=rescue&sort=%27%3B",
    "page not a number": "q=rescue&page=abc",
    "page past the end": "q=rescue&page=99999",
    "negative page": "q=rescue&page=-1",
    "repeated parameters": "q=rescue&q=teams&type=directives&type=agreements",
    "facets only, all unknown": "type=x&theme=y&country=zz&tag=t&year=0",
}


@pytest.mark.parametrize("query_string", BAD_QUERIES.values(), ids=BAD_QUERIES.keys())
def test_search_never_fails_on_bad_input(client, query_string, search_corpus):
    response = client.get(f"/search/?{query_string}")
    assert response.status_code == 200
    assert b"<h1>Search</h1>" in response.content


@pytest.mark.parametrize(
    "query_string",
    ["type=spaceships", "theme=%00", "page=abc", "page=99999", "type=provisions", "theme=nope"],
)
def test_timeline_never_fails_on_bad_input(client, query_string, search_corpus):
    response = client.get(f"/timeline/?{query_string}")
    assert response.status_code == 200


def test_unknown_facet_values_are_named_and_ignored(client, search_corpus):
    html = client.get("/search/?q=rescue&theme=no-such-theme&country=zz").content.decode()
    assert "Some filters were not understood" in html
    assert "no-such-theme" in html and "“zz” is not an ISO 3166-1 country code." in html
    assert 'href="/directives/volunteer-rescue-teams/"' in html  # the search still ran


def test_a_long_query_is_shortened_with_a_message(client, search_corpus):
    html = client.get("/search/", {"q": "volunteer " + "x " * 5000}).content.decode()
    assert f"shortened to its first {MAX_QUERY_LENGTH} characters" in html


def test_a_query_of_punctuation_says_there_is_nothing_to_search(client, search_corpus):
    html = client.get("/search/", {"q": "&|!:*()"}).content.decode()
    assert "has no words to search for" in html


def test_a_page_past_the_end_shows_the_last_page(client, settings, search_corpus):
    settings.PAGE_SIZE = 1  # 5 results, the last 4 as orphans of page 2
    html = client.get("/search/", {"q": "rescue", "page": "99"}).content.decode()
    assert "Page 2 of 2" in html and html.count('class="card result"') == 4


def test_parser_never_lets_syntax_through():
    query = parse(normalise('rescue:* & !teams <-> "NEAR(x)" title:y \' OR 1=1 --')[0])
    assert (
        query.fts5() == '("rescue" AND "teams" AND "near x" AND "title" AND "y") OR ("1" AND "1")'
    )
    assert query.websearch() == 'rescue teams "near x" title y or 1 1'


def test_parser_reads_web_search_syntax():
    query = parse('"volunteer rescue" OR nepal -flood x-ray')
    assert query.websearch() == '"volunteer rescue" or nepal -flood x ray'
    assert query.fts5() == '("volunteer rescue") OR (("nepal" AND "x" AND "ray") NOT "flood")'
    assert parse("应急管理 rescue").cjk == ("应急管理",)
    assert parse("-flood").is_empty  # exclusions alone would match nearly everything


def test_normalise_strips_the_highlight_markers():
    # A query is cleaned as the indexed text is (core.text.clean_text).
    assert normalise("flood\ue000 re\ue001lief")[0] == "flood relief"


def test_normalise_strips_nul_and_control_characters():
    assert normalise("res\x00cue\x1b \ufffd teams")[0] == "res cue teams"
    text, shortened = normalise("word " * 100)
    assert shortened and len(text) <= MAX_QUERY_LENGTH and not text.endswith(" ")
