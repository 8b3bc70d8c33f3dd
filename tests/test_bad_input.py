"""Malformed input gets a clear answer, never a 500: each case here once answered
500 (or answered for an address that does not exist), on one database or both.
tests/test_fuzz_public.py looks for the next such input."""

import pytest

from tests.builders import (
    make_country,
    make_directive,
    make_finding,
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
        ("directives", "%00"),
        ("directives", "caf%C3%A9"),
        ("sources", "a%00b"),
        ("themes", "%FF"),
    ],
)
def test_an_api_key_of_the_wrong_shape_is_a_json_404(client, collection, key):
    make_country()
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
