"""Each public page costs a fixed number of queries, whether 1 or 50 rows exist."""

import pytest

from findings.models import Finding
from tests.builders import (
    make_agreement,
    make_country,
    make_directive,
    make_finding,
    make_mechanism,
    make_source,
    make_theme,
)

pytestmark = pytest.mark.django_db


def populate(rows):
    theme = make_theme(slug="rescue")
    child = make_theme(slug="teams", parent=theme)
    nepal = make_country()
    mechanism = make_mechanism(slug="mech", themes=[theme])
    mechanism.member_countries.add(nepal)
    source = make_source(slug="paper", themes=[theme])
    directive = make_directive(slug="big", provisions=rows, themes=[child])
    directive.sources.add(source)
    directive.tags.add("rescue")
    provisions = list(directive.provisions.all())
    for number in range(rows):
        agreement = make_agreement(
            themes=[theme],
            countries=[nepal],
            mechanism=mechanism,
            provisions=provisions[number : number + 1],
        )
        agreement.tags.add("rescue")
        make_directive(themes=[theme]).tags.add("rescue")
        finding = make_finding(source=source, themes=[child])
        finding.provisions.add(provisions[number])
        finding.agreements.add(agreement)
    assert Finding.objects.count() == rows


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


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("rows", [1, 50])
def test_page_query_count_is_bounded(client, django_assert_max_num_queries, path, rows):
    populate(rows)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(path)
    assert response.status_code == 200


@pytest.mark.parametrize("path", PAGES)
def test_query_count_does_not_grow_with_rows(client, django_assert_num_queries, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    populate(1)
    with CaptureQueriesContext(connection) as one:
        client.get(path)
    populate_more()
    with CaptureQueriesContext(connection) as many:
        client.get(path)
    assert len(many) <= len(one) + 1, [q["sql"][:120] for q in many.captured_queries]


def populate_more():
    """Forty more rows of every kind, attached to the same pages as populate()."""
    from core.models import Source, Theme
    from policies.models import Directive, Provision

    theme = Theme.objects.get(slug="rescue")
    source = Source.objects.get(slug="paper")
    directive = Directive.objects.get(slug="big")
    nepal = make_country()
    for number in range(2, 42):
        provision = Provision.objects.create(directive=directive, number=number, text="t")
        agreement = make_agreement(themes=[theme], countries=[nepal], provisions=[provision])
        agreement.tags.add("rescue")
        make_directive(themes=[theme]).tags.add("rescue")
        finding = make_finding(source=source, themes=[theme])
        finding.provisions.add(provision)
