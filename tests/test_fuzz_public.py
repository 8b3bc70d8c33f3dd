"""Hypothesis throws malformed query strings and path segments at every public
address, on whichever database the suite runs on: whatever it sends, no answer is
a 5xx (docs/contracts.md, "Errors").

The addresses are read from the URL resolver, not listed here, so a route added
later is fuzzed without a change to this file; its query parameters are those of
its FilterSet or form, read off the view, plus the ones every page shares."""

import datetime
import re
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from taggit.models import Tag

from api.views import COLLECTIONS
from core.models import Country, Status, Theme
from core.registry import registry
from editorial.seeding import load_starter_data
from exports.views import FORMATS
from feeds.sitemaps import SITEMAPS
from policies.models import Provision
from search.forms import SearchForm, TimelineForm
from tests.builders import make_directive, make_source
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

# Addresses behind a login (their forms are Django's own) are not public.
NOT_PUBLIC = ("admin/",)
# Parameters any page may be given by hand.
SHARED_PARAMETERS = {"page", "page_size", "q", "type", "sort", "format", "p", "next", "language"}
# Per address: about 50 addresses x 12 requests stay under a minute on either database.
EXAMPLES_PER_ADDRESS = 10

# What people and scripts type that Python reads in surprising ways.
AWKWARD_VALUES = [
    "",
    "0",
    "-1",
    "1.5",
    "1e400",
    "NaN",
    "²",  # str.isdigit() says yes, int() says no
    "١٢",  # Arabic-Indic digits: int() reads them, a URL converter must not
    "𝟙𝟘",
    "99999999999999999999999999",
    "2147483648",
    "\x00",
    "a\x00b",
    "p²",
    "ǅ",
    "İ",  # lower() makes it two characters
    "ß",
    "%",
    "%(value)s",
    "{0}",
    "'\"<>&",
    "\u202e",
    "a" * 3000,
    "NP",
    "np",
    "zz",
]


@dataclass(frozen=True)
class Route:
    name: str
    # Literal text, a LOCALE marker, or (group name, group regex), in order.
    parts: tuple

    def __str__(self):
        return self.name


LOCALE = object()
# A named group, whose body may hold groups of its own one level deep (the citation
# formats' "(?:record[.])?(?:bib|ris|json)").
GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>(?:[^()]|\([^()]*\))*)\)")


def literal(regex_text):
    """The text a regex fragment of a route matches; routes are plain text and
    named groups, and a route that is anything else should be taught to this test."""
    text = re.sub(r"\\(.)", r"\1", regex_text)
    assert not set(text) & set("^$[]()*+?|{}"), f"unexpected regex in a route: {regex_text!r}"
    return text


def route_parts(pattern):
    if isinstance(pattern, LocalePrefixPattern):
        return (LOCALE,)
    regex = pattern.regex.pattern.removeprefix("^").removesuffix(r"\Z").removesuffix("$")
    parts, position = [], 0
    for group in GROUP.finditer(regex):
        parts.append(literal(regex[position : group.start()]))
        parts.append((group["name"], group["body"]))
        position = group.end()
    parts.append(literal(regex[position:]))
    return tuple(part for part in parts if part != "")


def walk(patterns, prefix=()):
    """(pattern, parts) of every public route under these patterns."""
    for pattern in patterns:
        if str(pattern.pattern).startswith(NOT_PUBLIC):
            continue
        parts = prefix + route_parts(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, parts)
        elif isinstance(pattern, URLPattern):
            yield pattern, parts


def public_routes():
    return [
        Route(pattern.name or pattern.lookup_str, parts)
        for pattern, parts in walk(get_resolver().url_patterns)
    ]


def route_parameters():
    """Every query parameter a public view reads from a FilterSet or form."""
    names = set(SHARED_PARAMETERS)
    names.update(SearchForm.base_fields, TimelineForm.base_fields)
    for pattern, _parts in walk(get_resolver().url_patterns):
        view = getattr(pattern.callback, "cls", None) or getattr(
            pattern.callback, "view_class", None
        )
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None:
            names.update(filterset_class.base_filters)
    return sorted(names)


ROUTES = public_routes()


def test_every_public_route_is_listed():
    """The resolver walk finds the routes the contract names, so it can be trusted
    to find the next one too."""
    names = {route.name for route in ROUTES}
    assert {"home", "directive", "provision", "country", "export", "latest", "search"} <= names
    assert {"directives-list", "countries-detail", "provisions-detail"} <= names
    assert not any("admin" in str(route.parts) for route in ROUTES)


def existing_values():
    """Real keys of every kind (published and not), so that fuzzed neighbours reach
    the views behind the converters, not just the 404 of an unknown slug."""
    values = {str(number) for number in Provision.objects.values_list("number", flat=True)}
    values.update(str(pk) for pk in Provision.objects.values_list("pk", flat=True))
    for entry_type in registry:
        model = entry_type.model
        if any(field.name == "slug" for field in model._meta.fields):
            values.update(model.objects.values_list("slug", flat=True))
        values.update(str(pk) for pk in model.objects.values_list("pk", flat=True)[:20])
    values.update(Theme.objects.values_list("slug", flat=True))
    values.update(Tag.objects.values_list("slug", flat=True))
    values.update(code.lower() for code in Country.objects.values_list("code", flat=True)[:20])
    values.update(COLLECTIONS, FORMATS, SITEMAPS, ["bib", "ris", "json", "en", "zh-hans"])
    return sorted(values)


def text_values(known):
    return st.one_of(
        st.sampled_from(known),
        st.sampled_from(AWKWARD_VALUES),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
    )


def encoded(value):
    # Bytes as they are, so that invalid UTF-8 arrives as a browser could send it.
    return quote(value, safe="")


def segment(body, known):
    matching = st.from_regex(
        f"(?:{body})", fullmatch=True, alphabet=st.characters(codec="utf-8")
    ).filter(bool)
    return st.one_of(
        st.sampled_from(known),
        matching,
        text_values(known),
        st.binary(min_size=1, max_size=8),
    ).map(encoded)


def address(route, known):
    pieces = []
    for part in route.parts:
        if part is LOCALE:
            pieces.append(st.sampled_from(["", "zh-hans/"]))
        elif isinstance(part, tuple):
            pieces.append(segment(part[1], known))
        else:
            pieces.append(st.just(part))
    return st.tuples(*pieces).map(lambda parts: "/" + "".join(parts))


def query_string(names, known):
    pair = st.tuples(
        st.one_of(st.sampled_from(names), st.text(max_size=10)),
        st.one_of(text_values(known), st.binary(max_size=8)),
    )
    return st.lists(pair, max_size=4).map(
        lambda pairs: "&".join(f"{encoded(name)}={encoded(value)}" for name, value in pairs)
    )


def body_of(response):
    # A streamed export fails while it streams, after its 200: read it all.
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_no_server_error(client, path, query):
    url = f"{path}?{query}" if query else path
    # A savepoint per request: on PostgreSQL a failed query would otherwise poison the
    # test's transaction, and every later example would fail for the wrong reason.
    with transaction.atomic():
        response = client.get(url)
        body_of(response)
    assert response.status_code < 500, (url, response.status_code)


def fuzz(route, clients, names, known):
    """EXAMPLES_PER_ADDRESS generated requests to one route, and the two that first
    showed the bugs this test was written for: a NUL byte in every path segment with
    "²" for a page, and an Arabic-Indic digit everywhere."""
    hostile_paths = [
        "/"
        + "".join(
            "" if part is LOCALE else value if isinstance(part, tuple) else part
            for part in route.parts
        )
        for value in ("%00", "%D9%A1")
    ]

    @settings(
        max_examples=EXAMPLES_PER_ADDRESS,
        # Generous: the OpenAPI schema takes a second or two on a busy machine; a
        # request that takes ten is a bug of its own.
        deadline=datetime.timedelta(seconds=10),
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(
        path=address(route, known),
        query=query_string(names, known),
        client=st.sampled_from(list(clients)),
    )
    @example(path=hostile_paths[0], query="page=%C2%B2&page_size=%C2%B2", client="anonymous")
    @example(path=hostile_paths[1], query="page_size=%D9%A1&year=%D9%A1", client="editor")
    def requests_to(path, query, client):
        assert_no_server_error(clients[client], path, query)

    requests_to()


def fuzzed_site():
    load_starter_data()
    # Entries as loaddata, update() and make_synthetic leave them: published, but
    # with no publication time; and a draft, a 404 to readers and a preview to editors.
    theme = Theme.objects.filter(parent=None).first()
    for undated in (make_directive(themes=[theme], provisions=2), make_source(themes=[theme])):
        type(undated).objects.filter(pk=undated.pk).update(published_at=None)
    make_directive(status=Status.DRAFT, provisions=1, themes=[theme])


def test_no_public_address_answers_a_server_error_whatever_its_query_or_path():
    """Anonymous readers, and an editor, who sees previews of drafts on the same
    addresses (other code paths)."""
    fuzzed_site()
    editor = make_user("fuzz-editor", "Editor")
    clients = {"anonymous": Client(), "editor": Client()}
    clients["editor"].force_login(editor)
    known, names = existing_values(), route_parameters()
    for route in ROUTES:
        fuzz(route, clients, names, known)
