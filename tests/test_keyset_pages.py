"""Pages read from the row they continue from (core.pagination): following the links
gives exactly the pages that ?page=N gives, every row once, whatever NULLs and ties
the order meets; an old ?page=N still answers; a bad key still gives a real page;
and a deep page costs the queries of a shallow one."""

import re

import pytest
from django.db import connection

from browse import views as browse_views
from policies.models import Directive
from tests.keyset_corpus import PAGE_SIZE

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(settings, keyset_corpus):
    """The corpus (tests/keyset_corpus.py, built once for the module's tests), shown
    PAGE_SIZE rows a page."""
    settings.PAGE_SIZE = PAGE_SIZE
    return keyset_corpus


def links(response):
    """The "Previous" and "Next" links of a page (None where there is none)."""
    html = response.content.decode()

    def link(rel):
        found = re.search(rf'rel="{rel}" href="([^"]*)"', html)
        return found and found.group(1).replace("&amp;", "&")

    return link("prev"), link("next")


def page_of(response, key):
    if key == "section":
        return response.context["sections"][0]["page_obj"]
    return response.context[key]


def shown(response, key="page_obj"):
    return [entry.pk for entry in page_of(response, key)]


PATHS = {
    "directive list": ("/directives/", "page_obj"),
    "theme, provisions": ("/themes/floods/?type=provisions", "section"),
    "theme, agreements": ("/themes/floods/?type=agreements", "section"),
    "theme, directives": ("/themes/floods/?type=directives", "section"),
    "country, agreements": ("/countries/np/", "agreements"),
}


def with_page(path, number):
    return f"{path}{'&' if '?' in path else '?'}page={number}"


def follow(client, path, key, address, rel):
    """The pages met following `rel` links from `address` (a query string) on."""
    pages = []
    while address:
        response = client.get(path.split("?")[0] + address)
        pages.append(shown(response, key))
        address = links(response)[0 if rel == "prev" else 1]
    return pages


@pytest.mark.parametrize("name", PATHS)
def test_following_next_and_previous_gives_the_pages_of_page_numbers(client, corpus, name):
    path, key = PATHS[name]
    by_number, number = [], 1
    while True:
        response = client.get(with_page(path, number))
        if page_of(response, key).number != number:
            break  # past the end: a real page, the last one
        by_number.append(shown(response, key))
        number += 1
    assert len(by_number) > 2
    every = [pk for page in by_number for pk in page]
    assert len(every) == len(set(every))

    start = "?" + path.split("?")[1] if "?" in path else "?"
    assert follow(client, path, key, start, "next") == by_number
    second = links(client.get(path))[1]
    assert re.search(r"[?&]after=\d+", second)

    # And back: each "Previous" from the last page gives the page before it.
    last = links(client.get(with_page(path, len(by_number) - 1)))[1]
    assert follow(client, path, key, last, "prev") == by_number[::-1]


def test_an_old_page_number_still_answers_with_its_page(client, corpus):
    ordered = list(
        Directive.objects.published().order_by("-date", "title", "pk").values_list("pk", flat=True)
    )
    if connection.features.nulls_order_largest:  # PostgreSQL: NULL first when descending
        assert Directive.objects.get(pk=ordered[0]).date is None
    response = client.get("/directives/?page=2")
    assert response.status_code == 200
    assert shown(response) == ordered[PAGE_SIZE : 2 * PAGE_SIZE]


BAD_KEYS = [
    "after=abc",
    "after=-1",
    "after=0",
    "after=99999999",
    "before=x",
    "after=١",
    "after=99999999999999999999999",
    "before=9223372036854775808",
    "page=99999999999999999999999",
]


@pytest.mark.parametrize("query", [*BAD_KEYS, "page=2&after=%00"])
def test_a_bad_or_unknown_key_gives_a_real_page(client, corpus, query):
    response = client.get(f"/directives/?{query}")
    assert response.status_code == 200
    assert len(shown(response)) >= PAGE_SIZE
    section = client.get(f"/themes/floods/?type=provisions&{query}")
    assert section.status_code == 200
    assert len(shown(section, "section")) >= PAGE_SIZE


def test_a_key_past_the_end_gives_a_real_page(client, corpus):
    last = Directive.objects.order_by("-date", "title", "pk").last()
    if connection.features.nulls_order_largest:
        last = Directive.objects.order_by("date", "-title", "-pk").first()
    response = client.get(f"/directives/?page=9&after={last.pk}")
    assert response.status_code == 200
    assert shown(response)


def test_a_withdrawn_entry_still_marks_its_place(client, corpus):
    first_page = client.get("/directives/")
    after = links(first_page)[1]
    key = int(re.search(r"after=(\d+)", after).group(1))
    second = shown(client.get(f"/directives/{after}"))
    Directive.objects.filter(pk=key).update(status="withdrawn")
    assert shown(client.get(f"/directives/{after}")) == second


def test_a_deep_page_by_key_costs_the_queries_of_the_second(client, corpus):
    path = "/themes/floods/?type=provisions"
    second = links(client.get(path))[1]
    response = client.get(f"/themes/floods/{second}")
    address = f"/themes/floods/{second}"
    while links(response)[1]:
        address = f"/themes/floods/{links(response)[1]}"
        response = client.get(address)
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        client.get(f"/themes/floods/{second}")
    shallow = len(statements)
    statements.clear()
    with connection.execute_wrapper(record):
        client.get(address)
    assert len(statements) == shallow
    assert not any("OFFSET" in sql.upper() for sql in statements)


def test_a_capped_count_says_so(client, corpus, monkeypatch):
    monkeypatch.setattr(browse_views, "SECTION_COUNT_CAP", 12)
    html = client.get("/themes/floods/?type=provisions&page=2").content.decode()
    assert "Page 2 of more than 2" in html
    monkeypatch.setattr(browse_views, "SECTION_COUNT_CAP", 1000)
    html = client.get("/themes/floods/?type=provisions&page=2").content.decode()
    assert "Page 2 of 14" in html  # 69 provisions, 5 a page, the last with 4
