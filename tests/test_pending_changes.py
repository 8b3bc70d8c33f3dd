"""One gate for every public change: an edit of a published entry — its fields, links,
tags, points (added, edited, deleted), a revert, an import — is held as a pending
change while the published version stays public, until a reviewer publishes it or
sends it back. Nothing an editor saved is lost on the way."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse

from core.models import Status, StatusChange
from core.registry import registry
from editorial.importing import entries_import
from editorial.models import PendingChange
from editorial.pending import pending_change
from editorial.workflow import (
    discard_change,
    entry_withdraw,
    publish_change,
    send_back_change,
)
from policies.models import Directive, Provision
from search.models import SearchDocument
from search.parsing import parse
from tests.builders import make_directive, make_source, make_theme
from tests.conftest import logged_in, make_user
from tests.test_entry_types import EXAMPLES
from tests.test_history import change_url, directive_form
from tests.test_public_surfaces_by_type import TEXT_FIELDS
from tests.test_search_index import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def directive():
    return make_directive(
        slug="ferngully-plan",
        title="Ferngully flood plan",
        summary="Published wording.",
        provisions=2,
        sources=[make_source()],
    )


def public_page(client, path="/directives/ferngully-plan/"):
    return client.get(path).content.decode()


def test_an_editors_change_to_a_published_entry_waits_for_review(
    editor, reviewer, directive, client
):
    editor_client = logged_in(editor)
    data = directive_form(directive, summary="Unreviewed wording.")
    data["change_reason"] = "Corrected from the source"
    response = editor_client.post(change_url(directive), data, follow=True)
    assert "Saved for review" in response.content.decode()

    directive.refresh_from_db()
    assert directive.summary == "Published wording."
    assert "Unreviewed wording" not in public_page(client)
    change = pending_change(directive)
    assert change.author == editor and change.reason == "Corrected from the source"

    # The reviewer sees what would change, then publishes it.
    page = logged_in(reviewer).get(change_url(directive)).content.decode()
    assert "Published wording." in page and "Unreviewed wording." in page
    publish_change(entry=directive, user=reviewer, seen_revision=change.revision)
    assert "Unreviewed wording." in public_page(client)
    assert not PendingChange.objects.exists()
    step = StatusChange.objects.get(object_id=directive.pk)
    assert (step.from_status, step.to_status, step.user) == ("published", "published", reviewer)
    assert step.public_reason == "Corrected from the source"


def test_the_public_page_lists_each_published_version_with_its_reason(
    editor, reviewer, directive, client
):
    data = {**directive_form(directive, summary="Second wording."), "change_reason": "Typo fixed"}
    logged_in(editor).post(change_url(directive), data)
    publish_change(entry=directive, user=reviewer)
    page = public_page(client)
    assert "Published versions" in page and "Typo fixed" in page
    point = public_page(client, "/directives/ferngully-plan/p1/")
    assert "Typo fixed" in point  # a point's page lists its directive's versions


def test_points_added_edited_and_deleted_are_held_and_published_together(
    editor, reviewer, directive, client
):
    first, second = directive.provisions.order_by("number")
    data = directive_form(directive)
    data.update(
        {
            "provisions-0-text": "Edited point text.",
            "provisions-1-DELETE": "on",
            "provisions-TOTAL_FORMS": "3",
            "provisions-2-number": "3",
            "provisions-2-text": "A new third point.",
            "provisions-2-directive": directive.pk,
        }
    )
    # Deleting a point of a public directive takes a reviewer.
    response = logged_in(reviewer).post(change_url(directive), data)
    assert response.status_code == 302, response.context["errors"]
    assert public_page(client, "/directives/ferngully-plan/p2/").count("Point 2 text.") >= 1
    assert client.get("/directives/ferngully-plan/p3/").status_code == 404
    assert list(directive.provisions.values_list("text", flat=True).order_by("number")) == [
        "Point 1 text.",
        "Point 2 text.",
    ]

    description = logged_in(editor).get(change_url(directive)).content.decode()
    assert "A new third point." in description and "deleted" in description
    publish_change(entry=directive, user=make_user("rex", "Reviewer"))
    assert list(directive.provisions.values_list("text", flat=True).order_by("number")) == [
        "Edited point text.",
        "A new third point.",
    ]
    assert Provision.objects.filter(pk=first.pk).exists()
    assert not Provision.objects.filter(pk=second.pk).exists()
    assert client.get("/directives/ferngully-plan/p3/").status_code == 200


def test_links_and_tags_are_held_too(editor, reviewer, directive):
    theme = make_theme(name="Ferngully floods", slug="ferngully-floods")
    data = {**directive_form(directive, themes=[theme.pk]), "tags": "fictional-floods"}
    logged_in(editor).post(change_url(directive), data)
    assert not directive.themes.exists() and not directive.tags.exists()
    publish_change(entry=directive, user=reviewer)
    assert list(directive.themes.all()) == [theme]
    assert [tag.name for tag in directive.tags.all()] == ["fictional-floods"]


def test_the_search_index_changes_only_when_the_change_is_published(editor, reviewer, directive):
    data = directive_form(directive, summary="Zanzibarian hovercraft drills.")
    logged_in(editor).post(change_url(directive), data)

    def found():
        return SearchDocument.objects.published().matching(parse("hovercraft")).exists()

    assert not found()
    publish_change(entry=directive, user=reviewer)
    assert found()


def test_later_edits_build_on_the_pending_version(editor, reviewer, directive):
    editor_client = logged_in(editor)
    editor_client.post(change_url(directive), directive_form(directive, summary="First edit."))
    # The form now shows the pending version, with its own version number.
    page = editor_client.get(change_url(directive))
    assert page.context["adminform"].form.initial["summary"] == "First edit."
    data = directive_form(directive, title="Ferngully flood plan, revised")
    data["summary"] = "First edit."
    data["edit_version"] = page.context["adminform"].form.fields["edit_version"].initial
    assert editor_client.post(change_url(directive), data).status_code == 302
    change = pending_change(directive)
    assert change.revision == 2
    publish_change(entry=directive, user=reviewer)
    directive.refresh_from_db()
    assert (directive.title, directive.summary) == ("Ferngully flood plan, revised", "First edit.")


def test_a_second_editor_saving_an_older_form_is_refused(editor, directive):
    other = make_user("otto", "Editor")
    stale = directive_form(directive, summary="Otto's wording.")
    logged_in(editor).post(change_url(directive), directive_form(directive, summary="Ed's."))
    response = logged_in(other).post(change_url(directive), stale)
    assert response.status_code == 200 and "Not saved" in response.content.decode()
    assert pending_change(directive).snapshot["proposed"]["fields"]["summary"] == "Ed's."


def test_a_reviewer_does_not_publish_their_own_change(reviewer, directive):
    data = directive_form(directive, summary="The reviewer's own wording.")
    logged_in(reviewer).post(change_url(directive), data)
    with pytest.raises(PermissionDenied, match="another reviewer"):
        publish_change(entry=directive, user=reviewer)
    with override_settings(REVIEWERS_MAY_PUBLISH_OWN_WORK=True):
        publish_change(entry=directive, user=reviewer)
    directive.refresh_from_db()
    assert directive.summary == "The reviewer's own wording."


def test_an_editor_cannot_publish_a_change(editor, directive):
    logged_in(editor).post(change_url(directive), directive_form(directive, summary="Mine."))
    with pytest.raises(PermissionDenied):
        publish_change(entry=directive, user=make_user("otto", "Editor"))
    response = logged_in(editor).post(
        reverse("admin:policies_directive_workflow", args=[directive.pk]),
        {"transition": "publish_change", "seen_version": "1"},
        follow=True,
    )
    assert "needs a reviewer" in response.content.decode()
    assert Directive.objects.get(pk=directive.pk).summary == "Published wording."


def test_a_change_saved_again_after_the_reviewer_looked_is_not_published(
    editor, reviewer, directive
):
    editor_client = logged_in(editor)
    editor_client.post(change_url(directive), directive_form(directive, summary="One."))
    seen = pending_change(directive).revision
    page = editor_client.get(change_url(directive))
    data = directive_form(directive, summary="Two.")
    data["edit_version"] = page.context["adminform"].form.fields["edit_version"].initial
    editor_client.post(change_url(directive), data)
    with pytest.raises(ValidationError, match="saved again after you opened it"):
        publish_change(entry=directive, user=reviewer, seen_revision=seen)
    assert Directive.objects.get(pk=directive.pk).summary == "Published wording."


def test_sending_back_needs_a_comment_and_keeps_the_change(editor, reviewer, directive):
    logged_in(editor).post(change_url(directive), directive_form(directive, summary="Draft."))
    with pytest.raises(ValidationError, match="Say why"):
        send_back_change(entry=directive, user=reviewer, comment=" ")
    send_back_change(entry=directive, user=reviewer, comment="Cite the paragraph.")
    change = pending_change(directive)
    assert change.state == PendingChange.State.SENT_BACK
    page = logged_in(editor).get(change_url(directive)).content.decode()
    assert "Cite the paragraph." in page and "sent back" in page
    assert Directive.objects.get(pk=directive.pk).summary == "Published wording."


def test_only_its_editors_or_a_reviewer_discard_a_change(editor, reviewer, directive):
    logged_in(editor).post(change_url(directive), directive_form(directive, summary="Oops."))
    with pytest.raises(PermissionDenied):
        discard_change(entry=directive, user=make_user("otto", "Editor"))
    discard_change(entry=directive, user=editor)
    assert pending_change(directive) is None
    assert Directive.objects.get(pk=directive.pk).summary == "Published wording."


def test_withdrawing_keeps_the_held_change_as_an_ordinary_edit(editor, reviewer, directive):
    logged_in(editor).post(change_url(directive), directive_form(directive, summary="Kept."))
    entry_withdraw(entry=directive, user=reviewer, comment="Source retracted.")
    directive.refresh_from_db()
    assert directive.status == Status.WITHDRAWN and directive.summary == "Kept."
    assert pending_change(directive) is None


def test_a_revert_of_a_published_entry_is_held(editor, reviewer, directive, client):
    editor_client = logged_in(editor)
    for wording, publisher in [("Newer.", reviewer), ("Newest.", make_user("rex", "Reviewer"))]:
        directive.refresh_from_db()
        editor_client.post(change_url(directive), directive_form(directive, summary=wording))
        publish_change(entry=directive, user=publisher)
    older = directive.history.get(summary="Newer.")
    revert_url = reverse(
        "admin:policies_directive_simple_history", args=[directive.pk, older.history_id]
    )
    response = editor_client.post(revert_url, follow=True)
    assert "saved for review" in response.content.decode()
    assert "Newest." in public_page(client)
    publish_change(entry=directive, user=reviewer)
    assert "Newer." in public_page(client) and "Newest." not in public_page(client)


def test_an_import_over_a_published_entry_is_held(editor, reviewer, directive, client):
    content = b'{"slug": "ferngully-plan", "summary": "Imported wording."}\n'
    report = entries_import(
        collection="directives", name="fern.jsonl", content=content, user=editor
    )
    assert report.written and report.held == ["ferngully-plan"]
    assert "Imported wording." not in public_page(client)
    change = pending_change(directive)
    assert change.snapshot["proposed"]["fields"]["summary"] == "Imported wording."
    # Only the column the file gives changes.
    assert change.snapshot["proposed"]["inline"] == change.snapshot["base"]["inline"]
    publish_change(entry=directive, user=reviewer)
    assert "Imported wording." in public_page(client)


def test_a_point_of_a_published_directive_is_not_changed_on_its_own_page(editor, directive):
    client = logged_in(editor)
    point = directive.provisions.get(number=1)
    url = reverse("admin:policies_provision_change", args=[point.pk])
    client.post(url, {"directive": directive.pk, "number": 1, "text": "Sneaked in."})
    point.refresh_from_db()
    assert point.text == "Point 1 text."
    response = client.post(
        reverse("admin:policies_provision_add"),
        {"directive": directive.pk, "number": 9, "text": "Sneaked in."},
    )
    assert "where the change is held for review" in response.content.decode()
    assert not Provision.objects.filter(number=9).exists()


def test_the_admin_index_lists_changes_awaiting_review(editor, reviewer, directive):
    logged_in(editor).post(change_url(directive), directive_form(directive, summary="Queued."))
    page = logged_in(reviewer).get(reverse("admin:index")).content.decode()
    assert "Change to a published directive" in page
    assert f"{change_url(directive)}#pending-change" in page


def test_reverting_every_edit_leaves_no_change_waiting(editor, directive):
    client = logged_in(editor)
    client.post(change_url(directive), directive_form(directive, summary="Temporary."))
    page = client.get(change_url(directive))
    data = directive_form(directive)  # the published wording again
    data["edit_version"] = page.context["adminform"].form.fields["edit_version"].initial
    response = client.post(change_url(directive), data, follow=True)
    assert "Nothing differs from the published version" in response.content.decode()
    assert pending_change(directive) is None


@pytest.mark.parametrize("key", [t.key for t in registry.with_own_publication()])
def test_every_type_with_a_workflow_holds_an_edit_of_its_published_entries(key, editor):
    entry = EXAMPLES[key]()
    assert entry.status == Status.PUBLISHED
    opts = entry._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[entry.pk])
    client = logged_in(editor)
    data = form_data(client.get(url))
    field = TEXT_FIELDS[key]
    before = getattr(entry, field)
    data[field] = f"{before} held back"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    entry.refresh_from_db()
    assert getattr(entry, field) == before
    proposed = pending_change(entry).snapshot["proposed"]["fields"][field]
    assert proposed == f"{before} held back"


def test_the_changes_feed_lists_each_published_change_with_its_reason(
    editor, reviewer, directive, client
):
    data = {**directive_form(directive, summary="Feed wording."), "change_reason": "Dates fixed"}
    logged_in(editor).post(change_url(directive), data)
    feed = client.get("/feeds/changes.atom").content.decode()
    assert "Dates fixed" not in feed  # held, not yet published
    publish_change(entry=directive, user=reviewer)
    feed = client.get("/feeds/changes.atom").content.decode()
    assert "Dates fixed" in feed and "/directives/ferngully-plan/#version-" in feed
    entry_withdraw(entry=directive, user=reviewer, comment="Retracted.")
    assert "ferngully" not in client.get("/feeds/changes.atom").content.decode()


def test_a_rule_the_save_checks_again_under_its_lock_is_a_message_not_a_500(editor, monkeypatch):
    """Such as an old slug taken by a rename committed meanwhile (tests/test_old_slugs.py
    races it on the model): the admin says why and writes nothing."""
    draft = make_directive(slug="quillmoor-draft", summary="As stored.", status=Status.DRAFT)

    def refuse(*args, **kwargs):
        raise ValidationError("Fictional: taken meanwhile.")

    monkeypatch.setattr(Directive, "save", refuse)
    response = logged_in(editor).post(
        change_url(draft), directive_form(draft, summary="Lost?"), follow=True
    )
    assert response.status_code == 200
    assert "Fictional: taken meanwhile." in response.content.decode()
    monkeypatch.undo()
    assert Directive.objects.get(pk=draft.pk).summary == "As stored."


def test_the_changes_feed_costs_the_same_queries_for_one_change_or_many(reviewer, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def publish_a_change(number):
        entry = make_directive(slug=f"quillmoor-{number}", sources=[make_source()])
        StatusChange.objects.create(
            content_type=ContentType.objects.get_for_model(entry),
            object_id=entry.pk,
            from_status=Status.PUBLISHED,
            to_status=Status.PUBLISHED,
            user=reviewer,
            public_reason=f"Fictional change {number}",
        )

    counts = []
    for number in range(1, 5):
        publish_a_change(number)
        if number in (1, 4):
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/feeds/changes.atom").status_code == 200
            counts.append(len(queries))
    assert counts[0] == counts[1], counts
