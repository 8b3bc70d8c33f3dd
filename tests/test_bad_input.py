"""Malformed input gets a clear answer, never a 500: each case here once answered
500 (or answered for an address that does not exist), on one database or both.
tests/test_fuzz_public.py looks for the next such input."""

import datetime
from datetime import UTC

import feedparser
import pytest
import time_machine
from django.test import Client

from core.models import Status
from tests.builders import (
    make_agreement,
    make_country,
    make_directive,
    make_finding,
    make_source,
    make_theme,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/"
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
# int() refuses the first, and reads the others as numbers; str.isdigit() says yes to all.
OTHER_DIGITS = ["²", "١", "𝟙", "１"]


@pytest.mark.parametrize("collection", COLLECTIONS)
@pytest.mark.parametrize("parameter", ["page_size", "page"])
@pytest.mark.parametrize("value", [*OTHER_DIGITS, " 1", "+1", "1.0"])
def test_a_page_or_page_size_in_anything_but_ascii_digits_is_a_400(
    client, collection, parameter, value
):
    response = client.get(f"{API}{collection}/", {parameter: value})
    assert response.status_code == 400
    assert parameter in response.json()


def test_ascii_page_sizes_and_pages_still_work(client):
    for index in range(3):
        make_theme(slug=f"theme-{index}")
    page = client.get(f"{API}themes/", {"page_size": "2", "page": "2"}).json()
    assert [theme["slug"] for theme in page["results"]] == ["theme-2"]


def in_other_digits(number, zero):
    return "".join(chr(ord(zero) + int(digit)) for digit in str(number))


@pytest.mark.parametrize("collection", ["provisions", "findings"])
@pytest.mark.parametrize("zero", ["٠", "０", "𝟘"])  # Arabic-Indic, full width, mathematical
def test_an_id_in_other_digits_is_a_404_not_a_second_address_of_the_item(client, collection, zero):
    if collection == "provisions":
        item = make_directive(provisions=1).provisions.get()
    else:
        item = make_finding()
    assert client.get(f"{API}{collection}/{item.pk}/").status_code == 200
    response = client.get(f"{API}{collection}/{in_other_digits(item.pk, zero)}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("collection", "key"),
    [
        ("provisions", "99999999999999999999999"),
        ("countries", "%00"),
        ("countries", "n%C3%9F"),
        ("countries", "%C3%9F"),  # "ß": its upper case, "SS", is two ASCII letters
        ("directives", "%00"),
        ("directives", "caf%C3%A9"),
        ("sources", "a%00b"),
        ("themes", "%FF"),
    ],
)
def test_an_api_key_of_the_wrong_shape_is_a_json_404(client, collection, key):
    make_country()
    make_country("SS", "South Sudan")
    response = client.get(f"{API}{collection}/{key}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_api_keys_of_the_right_shape_still_find_their_items(client):
    directive = make_directive(slug="flood-rules", provisions=1)
    finding = make_finding()
    make_country()
    for path in [
        "directives/flood-rules/",
        f"provisions/{directive.provisions.get().pk}/",
        f"findings/{finding.pk}/",
        "countries/np/",
        "countries/NP/",
    ]:
        assert client.get(f"{API}{path}").status_code == 200, path


@pytest.mark.parametrize("prefix", ["", "/zh-hans"])
@pytest.mark.parametrize("code", ["%00", "n%00", "%C4%B0", "%D9%A1%D9%A1", "npl", "n"])
def test_a_country_address_that_is_not_two_ascii_letters_is_a_404(client, prefix, code):
    make_country()
    response = client.get(f"{prefix}/countries/{code}/")
    assert response.status_code == 404


def test_a_country_is_found_by_its_code_in_either_case(client):
    make_country()
    assert client.get("/countries/np/").status_code == 200
    assert client.get("/countries/NP/").status_code == 200


def undated(entry):
    """The entry as loaddata, queryset.update() and make_synthetic leave it:
    published, with no publication time."""
    type(entry).objects.filter(pk=entry.pk).update(published_at=None)
    return entry


def test_home_and_both_feeds_work_when_a_published_entry_has_no_publication_time():
    theme = make_theme(slug="floods", name="Floods")
    with time_machine.travel(datetime.datetime(2024, 3, 1, 9, 0, tzinfo=UTC)):
        make_directive(title="Dated directive", themes=[theme])
    with time_machine.travel(datetime.datetime(2024, 3, 5, 9, 0, tzinfo=UTC)):
        make_agreement(title="Dated agreement", themes=[theme])
    undated(make_directive(title="Undated directive", themes=[theme]))
    undated(make_source(title="Undated source", themes=[theme]))
    public = Client()

    home = public.get("/")
    assert home.status_code == 200
    titles = [str(entry) for _type, entry in home.context["latest"]]
    # The undated ones last: nobody knows when they were published.
    assert titles[:2] == ["Dated agreement", "Dated directive"]
    assert set(titles[2:]) == {"Undated directive", "Undated source"}

    for path in ("/feeds/latest.atom", "/themes/floods/feed.atom"):
        response = public.get(path)
        assert response.status_code == 200, path
        entries = feedparser.parse(response.content).entries
        assert [entry.title for entry in entries][:2] == ["Dated agreement", "Dated directive"]
        undated_entries = {entry.title: entry for entry in entries[2:]}
        assert set(undated_entries) == {"Undated directive", "Undated source"}
        # An Atom entry must say when it changed: its last change stands in.
        assert all(entry.updated_parsed for entry in undated_entries.values())
        assert not any("published_parsed" in entry for entry in undated_entries.values())


def test_entries_that_all_lack_a_publication_time_are_listed_by_their_last_change(client):
    with time_machine.travel(datetime.datetime(2024, 3, 1, 9, 0, tzinfo=UTC)):
        undated(make_directive(title="Changed first"))
    with time_machine.travel(datetime.datetime(2024, 3, 5, 9, 0, tzinfo=UTC)):
        undated(make_source(title="Changed last"))
    undated(make_directive(title="Withdrawn", status=Status.WITHDRAWN))
    latest = client.get("/").context["latest"]
    assert [str(entry) for _type, entry in latest] == ["Changed last", "Changed first"]
    feed = feedparser.parse(client.get("/feeds/latest.atom").content)
    assert [entry.title for entry in feed.entries] == ["Changed last", "Changed first"]
