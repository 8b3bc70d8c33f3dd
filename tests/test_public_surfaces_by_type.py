"""Every registered type of entry, on every public surface its declaration gives it
(its page, search, the API, the exports, its sitemap, the feed, the timeline): absent
as a draft, present once published, gone once withdrawn. A new type is covered by
registering it (and giving tests/test_entry_types.py a builder)."""

import datetime

import pytest
from django.core.cache import cache
from django.test import Client

from core.models import Status
from core.registry import registry
from search.models import SearchDocument
from tests.test_entry_types import EXAMPLES

pytestmark = pytest.mark.django_db

EVERY_TYPE = [entry_type.key for entry_type in registry]

# A word found nowhere else, put in the field each type's pages and documents show.
TEXT_FIELDS = {
    "directives": "title",
    "provisions": "text",
    "agreements": "title",
    "mechanisms": "name",
    "findings": "text",
    "sources": "title",
}

# The date field of the types whose test builders leave it blank.
UNDATED = {"mechanisms": "established_on", "sources": "published_on"}


def surfaces(entry_type, entry, word):
    """(address, what shows the entry there) for each public surface of its type."""
    found = [
        # The results page repeats the query: the entry shows as its link.
        (f"/search/?q={word}", f'href="{entry.get_absolute_url()}"'),
        (f"/api/v1/{entry_type.key}/?q={word}", word),
        (f"/export/{entry_type.key}.jsonl", word),
    ]
    if entry_type.has_page:
        found.append((f"/sitemap-{entry_type.key}.xml", entry.get_absolute_url()))
    if entry_type.own_publication:
        found.append(("/feeds/latest.atom", word))
    if entry_type.on_timeline:
        found.append(("/timeline/", word))
    return found


def read(client, address):
    response = client.get(address)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, content.decode()


def set_status(owner, status):
    owner.status = status
    owner.save()
    cache.clear()  # rendered citations and throttles are per process; start clean


@pytest.mark.parametrize("key", EVERY_TYPE)
def test_a_type_is_public_only_while_published(key):
    entry_type = registry[key]
    word = f"quorvex{key}"
    entry = EXAMPLES[key]()
    setattr(entry, TEXT_FIELDS[key], f"{getattr(entry, TEXT_FIELDS[key])} {word}")
    if key in UNDATED:  # the timeline shows dated entries only
        setattr(entry, UNDATED[key], datetime.date(2019, 4, 25))
    entry.save()
    owner = entry_type.owner(entry)
    if entry_type.on_timeline:
        assert SearchDocument.objects.get(entry_type=key, object_id=entry.pk).date
    public = Client()

    set_status(owner, Status.DRAFT)
    if entry_type.has_page:
        status, content = read(public, entry.get_absolute_url())
        assert status == 404 and word not in content
    for address, shown in surfaces(entry_type, entry, word):
        status, content = read(public, address)
        assert status == 200 and shown not in content, (address, "draft")

    set_status(owner, Status.PUBLISHED)
    if entry_type.has_page:
        status, content = read(public, entry.get_absolute_url())
        assert status == 200 and word in content
    for address, shown in surfaces(entry_type, entry, word):
        status, content = read(public, address)
        assert status == 200 and shown in content, (address, "published")

    set_status(owner, Status.WITHDRAWN)
    if entry_type.has_page:
        # A tombstone: 410, naming what was once published there, so that citations
        # of the address still lead somewhere.
        status, content = read(public, entry.get_absolute_url())
        assert status == 410 and "withdrawn" in content
    for address, shown in surfaces(entry_type, entry, word):
        status, content = read(public, address)
        assert status == 200 and shown not in content, (address, "withdrawn")
