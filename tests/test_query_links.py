"""Links that change one parameter of the page's query string (pagination, type
sections, search facets and chosen-filter chips): each keeps every other parameter
in its order, drops `page` unless it sets it, and escapes `&` once in the HTML."""

import re

import pytest

from search import signals as search_signals
from tests.builders import make_directive, make_theme

pytestmark = pytest.mark.django_db

CJK_AND_AMPERSAND = "q=rescue+%26+%E6%95%91%E6%8F%B4"  # "rescue & 救援"


def query_links(client, url):
    """Every href that is only a query string, in page order, as written in the HTML."""
    response = client.get(url)
    assert response.status_code == 200
    return re.findall(r'href="(\?[^"]*)"', response.content.decode())


@pytest.fixture
def flood_plans(db, settings):
    """17 plans on one theme and one tag: three pages of five (orphans join the last)."""
    settings.PAGE_SIZE = 5
    theme = make_theme(slug="floods")
    with search_signals.deferred():  # indexed once, at the end (tests/builders.py)
        for number in range(17):
            make_directive(title=f"Flood plan {number}", kind="plan", themes=[theme]).tags.add(
                "flood-plans"
            )


def without_key(links):
    """The links with the key a "Next" or "Previous" link continues from (see
    core.pagination; tests/test_keyset_pages.py checks the keys) put as `<id>`."""
    return [re.sub(r"&amp;(after|before)=\d+", r"&amp;\1=<id>", link) for link in links]


def test_list_pagination_keeps_every_filter_and_sets_only_the_page(client, flood_plans):
    links = query_links(client, "/directives/?kind=plan&tag=flood-plans&page=2")
    assert without_key(links) == [
        "?kind=plan&amp;tag=flood-plans&amp;page=1",
        "?kind=plan&amp;tag=flood-plans&amp;page=3&amp;after=<id>",
    ]


def test_pagination_keeps_parameters_it_does_not_know(client, flood_plans):
    assert without_key(
        query_links(client, f"/directives/?{CJK_AND_AMPERSAND}&kind=plan&page=3")
    ) == [f"?{CJK_AND_AMPERSAND}&amp;kind=plan&amp;page=2&amp;before=<id>"]


@pytest.mark.parametrize("page", ["/themes/floods/", "/tags/flood-plans/"])
def test_a_type_section_link_chooses_the_type_and_starts_at_its_first_page(
    client, flood_plans, page
):
    assert query_links(client, f"{page}?ref=news&page=2") == ["?ref=news&amp;type=directives"]


@pytest.mark.parametrize("page", ["/themes/floods/", "/tags/flood-plans/"])
def test_a_chosen_type_pages_with_its_filters_and_show_every_type_drops_it_and_the_page(
    client, flood_plans, page
):
    assert without_key(query_links(client, f"{page}?type=directives&ref=news&page=2")) == [
        "?ref=news",
        "?type=directives&amp;ref=news&amp;page=1",
        "?type=directives&amp;ref=news&amp;page=3&amp;after=<id>",
    ]


@pytest.mark.parametrize("page", ["/themes/floods/", "/tags/flood-plans/"])
def test_links_away_from_a_type_drop_the_key_a_page_continues_from(client, flood_plans, page):
    (after,) = re.findall(r"after=(\d+)", "".join(query_links(client, f"{page}?type=directives")))
    links = query_links(client, f"{page}?type=directives&page=2&after={after}")
    assert links[0] == "?"  # every type: neither the page nor its key
    assert without_key(links[1:]) == [
        "?type=directives&amp;page=1",
        "?type=directives&amp;page=3&amp;after=<id>",
    ]


def test_show_every_type_is_a_bare_question_mark_when_no_other_parameter_is_left(
    client, flood_plans
):
    # "?" (not an empty href, which would keep the current query string).
    assert query_links(client, "/themes/floods/?type=directives&page=3")[0] == "?"


def test_search_facet_links_keep_the_query_and_sort_and_drop_the_page(client, search_corpus):
    keep = f"?{CJK_AND_AMPERSAND}&amp;sort=date"
    assert query_links(client, f"/search/?{CJK_AND_AMPERSAND}&sort=date&page=2") == [
        f"{keep}&amp;type=directives",
        f"{keep}&amp;type=agreements",
        f"{keep}&amp;year=2019",
        f"{keep}&amp;year=2018",
        f"{keep}&amp;theme=management",
        f"{keep}&amp;theme=cooperation",
        f"{keep}&amp;theme=rescue-forces",
        f"{keep}&amp;country=np",
        f"{keep}&amp;tag=earthquakes",
        f"{keep}&amp;tag=volunteers",
    ]


def test_chosen_facets_are_removed_by_their_chips_and_selected_values(client, search_corpus):
    links = query_links(client, "/search/?q=rescue&type=directives&year=2019&page=2")
    chips, facets = links[:2], links[2:]
    assert chips == ["?q=rescue&amp;year=2019", "?q=rescue&amp;type=directives"]
    assert facets == [
        "?q=rescue&amp;year=2019",  # the selected type, removed
        "?q=rescue&amp;type=directives",  # the selected year, removed
        "?q=rescue&amp;type=directives&amp;year=2019&amp;theme=management",
        "?q=rescue&amp;type=directives&amp;year=2019&amp;theme=rescue-forces",
        "?q=rescue&amp;type=directives&amp;year=2019&amp;tag=volunteers",
    ]
