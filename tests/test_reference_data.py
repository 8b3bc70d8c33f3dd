"""Reference data (themes, organizations, countries, tags) has no workflow: a change
is public the moment it is saved. So only reviewers add, change or delete it in the
admin, and each change is recorded with who made it and why (a required reason, in
the row's history). Editors see it, and pick it on entries."""

import pytest
from django.urls import NoReverseMatch, reverse
from taggit.models import Tag

from core.models import Country, Organization, Theme
from tests.builders import make_country, make_organization, make_theme
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db

REASON = "Spelling fixed after the Freedonia gazette erratum."


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def make_tag():
    return Tag.objects.create(name="Grand Fenwick drills", slug="grand-fenwick-drills")


# model -> (a builder of one row, a valid change form for it)
REFERENCE = {
    Theme: (
        lambda: make_theme(name="Levees", slug="levees"),
        {"name": "Levees and dikes", "slug": "levees", "order": 0},
    ),
    Organization: (
        lambda: make_organization(name="Freedonia Flood Office", slug="freedonia-flood-office"),
        {"name": "Freedonia Flood Agency", "slug": "freedonia-flood-office", "kind": "ministry"},
    ),
    Country: (
        lambda: make_country(code="XA", name="Freedonia"),
        {"name": "Republic of Freedonia"},
    ),
    # A tag's slug is read-only once made (its page's address): the form sends none.
    Tag: (make_tag, {"name": "Grand Fenwick exercises"}),
}
MODELS = list(REFERENCE)
IDS = [model.__name__ for model in MODELS]


def history_of(model, obj):
    return model.history.filter(id=obj.pk).order_by("history_date", "history_id")


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_an_editor_sees_reference_data_but_cannot_add_change_or_delete_it(editor, model):
    build, form = REFERENCE[model]
    obj = build()
    client = logged_in(editor)
    assert client.get(url(model, "changelist")).status_code == 200
    page = client.get(url(model, "change", obj.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # read-only
    assert "Reason for this change" not in page.content.decode()
    assert client.get(url(model, "add")).status_code == 403
    assert client.post(url(model, "add"), {**form, "change_reason": REASON}).status_code == 403
    response = client.post(url(model, "change", obj.pk), {**form, "change_reason": REASON})
    assert response.status_code == 403
    response = client.post(url(model, "delete", obj.pk), {"post": "yes", "change_reason": REASON})
    assert response.status_code == 403
    obj.refresh_from_db()
    assert obj.name != form["name"]


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_a_reviewers_change_is_recorded_with_who_and_why(reviewer, model):
    build, form = REFERENCE[model]
    obj = build()
    client = logged_in(reviewer)
    assert "Reason for this change" in client.get(url(model, "change", obj.pk)).content.decode()
    response = client.post(url(model, "change", obj.pk), {**form, "change_reason": REASON})
    assert response.status_code == 302, response.context["adminform"].form.errors
    obj.refresh_from_db()
    assert obj.name == form["name"]
    record = history_of(model, obj).last()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "~",
        reviewer,
        REASON,
    )


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_a_change_without_a_reason_is_not_saved_and_says_so(reviewer, model):
    build, form = REFERENCE[model]
    obj = build()
    before = history_of(model, obj).count()
    response = logged_in(reviewer).post(url(model, "change", obj.pk), {**form, "change_reason": ""})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["change_reason"] == ["This field is required."]
    obj.refresh_from_db()
    assert obj.name != form["name"]
    assert history_of(model, obj).count() == before


@pytest.mark.parametrize("model", [Theme, Organization, Tag], ids=lambda model: model.__name__)
def test_a_reviewer_adds_reference_data_with_a_reason(reviewer, model):
    form = {**REFERENCE[model][1], "slug": "grand-fenwick-exercises"}
    response = logged_in(reviewer).post(url(model, "add"), {**form, "change_reason": REASON})
    assert response.status_code == 302, response.context["adminform"].form.errors
    obj = model.objects.get(name=form["name"])
    record = history_of(model, obj).get()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        reviewer,
        REASON,
    )


@pytest.mark.parametrize("model", [Theme, Organization], ids=lambda model: model.__name__)
def test_a_reviewer_deletes_with_a_reason_and_not_without(reviewer, model):
    build, _ = REFERENCE[model]
    obj = build()
    client = logged_in(reviewer)
    response = client.post(url(model, "delete", obj.pk), {"post": "yes", "change_reason": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert model.objects.filter(pk=obj.pk).exists()

    response = client.post(url(model, "delete", obj.pk), {"post": "yes", "change_reason": REASON})
    assert response.status_code == 302
    assert not model.objects.filter(pk=obj.pk).exists()
    record = history_of(model, obj).last()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "-",
        reviewer,
        REASON,
    )


def test_a_tags_address_stays_once_it_is_made(reviewer, client):
    tag = make_tag()
    response = logged_in(reviewer).post(
        url(Tag, "change", tag.pk),
        {"name": "Grand Fenwick exercises", "slug": "fenwick", "change_reason": REASON},
    )
    assert response.status_code == 302
    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("Grand Fenwick exercises", "grand-fenwick-drills")


def test_nobody_adds_or_deletes_a_country_nor_deletes_a_tag(reviewer):
    country, tag = make_country(code="XA", name="Freedonia"), make_tag()
    client = logged_in(reviewer)
    assert client.get(url(Country, "add")).status_code == 403
    assert client.post(url(Country, "delete", country.pk), {"post": "yes"}).status_code == 403
    assert client.post(url(Tag, "delete", tag.pk), {"post": "yes"}).status_code == 403


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_no_bulk_delete_and_no_change_outside_the_form(reviewer, model):
    """Every change goes through a form that asks why: no delete action on the list,
    no fields edited on the list, and taggit's merge page (which checked no
    permission) is gone."""
    REFERENCE[model][0]()
    response = logged_in(reviewer).get(url(model, "changelist"))
    assert "delete_selected" not in response.content.decode()
    assert not response.context["cl"].list_editable
    with pytest.raises(NoReverseMatch):
        reverse("admin:taggit_tag_merge_tags")
