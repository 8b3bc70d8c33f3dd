"""The registry of entry types (core.registry): every type carries every hook, and the
site's per-type surfaces are derived from it, so a new type that misses one fails
here rather than silently."""

import pytest
from django.template.loader import get_template

from api.views import COLLECTIONS
from core.models import Organization, Status
from core.registry import registry
from feeds.sitemaps import SITEMAPS
from search.models import SearchDocument
from tests.builders import (
    make_agreement,
    make_directive,
    make_finding,
    make_mechanism,
    make_provision,
    make_source,
)

# One fictional, published entry of each type, made the way the tests make them.
# A type registered without a builder here fails test_every_type_has_a_test_builder.
EXAMPLES = {
    "directives": lambda: make_directive(),
    "provisions": lambda: make_provision(),
    "agreements": lambda: make_agreement(),
    "mechanisms": lambda: make_mechanism(),
    "findings": lambda: make_finding(),
    "sources": lambda: make_source(),
}

EVERY_TYPE = [entry_type.key for entry_type in registry]


def test_the_registry_holds_the_six_types_in_their_order():
    assert EVERY_TYPE == [
        "directives",
        "provisions",
        "agreements",
        "mechanisms",
        "findings",
        "sources",
    ]


def test_a_type_cannot_be_registered_twice():
    with pytest.raises(ValueError, match="twice"):
        registry.register(registry["directives"])


def test_every_type_has_a_test_builder():
    assert set(EXAMPLES) == set(EVERY_TYPE)


@pytest.mark.parametrize("key", EVERY_TYPE)
def test_every_type_has_its_card_api_collection_and_export(key):
    entry_type = registry[key]
    assert registry.for_model(entry_type.model) is entry_type
    get_template(entry_type.card_template)
    assert key in COLLECTIONS  # /api/v1/<key>/ and /export/<key>.*
    assert callable(entry_type.search_document)


@pytest.mark.parametrize("key", EVERY_TYPE)
def test_every_type_with_a_page_is_in_the_sitemap_and_citable(key):
    entry_type = registry[key]
    assert (key in SITEMAPS) == entry_type.has_page
    if entry_type.has_page:
        assert entry_type.citable


@pytest.mark.django_db
@pytest.mark.parametrize("key", EVERY_TYPE)
def test_every_type_indexes_cites_and_finds_an_entry_by_its_address(key, client):
    entry_type = registry[key]
    entry = EXAMPLES[key]()
    document = SearchDocument.objects.get(entry_type=key, object_id=entry.pk)
    assert document.is_published and document.url == entry.get_absolute_url()
    # The cards and the indexer read only what the type's declaration names.
    assert list(entry_type.published()) == [entry]
    if entry_type.citable:
        item = entry_type.csl_item(entry)
        assert item["id"] and item["title"]
        resolved = client.get(entry.get_absolute_url()).resolver_match
        url_kwargs = {keyword: resolved.kwargs[keyword] for keyword, _ in entry_type.url_fields}
        assert entry_type.model.objects.get(**entry_type.lookup(**url_kwargs)) == entry
        response = client.get(f"{entry.get_absolute_url()}cite.json")
        assert response.status_code == 200 and item["id"] in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("key", EVERY_TYPE)
@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN])
def test_is_published_and_published_are_one_rule(key, status):
    """An entry's is_published (which the index reads) agrees with its model's
    published() (which pages read), in every status of the entry or its parent."""
    entry = EXAMPLES[key]()
    owner = registry[key].owner(entry)
    owner.status = status
    owner.save()
    entry.refresh_from_db()
    published = registry[key].model.objects.published()
    assert entry.is_published is False
    assert not published.filter(pk=entry.pk).exists()
    assert not SearchDocument.objects.get(entry_type=key, object_id=entry.pk).is_published


@pytest.mark.django_db
def test_a_finding_of_an_unpublished_source_is_not_published_however_it_is_marked():
    finding = make_finding(source=make_source(status=Status.DRAFT))
    assert finding.status == Status.PUBLISHED
    assert finding.is_published is False
    assert not registry["findings"].model.objects.published().filter(pk=finding.pk).exists()


@pytest.mark.django_db
def test_a_member_organization_added_to_a_mechanism_is_searchable_at_once():
    """The relations that reindex an entry are read off its model: member
    organizations were once missed, leaving the document stale until the next save."""
    mechanism = make_mechanism(name="Lantern Valley relief compact")
    organization = Organization.objects.create(name="Quillmoor Relief Society", slug="quillmoor")
    keywords = SearchDocument.objects.filter(entry_type="mechanisms", object_id=mechanism.pk)
    mechanism.member_organizations.add(organization)
    assert "Quillmoor Relief Society" in keywords.get().keywords
    mechanism.member_organizations.remove(organization)
    assert "Quillmoor" not in keywords.get().keywords


@pytest.mark.django_db
def test_renaming_a_mechanism_reindexes_its_agreements():
    mechanism = make_mechanism(name="Lantern Valley relief compact")
    agreement = make_agreement(mechanism=mechanism)
    mechanism.name = "Amberfold relief compact"
    mechanism.save()
    document = SearchDocument.objects.get(entry_type="agreements", object_id=agreement.pk)
    assert "Amberfold" in document.keywords and "Lantern" not in document.keywords


@pytest.mark.django_db
def test_an_agreement_does_not_repeat_its_draft_mechanism_name():
    mechanism = make_mechanism(name="Lantern Valley relief compact", status=Status.DRAFT)
    agreement = make_agreement(mechanism=mechanism)
    document = SearchDocument.objects.get(entry_type="agreements", object_id=agreement.pk)
    assert "Lantern" not in document.keywords
