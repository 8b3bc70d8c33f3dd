"""The index stays current however entries change: saves, inline edits in the admin,
theme/tag/country links, deletes, moved themes, and bulk changes followed by
`manage.py rebuild_search_index`. The admin's search box reads the same index."""

import datetime

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Model, QuerySet
from django.urls import reverse

from core.models import Status
from editorial.workflow import publish_change
from policies.models import Directive
from search import indexing, signals
from search.models import SearchDocument, SearchFacet
from tests.builders import (
    make_agreement,
    make_country,
    make_directive,
    make_provision,
    make_source,
    make_theme,
)

pytestmark = pytest.mark.django_db


def public(**lookups):
    return SearchDocument.objects.published().filter(**lookups)


def facet_values(entry, kind):
    document = SearchDocument.objects.get(
        object_id=entry.pk, entry_type=f"{entry._meta.model_name}s"
    )
    return set(document.facets.filter(kind=kind).values_list("value", flat=True))


def test_saving_indexes_and_deleting_removes(db):
    directive = make_directive(title="Flood plan", provisions=2)
    assert public(entry_type="directives", object_id=directive.pk, title="Flood plan").exists()
    assert public(entry_type="provisions").count() == 2
    directive.title = "Drought plan"
    directive.save()
    provision = public(entry_type="provisions").first()
    assert provision.parent_title == "Drought plan"
    directive.delete()
    assert not SearchDocument.objects.exists()
    assert not SearchFacet.objects.exists()


def test_a_status_change_hides_or_shows_the_entry_and_its_provisions(db):
    directive = make_directive(status=Status.DRAFT, provisions=2)
    assert not public().exists()
    assert SearchDocument.objects.count() == 3  # indexed for editors, hidden from the public
    directive.status = Status.PUBLISHED
    directive.save()
    assert public().count() == 3
    directive.status = Status.IN_REVIEW
    directive.save()
    assert not public().exists()


def test_theme_tag_and_country_changes_reach_the_facets(db):
    parent = make_theme(slug="parent")
    child = make_theme(slug="child", parent=parent)
    agreement = make_agreement()
    agreement.themes.add(child)
    assert facet_values(agreement, "theme") == {str(child.pk), str(parent.pk)}
    agreement.tags.add("Earthquakes")
    assert facet_values(agreement, "tag") == {"earthquakes"}
    agreement.party_countries.add(make_country())
    assert facet_values(agreement, "country") == {"np"}
    agreement.tags.clear()
    child.agreements.remove(agreement)  # from the other side
    assert facet_values(agreement, "tag") == set()
    assert facet_values(agreement, "theme") == set()


def test_moving_a_theme_recounts_its_entries_under_the_new_parent(db):
    old, new = make_theme(slug="old"), make_theme(slug="new")
    child = make_theme(slug="child", parent=old)
    directive = make_directive(themes=[child])
    child.parent = new
    child.save()
    assert facet_values(directive, "theme") == {str(child.pk), str(new.pk)}


def test_provisions_edited_inline_in_the_admin_are_reindexed(editor_client, reviewer):
    directive = make_directive(title="Plan", slug="plan", sources=[make_source()])
    provision = make_provision(directive, number=1, text="Old words.")
    theme = make_theme(slug="rescue")
    page = editor_client.get(reverse("admin:policies_directive_change", args=[directive.pk]))
    data = form_data(page)
    data["provisions-0-text"] = "Shelters for earthquake survivors."
    data["provisions-0-themes"] = [str(theme.pk)]
    response = editor_client.post(page.request["PATH_INFO"], data)
    assert response.status_code == 302, response.context["errors"]
    # The directive is published: the edit waits for review, and the index with it.
    document = public(entry_type="provisions", object_id=provision.pk).get()
    assert document.body == "Old words."
    publish_change(entry=directive, user=reviewer)
    document = public(entry_type="provisions", object_id=provision.pk).get()
    assert document.body == "Shelters for earthquake survivors."
    assert facet_values(provision, "theme") == {str(theme.pk)}
    urls = [d.url for d in SearchDocument.objects.published().matching(parse("survivor"))]
    assert urls == ["/directives/plan/p1/"]


@pytest.mark.parametrize("options", [[], ["--offline"]])
def test_bulk_changes_are_caught_up_by_the_rebuild_command(db, capsys, options):
    make_directive(title="Cyclone plan", status=Status.DRAFT, provisions=1)
    Directive.objects.update(status=Status.PUBLISHED, title="Typhoon plan")  # no signals
    assert not public().exists()
    call_command("rebuild_search_index", "--quiet", *options)
    assert public(entry_type="directives", title="Typhoon plan").exists()
    assert public(entry_type="provisions").count() == 1
    assert "Indexed 1 directives, 1 provisions" in capsys.readouterr().out


def test_rebuild_gives_the_same_index_as_the_saves(db):
    theme = make_theme(slug="t", parent=make_theme(slug="root"))
    make_directive(themes=[theme], provisions=2).tags.add("x")
    make_agreement(themes=[theme], countries=[make_country()])
    before = snapshot()
    call_command("rebuild_search_index", "--quiet")
    assert snapshot() == before


def snapshot():
    documents = SearchDocument.objects.values_list(
        "entry_type", "object_id", "is_published", "title", "keywords", "body", "url", "year"
    )
    facets = SearchFacet.objects.values_list(
        "document__entry_type", "document__object_id", "kind", "value", "direct"
    )
    return sorted(documents), sorted(facets)


def test_admin_search_uses_the_index_and_finds_drafts(editor_client, db):
    make_directive(title="Plan for rescuing miners", slug="miners", status=Status.DRAFT)
    make_directive(title="Unrelated", slug="unrelated")
    url = reverse("admin:policies_directive_changelist")
    html = editor_client.get(url, {"q": "rescue"}).content.decode()
    # "rescue" is not a substring of "rescuing": only the stemmed index finds it.
    assert "Plan for rescuing miners" in html and "Unrelated" not in html
    fragment = editor_client.get(url, {"q": "miner"}).content.decode()
    assert "Plan for rescuing miners" in fragment


def test_admin_autocomplete_still_finds_word_fragments(editor_client, db):
    make_theme(slug="rescue")
    make_directive(title="Plan for rescuing miners", slug="miners")
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "resc",
            "app_label": "cooperation",
            "model_name": "agreementlink",
            "field_name": "directive",
        },
    )
    assert [r["text"] for r in response.json()["results"]] == ["Plan for rescuing miners"]


def parse(text):
    from search.parsing import parse as parse_query

    return parse_query(text)


def form_data(response):
    """The POST data an editor sends back unchanged from an admin change page."""
    data = {}
    forms = [response.context["adminform"].form]
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name, field in management.fields.items():
            data[management.add_prefix(name)] = management.initial.get(name, field.initial)
        forms.extend(formset.formset.forms)
    for form in forms:
        for name in form.fields:
            value = form.initial.get(name, form.fields[name].initial)
            if isinstance(value, QuerySet | list | tuple):
                value = [str(getattr(item, "pk", item)) for item in value]
            elif isinstance(value, Model):
                value = value.pk
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            if value is None:
                continue
            data[form.add_prefix(name)] = value
    data["tags"] = ""
    return data


def test_a_deferred_block_indexes_each_changed_entry_once_at_its_end(db, monkeypatch):
    calls = []
    index_ids = indexing.index_ids
    monkeypatch.setattr(
        indexing,
        "index_ids",
        lambda model, ids: calls.append((model, ids)) or index_ids(model, ids),
    )
    doomed = make_directive(title="Doomed plan")
    calls.clear()
    with transaction.atomic(), signals.deferred():
        directive = make_directive(title="Flood plan", provisions=2)
        directive.tags.add("levees")
        directive.themes.add(make_theme(slug="floods"))
        doomed.delete()
        assert not public(title="Flood plan").exists()  # nothing indexed yet
    assert sorted((model.__name__, len(ids)) for model, ids in calls) == [
        ("Directive", 2),
        ("Provision", 2),
    ]
    assert public(title="Flood plan").get().facets.filter(kind="tag", value="levees").exists()
    assert public(entry_type="provisions").count() == 2
    assert not public(title="Doomed plan").exists()


def test_a_failed_deferred_block_indexes_nothing(db):
    with pytest.raises(RuntimeError), transaction.atomic(), signals.deferred():
        make_directive(title="Never saved")
        raise RuntimeError("interrupted")
    assert not SearchDocument.objects.exists()
    make_directive(title="Saved after")  # the signals index at once again
    assert public(title="Saved after").exists()


def test_provisions_indexed_together_share_their_directive_and_its_address(db, monkeypatch):
    directive = make_directive(title="Flood plan", provisions=3)
    entries = list(indexing.indexable_queryset("provisions").filter(directive=directive))
    assert len({id(provision.directive) for provision in entries}) == 1
    addresses = []
    get_absolute_url = Directive.get_absolute_url
    monkeypatch.setattr(
        Directive,
        "get_absolute_url",
        lambda self: addresses.append(self.pk) or get_absolute_url(self),
    )
    indexing.index_entries("provisions", entries)
    assert addresses == [directive.pk]  # asked once for its three provisions
    assert set(public(entry_type="provisions").values_list("parent_url", flat=True)) == {
        directive.get_absolute_url()
    }


def test_a_provision_document_links_to_the_provision_page(db):
    directive = make_directive(title="Flood plan", provisions=2)
    for provision in directive.provisions.all():
        document = SearchDocument.objects.get(entry_type="provisions", object_id=provision.pk)
        assert document.url == provision.get_absolute_url()
    directive.slug = "flood-plan-renamed"
    directive.save()
    renamed = SearchDocument.objects.get(entry_type="provisions", object_id=provision.pk)
    assert renamed.url == "/directives/flood-plan-renamed/p2/" == provision.get_absolute_url()
