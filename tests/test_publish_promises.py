"""Publishing keeps its promises: an entry is published only with a published source
(its public page lists only those), and withdrawing or deleting what published
entries link to first shows the reviewer which pages will change, and goes ahead
only once confirmed."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import Status
from editorial.dependents import linking_entries
from editorial.workflow import entry_publish, entry_submit, entry_withdraw
from policies.models import Provision
from tests.builders import make_agreement, make_directive, make_finding, make_source

pytestmark = pytest.mark.django_db


def admin_url(obj, view):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])


def in_review(entry, editor):
    entry.status = Status.DRAFT
    entry.save()
    entry_submit(entry=entry, user=editor)
    return entry


# Publishing needs a published source.


def test_an_entry_whose_only_source_is_a_draft_is_not_published(editor, reviewer):
    draft_source = make_source(title="Report of the Quorvex floods", status=Status.DRAFT)
    directive = in_review(make_directive(sources=[draft_source]), editor)
    with pytest.raises(ValidationError, match="published source"):
        entry_publish(entry=directive, user=reviewer)
    directive.refresh_from_db()
    assert directive.status == Status.IN_REVIEW
    draft_source.status = Status.PUBLISHED
    draft_source.save()
    entry_publish(entry=directive, user=reviewer)
    assert directive.status == Status.PUBLISHED


def test_a_withdrawn_source_does_not_count_either(editor, reviewer):
    withdrawn = make_source(status=Status.WITHDRAWN)
    agreement = in_review(make_agreement(sources=[withdrawn]), editor)
    with pytest.raises(ValidationError, match="published source"):
        entry_publish(entry=agreement, user=reviewer)


def test_a_finding_of_a_draft_source_is_not_published(editor, reviewer):
    finding = in_review(make_finding(source=make_source(status=Status.DRAFT)), editor)
    with pytest.raises(ValidationError, match="published source"):
        entry_publish(entry=finding, user=reviewer)


def test_the_admin_says_why_publishing_is_refused(editor, reviewer, reviewer_client):
    directive = in_review(make_directive(sources=[make_source(status=Status.DRAFT)]), editor)
    response = reviewer_client.post(
        admin_url(directive, "workflow"),
        {"transition": "publish", "seen_version": directive.version},
        follow=True,
    )
    assert response.status_code == 200
    assert "needs at least one published source" in response.content.decode()
    directive.refresh_from_db()
    assert directive.status == Status.IN_REVIEW


# What links to an entry.


def test_the_published_entries_that_link_to_a_directive_or_its_provisions_are_found():
    directive = make_directive(title="Opinions on Quorvex drills", provisions=2)
    point = directive.provisions.get(number=2)
    answering = make_agreement(title="Memorandum answering point 2", provisions=[point])
    make_agreement(title="Draft memorandum", provisions=[point], status=Status.DRAFT)
    drawing = make_finding()
    drawing.provisions.add(point)
    links = linking_entries(directive)
    assert [(link.entry, link.url, link.via) for link in links] == [
        (answering, answering.get_absolute_url(), str(point)),
        (drawing, drawing.get_absolute_url(), str(point)),
    ]


def test_the_entries_citing_a_source_are_found_and_its_own_findings_too():
    source = make_source(title="Report of the Quorvex floods")
    citing = make_directive(title="Opinions citing the report", sources=[source])
    make_directive(title="A draft citing it", sources=[source], status=Status.DRAFT)
    finding = make_finding(source=source)
    found = {link.entry for link in linking_entries(source)}
    assert found == {citing, finding}


def test_nothing_links_to_an_entry_nobody_cites():
    assert linking_entries(make_directive(provisions=1)) == []


# Withdrawing asks first when other pages change.


def linked_directive():
    directive = make_directive(title="Opinions on Quorvex drills", provisions=1)
    agreement = make_agreement(
        title="Memorandum on Quorvex drills", provisions=[directive.provisions.get()]
    )
    return directive, agreement


def test_withdrawing_a_linked_directive_lists_the_pages_and_waits_for_confirmation(
    reviewer_client,
):
    directive, agreement = linked_directive()
    form = {"transition": "withdraw", "comment": "Duplicate.", "seen_version": directive.version}
    response = reviewer_client.post(admin_url(directive, "workflow"), form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Memorandum on Quorvex drills" in page and agreement.get_absolute_url() in page
    assert 'name="confirmed_links" value="yes"' in page
    directive.refresh_from_db()
    assert directive.status == Status.PUBLISHED  # nothing happened yet
    response = reviewer_client.post(
        admin_url(directive, "workflow"), {**form, "confirmed_links": "yes"}
    )
    assert response.status_code == 302
    directive.refresh_from_db()
    assert directive.status == Status.WITHDRAWN


def test_withdrawing_what_nothing_links_to_needs_no_confirmation(reviewer_client):
    directive = make_directive(provisions=1)
    response = reviewer_client.post(
        admin_url(directive, "workflow"),
        {"transition": "withdraw", "comment": "Duplicate.", "seen_version": directive.version},
    )
    assert response.status_code == 302
    directive.refresh_from_db()
    assert directive.status == Status.WITHDRAWN


def test_the_withdraw_action_on_the_list_confirms_too(reviewer_client):
    directive, agreement = linked_directive()
    changelist = reverse("admin:policies_directive_changelist")
    form = {"action": "withdraw", "_selected_action": [directive.pk], "comment": "Duplicate."}
    response = reviewer_client.post(changelist, form)
    assert response.status_code == 200
    assert agreement.get_absolute_url() in response.content.decode()
    directive.refresh_from_db()
    assert directive.status == Status.PUBLISHED
    response = reviewer_client.post(changelist, {**form, "confirmed_links": "yes"})
    assert response.status_code == 302
    directive.refresh_from_db()
    assert directive.status == Status.WITHDRAWN


def test_an_editor_is_not_offered_the_confirmation_and_is_refused(editor_client):
    directive, _ = linked_directive()
    response = editor_client.post(
        admin_url(directive, "workflow"),
        {"transition": "withdraw", "comment": "Duplicate.", "seen_version": directive.version},
        follow=True,
    )
    assert "confirmed_links" not in response.content.decode()
    directive.refresh_from_db()
    assert directive.status == Status.PUBLISHED


# Deleting shows the same pages.


def test_deleting_a_linked_directive_lists_the_pages_that_link_to_it(administrator):
    from tests.conftest import logged_in

    directive, agreement = linked_directive()
    # A published entry is withdrawn before anyone may delete it.
    entry_withdraw(entry=directive, user=administrator, comment="Fictional: retracted.")
    client = logged_in(administrator)
    page = client.get(admin_url(directive, "delete")).content.decode()
    assert "Memorandum on Quorvex drills" in page and agreement.get_absolute_url() in page
    selected = client.post(
        reverse("admin:policies_directive_changelist"),
        {"action": "delete_selected", "_selected_action": [directive.pk]},
    ).content.decode()
    assert agreement.get_absolute_url() in selected
    assert Provision.objects.filter(directive=directive).exists()  # nothing deleted yet
