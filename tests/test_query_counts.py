"""Each public page costs a fixed number of queries, whether 1 or 50 rows exist."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cooperation.models import Mechanism
from core.models import Source, Theme
from findings.models import Finding
from policies.models import Directive
from tests.builders import (
    indexed_once,
    make_agreement,
    make_country,
    make_directive,
    make_finding,
    make_mechanism,
    make_provision,
    make_source,
    make_theme,
)

# Also tells pytest-django that the module needs the test database set up.
pytestmark = pytest.mark.django_db


@indexed_once
def populate():
    """One row of every kind, on the pages below."""
    theme = make_theme(slug="rescue")
    make_theme(slug="teams", parent=theme)
    make_mechanism(slug="mech", themes=[theme]).member_countries.add(make_country())
    source = make_source(slug="paper", themes=[theme])
    directive = make_directive(slug="big", themes=[Theme.objects.get(slug="teams")])
    directive.sources.add(source)
    directive.tags.add("rescue")
    add_rows(1)


@indexed_once
def add_rows(count):
    """`count` more rows of every kind, attached to the same pages as populate()."""
    theme, child = Theme.objects.get(slug="rescue"), Theme.objects.get(slug="teams")
    mechanism, source = Mechanism.objects.get(slug="mech"), Source.objects.get(slug="paper")
    directive = Directive.objects.get(slug="big")
    for _ in range(count):
        provision = make_provision(directive)
        agreement = make_agreement(
            themes=[theme], countries=[make_country()], mechanism=mechanism, provisions=[provision]
        )
        agreement.tags.add("rescue")
        make_directive(themes=[theme]).tags.add("rescue")
        finding = make_finding(source=source, themes=[child])
        finding.provisions.add(provision)
        finding.agreements.add(agreement)


PAGES = [
    "/",
    "/themes/",
    "/themes/rescue/",
    "/themes/rescue/?type=agreements",
    "/directives/",
    "/directives/?theme=rescue&year=2020",
    "/directives/big/",
    "/directives/big/p1/",
    "/agreements/",
    "/agreements/?country=np",
    "/mechanisms/",
    "/mechanisms/mech/",
    "/countries/",
    "/countries/np/",
    "/sources/paper/",
    "/tags/rescue/",
]
MAX_QUERIES = 22


def visit(path):
    """The status of a first visit to a page (nothing cached) and its queries' SQL."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(path)
    return response.status_code, [query["sql"] for query in queries.captured_queries]


@pytest.fixture(scope="module")
def visits(django_db_setup, django_db_blocker):
    """{path: (visit with 1 row of each kind, visit with 50)}. The rows are built once
    for the module, and rolled back at its end: building them takes far longer than
    reading the pages."""
    with django_db_blocker.unblock(), transaction.atomic():
        populate()
        one = {path: visit(path) for path in PAGES}
        add_rows(49)
        assert Finding.objects.count() == 50
        many = {path: visit(path) for path in PAGES}
        transaction.set_rollback(True)
    cache.clear()
    return {path: (one[path], many[path]) for path in PAGES}


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("rows", [1, 50])
def test_page_query_count_is_bounded(visits, path, rows):
    status, queries = visits[path][0 if rows == 1 else 1]
    assert status == 200
    assert len(queries) <= MAX_QUERIES, queries


@pytest.mark.parametrize("path", PAGES)
def test_query_count_does_not_grow_with_rows(visits, path):
    (_, one), (_, many) = visits[path]
    assert len(many) <= len(one) + 1, [sql[:120] for sql in many]
