"""The editorial workflow: editors submit, reviewers publish, send back or withdraw;
every step is recorded; publishing needs a source; the admin offers the steps each
role may take and lists what awaits review."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from cooperation.models import Agreement
from core.models import Source, Status, StatusChange
from editorial.history import one_version
from editorial.workflow import entry_publish, entry_send_back, entry_submit, entry_withdraw
from tests.builders import make_agreement, make_directive, make_finding, make_source
from tests.conftest import logged_in, make_user

pytestmark = pytest.mark.django_db


def test_an_agreement_goes_from_draft_through_review_to_published_and_withdrawn(editor, reviewer):
    agreement = make_agreement(status=Status.DRAFT, sources=[make_source()])
    public = Client()
    assert public.get(agreement.get_absolute_url()).status_code == 404

    entry_submit(entry=agreement, user=editor)
    entry_send_back(entry=agreement, user=reviewer, comment="Add the signing date source.")
    assert agreement.status == Status.DRAFT
    entry_submit(entry=agreement, user=editor)
    entry_publish(entry=agreement, user=reviewer)
    assert public.get(agreement.get_absolute_url()).status_code == 200
    assert agreement.published_at is not None

    entry_withdraw(entry=agreement, user=reviewer, comment="Duplicate of another entry.")
    response = public.get(agreement.get_absolute_url())
    assert response.status_code == 410

    log = list(StatusChange.objects.order_by("at", "pk").values_list("to_status", "user__username"))
    assert log == [
        (Status.IN_REVIEW, "ed"),
        (Status.DRAFT, "rita"),
        (Status.IN_REVIEW, "ed"),
        (Status.PUBLISHED, "rita"),
        (Status.WITHDRAWN, "rita"),
    ]
    sent_back = StatusChange.objects.get(to_status=Status.DRAFT)
    assert sent_back.comment == "Add the signing date source." and sent_back.entry == agreement
    # Each step is also a version in the entry's history, by the person who took it.
    assert agreement.history.filter(history_user=reviewer, status=Status.PUBLISHED).exists()


def test_an_editor_cannot_publish_send_back_or_withdraw(editor):
    directive = make_directive(status=Status.IN_REVIEW, sources=[make_source()])
    with pytest.raises(PermissionDenied):
        entry_publish(entry=directive, user=editor)
    with pytest.raises(PermissionDenied):
        entry_send_back(entry=directive, user=editor, comment="no")
    directive.refresh_from_db()
    assert directive.status == Status.IN_REVIEW
    published = make_directive(sources=[make_source()])
    with pytest.raises(PermissionDenied):
        entry_withdraw(entry=published, user=editor, comment="no")


def test_publishing_needs_a_source_and_a_valid_entry(reviewer):
    directive = make_directive(status=Status.IN_REVIEW)
    with pytest.raises(ValidationError, match="at least one published source"):
        entry_publish(entry=directive, user=reviewer)
    directive.refresh_from_db()
    assert directive.status == Status.IN_REVIEW

    # A source is its own source; a finding's source is its source.
    source = make_source(status=Status.IN_REVIEW)
    entry_publish(entry=source, user=reviewer)
    finding = make_finding(source=source, status=Status.IN_REVIEW)
    entry_publish(entry=finding, user=reviewer)

    bad = make_agreement(status=Status.IN_REVIEW, sources=[source])
    Agreement.objects.filter(pk=bad.pk).update(slug="Not A Slug")
    bad.refresh_from_db()
    with pytest.raises(ValidationError):
        entry_publish(entry=bad, user=reviewer)


def test_steps_only_go_the_way_the_workflow_allows(editor, reviewer):
    draft = make_directive(status=Status.DRAFT, sources=[make_source()])
    with pytest.raises(ValidationError, match="cannot be moved"):
        entry_publish(entry=draft, user=reviewer)  # must be submitted first
    entry_submit(entry=draft, user=editor)
    with pytest.raises(ValidationError, match="comment"):
        entry_send_back(entry=draft, user=reviewer, comment="  ")
    assert StatusChange.objects.count() == 1


def test_the_change_page_offers_each_role_its_own_steps(editor, reviewer):
    directive = make_directive(status=Status.IN_REVIEW, sources=[make_source()])
    url = reverse("admin:policies_directive_change", args=[directive.pk])
    editor_page = logged_in(editor).get(url).content.decode()
    reviewer_page = logged_in(reviewer).get(url).content.decode()
    assert 'value="publish"' not in editor_page
    assert 'value="publish"' in reviewer_page and 'value="send_back"' in reviewer_page


def test_a_reviewer_sends_back_from_the_change_page_and_the_editor_sees_why(editor, reviewer):
    directive = make_directive(status=Status.IN_REVIEW, sources=[make_source()])
    workflow_url = reverse("admin:policies_directive_workflow", args=[directive.pk])
    change_url = reverse("admin:policies_directive_change", args=[directive.pk])
    reviewer_client = logged_in(reviewer)

    response = reviewer_client.post(workflow_url, {"transition": "send_back", "comment": ""})
    assert response.status_code == 302
    directive.refresh_from_db()
    assert directive.status == Status.IN_REVIEW  # a comment is required

    reviewer_client.post(
        workflow_url, {"transition": "send_back", "comment": "Cite the State Council text."}
    )
    directive.refresh_from_db()
    assert directive.status == Status.DRAFT
    assert "Cite the State Council text." in logged_in(editor).get(change_url).content.decode()


def test_an_editor_posting_publish_to_the_workflow_url_is_refused(editor):
    directive = make_directive(status=Status.IN_REVIEW, sources=[make_source()])
    url = reverse("admin:policies_directive_workflow", args=[directive.pk])
    response = logged_in(editor).post(url, {"transition": "publish"}, follow=True)
    assert "needs a reviewer" in response.content.decode()
    directive.refresh_from_db()
    assert directive.status == Status.IN_REVIEW


def test_send_back_from_the_change_list_asks_for_a_comment(reviewer):
    directives = [make_directive(status=Status.IN_REVIEW) for _ in range(2)]
    client = logged_in(reviewer)
    changelist = reverse("admin:policies_directive_changelist")
    selected = [d.pk for d in directives]
    page = client.post(changelist, {"action": "send_back", "_selected_action": selected})
    assert page.status_code == 200 and b'name="comment"' in page.content
    assert not StatusChange.objects.exists()
    client.post(
        changelist,
        {"action": "send_back", "_selected_action": selected, "comment": "Needs sources."},
    )
    assert StatusChange.objects.filter(comment="Needs sources.").count() == 2


def test_publish_action_reports_the_entries_it_refused(reviewer):
    ready = make_directive(status=Status.IN_REVIEW, sources=[make_source()])
    unsourced = make_directive(status=Status.IN_REVIEW, title="No sources here")
    response = logged_in(reviewer).post(
        reverse("admin:policies_directive_changelist"),
        {"action": "publish", "_selected_action": [ready.pk, unsourced.pk]},
        follow=True,
    )
    content = response.content.decode()
    assert "1 entry is now published" in content
    assert "No sources here" in content and "at least one published source" in content


def test_the_admin_index_lists_what_awaits_review(reviewer):
    make_directive(status=Status.IN_REVIEW, title="Plan awaiting review")
    make_agreement(status=Status.DRAFT, title="Draft not yet submitted")
    content = logged_in(reviewer).get(reverse("admin:index")).content.decode()
    awaiting = content.split('id="awaiting-review"')[1].split("</div>")[0]
    assert "Plan awaiting review" in awaiting
    assert "Draft not yet submitted" not in awaiting


def test_new_entries_start_as_drafts_whatever_the_form_says(editor):
    client = logged_in(editor)
    client.post(
        reverse("admin:core_source_add"),
        {
            "title": "A report",
            "slug": "a-report",
            "kind": "report",
            "status": "published",
            "date_precision": "day",
            "tags": "",
            "authors-TOTAL_FORMS": "0",
            "authors-INITIAL_FORMS": "0",
        },
    )
    assert Source.objects.get(slug="a-report").status == Status.DRAFT


def test_a_reviewer_cannot_publish_what_they_wrote_or_submitted(editor, reviewer):
    other_reviewer = make_user("ravi", "Reviewer")
    directive = make_directive(status=Status.DRAFT, sources=[make_source()])
    with one_version(directive, user=reviewer, reason="Reviewer rewrote the summary"):
        directive.summary = "The reviewer's own wording"
        directive.save()
    entry_submit(entry=directive, user=editor)
    with pytest.raises(PermissionDenied, match="another reviewer"):
        entry_publish(entry=directive, user=reviewer)
    directive.refresh_from_db()
    assert directive.status == Status.IN_REVIEW
    entry_publish(entry=directive, user=other_reviewer)
    assert StatusChange.objects.get(to_status=Status.PUBLISHED).user == other_reviewer

    submitted = make_directive(status=Status.DRAFT, sources=[make_source()])
    entry_submit(entry=submitted, user=reviewer)
    with pytest.raises(PermissionDenied, match="another reviewer"):
        entry_publish(entry=submitted, user=reviewer)


def test_a_reviewer_who_edited_a_point_inline_is_not_the_second_reader(editor, reviewer):
    directive = make_directive(status=Status.DRAFT, provisions=1, sources=[make_source()])
    provision = directive.provisions.get()
    provision._history_user = reviewer
    provision.text = "Reworded by the reviewer."
    provision.save()
    entry_submit(entry=directive, user=editor)
    with pytest.raises(PermissionDenied):
        entry_publish(entry=directive, user=reviewer)


def test_sending_back_does_not_make_a_reviewer_an_author(editor, reviewer):
    directive = make_directive(status=Status.DRAFT, sources=[make_source()])
    entry_submit(entry=directive, user=editor)
    entry_send_back(entry=directive, user=reviewer, comment="Add the date.")
    with one_version(directive, user=editor, reason="Added the date"):
        directive.summary = "Now with the date."
        directive.save()
    entry_submit(entry=directive, user=editor)
    entry_publish(entry=directive, user=reviewer)
    assert directive.status == Status.PUBLISHED


@override_settings(REVIEWERS_MAY_PUBLISH_OWN_WORK=True)
def test_a_site_may_let_reviewers_publish_their_own_work(reviewer):
    directive = make_directive(status=Status.DRAFT, sources=[make_source()])
    entry_submit(entry=directive, user=reviewer)
    entry_publish(entry=directive, user=reviewer)
    assert directive.status == Status.PUBLISHED
