"""A tag has no status of its own: it is public while a published entry carries it
(core.registry.public_tags), and otherwise it is as if it did not exist, so its name
cannot tell the public that a draft is being written."""

import pytest
from django.db import connection

from core.models import Status
from core.registry import public_tags
from tests.builders import make_directive, make_finding, make_source

pytestmark = pytest.mark.django_db

NAME = "Zembla levee inspections"
SLUG = "zembla-levee-inspections"


def test_a_tag_only_drafts_carry_has_no_page_until_one_is_published(client):
    directive = make_directive(status=Status.DRAFT)
    directive.tags.add(NAME)
    response = client.get(f"/tags/{SLUG}/")
    assert response.status_code == 404 and NAME not in response.content.decode()

    directive.status = Status.PUBLISHED
    directive.save()
    response = client.get(f"/tags/{SLUG}/")
    assert response.status_code == 200 and NAME in response.content.decode()

    directive.status = Status.WITHDRAWN
    directive.save()
    assert client.get(f"/tags/{SLUG}/").status_code == 404


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN])
def test_a_tag_is_public_only_with_a_published_entry_of_any_type(status):
    make_directive(status=status).tags.add(NAME)
    make_source(status=status).tags.add("Zembla dikes")
    # A published finding of an unpublished source is not public either.
    make_finding(source=make_source(status=status)).tags.add("Zembla pumps")
    assert not public_tags().exists()

    make_directive(provisions=1).provisions.get().tags.add("Zembla pumps")
    assert list(public_tags().values_list("name", flat=True)) == ["Zembla pumps"]


def test_a_search_for_a_tag_only_drafts_carry_is_told_there_is_no_such_tag(client):
    make_directive(status=Status.DRAFT).tags.add(NAME)
    make_directive(title="Zembla flood notice").tags.add("Zembla floods")
    hidden = client.get(f"/search/?q=zembla&tag={SLUG}").content.decode()
    unknown = client.get("/search/?q=zembla&tag=no-such-tag").content.decode()
    assert "There is no such tag" in hidden and "There is no such tag" in unknown
    assert NAME not in hidden
    # The facets list the public tag only.
    assert "Zembla floods" in hidden


def test_the_public_tags_are_found_by_an_index_on_tag_and_type():
    """core/0010: each tag's tagged rows of one type are found by an index, not by
    reading every tagged row of that type (both databases have the index; SQLite's
    plan is checked, PostgreSQL's on a table this small would be a scan anyway)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "taggit_taggeditem")
    indexes = {name: c["columns"] for name, c in constraints.items() if c["index"]}
    assert indexes.get("core_taggeditem_tag_type_idx") == ["tag_id", "content_type_id", "object_id"]
    if connection.vendor != "sqlite":
        return
    sql, params = public_tags().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = [row[-1] for row in cursor.fetchall()]
    tagged = [step for step in plan if "taggit_taggeditem" in step or " V0 " in step]
    assert tagged and all("core_taggeditem_tag_type_idx" in step for step in tagged), plan
