"""The editors' admin: every page opens, anonymous visitors are sent to log in,
and an editor can add a linked agreement that shows publicly once published."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from cooperation.models import Agreement
from core.models import Country, LinkCheck, Organization, Status, StatusChange, Theme
from editorial.workflow import entry_publish, entry_submit
from tests.builders import make_directive, make_source, make_theme
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db

REGISTERED = [
    model
    for model in admin.site._registry
    if model._meta.app_label in {"core", "policies", "cooperation", "findings"}
]


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m.__name__)
def test_every_changelist_and_add_page_opens_for_an_editor(editor_client, seeded, model):
    assert editor_client.get(admin_url(model, "changelist")).status_code == 200
    add = editor_client.get(admin_url(model, "add"))
    # Countries come from ISO 3166; link checks and the workflow log are written by the
    # site; themes and organizations are added by reviewers (tests/test_reference_data.py).
    refused = {Country, LinkCheck, StatusChange, Theme, Organization}
    assert add.status_code == (403 if model in refused else 200)
    obj = model.objects.first()
    if obj is not None:
        assert editor_client.get(admin_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m.__name__)
def test_changelist_search_and_filters_work(editor_client, seeded, model):
    response = editor_client.get(admin_url(model, "changelist"), {"q": "emergency"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/policies/directive/", "/admin/cooperation/agreement/add/"]
)
def test_anonymous_visitors_are_sent_to_the_login_page(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_autocomplete_finds_provisions_for_agreement_links(editor_client, seeded):
    response = editor_client.get(
        "/admin/autocomplete/",
        {
            "term": "rescue",
            "app_label": "cooperation",
            "model_name": "agreementlink",
            "field_name": "provision",
        },
    )
    assert response.status_code == 200
    texts = [result["text"] for result in response.json()["results"]]
    assert any("point 2" in text for text in texts)


def test_editor_adds_an_agreement_that_shows_publicly_once_a_reviewer_publishes_it(
    editor_client, editor, reviewer, seeded
):
    provision = make_directive(title="Xi plan", provisions=3).provisions.get(number=3)
    nepal = Country.objects.get(code="NP")
    theme = Theme.objects.get(slug="belt-and-road")
    source = make_source()
    data = {
        "title": "China–Nepal MoU on disaster prevention",
        "slug": "china-nepal-mou-disaster-prevention",
        "kind": "mou",
        "status": Status.PUBLISHED,  # ignored: status moves only through the workflow
        "agreement_status": "signed",
        "party_countries": [nepal.pk],
        "themes": [theme.pk],
        "sources": [source.pk],
        "signed_on": "2019-04-25",
        "tags": "",
        "links-TOTAL_FORMS": "1",
        "links-INITIAL_FORMS": "0",
        "links-MIN_NUM_FORMS": "0",
        "links-MAX_NUM_FORMS": "1000",
        "links-0-kind": "responds_to",
        "links-0-provision": provision.pk,
        "links-0-note": "Joint rescue training",
    }
    response = editor_client.post(admin_url(Agreement, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    agreement = Agreement.objects.get(slug="china-nepal-mou-disaster-prevention")
    assert agreement.status == Status.DRAFT
    assert agreement.links.get().directive == provision.directive
    public_urls = [
        agreement.get_absolute_url(),
        provision.get_absolute_url(),
        "/countries/np/",
        "/themes/belt-and-road/",
        "/themes/international-cooperation/",
    ]
    public = Client()
    assert public.get(agreement.get_absolute_url()).status_code == 404
    entry_submit(entry=agreement, user=editor)
    entry_publish(entry=agreement, user=reviewer)
    for url in public_urls:
        assert "China–Nepal MoU" in public.get(url).content.decode(), url


def test_admin_validation_errors_are_plain_words(editor_client, db):
    directive = make_directive()
    data = {
        "title": "Bad dates",
        "slug": "Bad Slug",
        "kind": "mou",
        "status": "draft",
        "agreement_status": "signed",
        "signed_on": "2020-05-01",
        "in_force_on": "2020-04-01",
        "tags": "",
        "links-TOTAL_FORMS": "0",
        "links-INITIAL_FORMS": "0",
        "links-MIN_NUM_FORMS": "0",
        "links-MAX_NUM_FORMS": "1000",
    }
    response = editor_client.post(admin_url(Agreement, "add"), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Lower-case letters" in content or "lower-case" in content.lower()
    data["slug"] = "bad-dates"
    content = editor_client.post(admin_url(Agreement, "add"), data).content.decode()
    assert "cannot enter into force before it is signed" in content
    assert directive.pk  # nothing else was touched


def test_deleting_a_theme_in_use_shows_what_uses_it(reviewer_client, db):
    theme = make_theme(name="Rescue")
    make_directive(title="Plan using rescue", themes=[theme])
    response = reviewer_client.get(admin_url(Theme, "delete", theme.pk))
    assert response.status_code == 200
    assert b"Plan using rescue" in response.content
    reviewer_client.post(
        admin_url(Theme, "delete", theme.pk), {"post": "yes", "change_reason": "Merged."}
    )
    assert Theme.objects.filter(pk=theme.pk).exists()


def test_only_a_reviewer_has_the_publish_action(editor, reviewer):
    draft = make_directive(status=Status.IN_REVIEW, sources=[make_source()])
    changelist = reverse("admin:policies_directive_changelist")
    editor_client, reviewer_client = Client(), Client()
    editor_client.force_login(editor)
    reviewer_client.force_login(reviewer)
    editor_actions = editor_client.get(changelist).context["action_form"].fields["action"]
    assert "publish" not in dict(editor_actions.choices)
    assert "delete_selected" not in dict(editor_actions.choices)
    assert "submit_for_review" in dict(editor_actions.choices)
    response = reviewer_client.post(
        changelist, {"action": "publish", "_selected_action": [draft.pk]}, follow=True
    )
    assert b"1 entry is now published" in response.content
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED and draft.published_at is not None


def test_an_entry_once_public_is_deleted_only_by_a_reviewer(editor, reviewer):
    """Published, withdrawn, sent back to draft: its permalink may have been cited,
    so an editor still may not delete it."""
    editor_client, reviewer_client = logged_in(editor), logged_in(reviewer)
    directive = make_directive(sources=[make_source()])
    assert directive.published_at is not None
    directive.status = Status.DRAFT  # as after withdraw and send back
    directive.save()
    url = admin_url(type(directive), "delete", directive.pk)
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    assert type(directive).objects.filter(pk=directive.pk).exists()
    never_public = make_directive(status=Status.DRAFT)
    assert (
        editor_client.post(
            admin_url(type(never_public), "delete", never_public.pk), {"post": "yes"}
        ).status_code
        == 302
    )
    assert reviewer_client.post(url, {"post": "yes"}).status_code == 302


def test_an_editor_cannot_delete_a_point_of_a_directive_once_public(editor_client):
    directive = make_directive(provisions=2, sources=[make_source()])
    provision = directive.provisions.get(number=2)
    response = editor_client.post(
        admin_url(type(provision), "delete", provision.pk), {"post": "yes"}
    )
    assert response.status_code == 403
    change = editor_client.get(admin_url(type(directive), "change", directive.pk))
    # The inline offers no delete box for its points.
    assert "provisions-0-DELETE" not in change.content.decode()
    assert directive.provisions.count() == 2


def test_a_provision_cannot_be_moved_to_another_directive(editor_client):
    directive = make_directive(provisions=1, status=Status.DRAFT)
    other = make_directive(status=Status.DRAFT)
    provision = directive.provisions.get()
    url = admin_url(type(provision), "change", provision.pk)
    response = editor_client.post(
        url, {"directive": other.pk, "number": 5, "text": "Moved?", "themes": [], "tags": ""}
    )
    provision.refresh_from_db()
    assert provision.directive_id == directive.pk
    assert response.status_code in {200, 302}
