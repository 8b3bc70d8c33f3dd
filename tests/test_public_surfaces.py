"""Only published entries leave the admin: one agreement, taken through review, is
absent from every public surface while it is a draft and present on each once it is
published."""

import pytest
from django.core.cache import cache
from django.test import Client

from core.models import Status
from editorial.workflow import entry_publish, entry_submit
from tests.builders import make_agreement, make_country, make_source
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

TITLE = "Zanzibar flood drills memorandum"

SURFACES = [
    "/agreements/china-zanzibar-drills/",
    "/agreements/",
    "/countries/np/",
    "/search/?q=Zanzibar",
    "/timeline/",
    "/api/v1/agreements/",
    "/api/v1/agreements/?q=Zanzibar",
    "/export/agreements.csv",
    "/export/agreements.jsonl",
    "/feeds/latest.atom",
    "/sitemap-agreements.xml",
]


def body(client, path):
    response = client.get(path)
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode()
    return response.status_code, content


def test_a_draft_is_on_no_public_surface_and_a_published_entry_is_on_every_one():
    editor, reviewer = make_user("ed", "Editor"), make_user("rita", "Reviewer")
    agreement = make_agreement(
        title=TITLE,
        slug="china-zanzibar-drills",
        status=Status.DRAFT,
        countries=[make_country()],
        sources=[make_source()],
    )
    public = Client()
    for path in SURFACES:
        status, content = body(public, path)
        if path == SURFACES[0]:
            assert status == 404  # its own address: the site's 404 page, which names no title
            assert TITLE not in content
        else:
            assert TITLE not in content and "china-zanzibar-drills" not in content, path

    entry_submit(entry=agreement, user=editor)
    entry_publish(entry=agreement, user=reviewer)
    cache.clear()  # rendered citations and throttles are per process; start clean
    for path in SURFACES:
        status, content = body(public, path)
        assert status == 200, path
        assert "china-zanzibar-drills" in content or TITLE in content, path
