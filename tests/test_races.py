"""Two people acting at once on one entry: one succeeds, the other is told why, and
nothing either of them saved is silently lost. Each trial runs its two actions in
threads (each thread its own database connection), released together by a barrier,
on whichever database the suite runs on: PostgreSQL locks the row, SQLite queues
the writers for its one write lock (transaction_mode IMMEDIATE, with a timeout)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from core.models import Status, StatusChange
from editorial.pending import pending_change
from editorial.workflow import entry_transition, publish_change
from tests.builders import make_directive, make_source
from tests.conftest import logged_in, make_user
from tests.test_history import change_url, directive_form

pytestmark = pytest.mark.django_db(transaction=True)

TRIALS = 6


def at_once(*actions):
    """Run the actions in threads released together; their results or the errors
    they raised, in order."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = action()
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def refusals(outcomes):
    return [outcome for outcome in outcomes if isinstance(outcome, Exception)]


@pytest.fixture
def reviewers():
    return make_user("rita", "Reviewer"), make_user("ravi", "Reviewer")


@pytest.mark.parametrize("second_step", ["publish", "send_back"])
def test_two_reviewers_acting_at_once_give_one_step_and_one_message(reviewers, second_step):
    first, second = reviewers
    for trial in range(TRIALS):
        directive = make_directive(
            slug=f"race-{second_step.replace('_', '-')}-{trial}",
            status=Status.IN_REVIEW,
            sources=[make_source()],
        )
        # Each reviewer acts on the copy they loaded, as two admin requests would.
        mine, theirs = (type(directive).objects.get(pk=directive.pk) for _ in range(2))
        outcomes = at_once(
            lambda mine=mine: entry_transition(entry=mine, user=first, name="publish"),
            lambda theirs=theirs: entry_transition(
                entry=theirs, user=second, name=second_step, comment="Check the date."
            ),
        )
        refused = refusals(outcomes)
        assert len(refused) == 1, outcomes
        assert isinstance(refused[0], ValidationError)
        assert "cannot be moved that way" in str(refused[0])
        steps = list(
            StatusChange.objects.filter(object_id=directive.pk)
            .order_by("at", "pk")
            .values_list("from_status", "to_status")
        )
        assert len(steps) == 1 and steps[0][0] == Status.IN_REVIEW
        directive.refresh_from_db()
        assert directive.status == steps[0][1]


def test_an_editors_save_and_a_reviewers_step_at_once_lose_nothing(reviewers):
    """The editor's save and the reviewer's publish each either happen, whole, or are
    refused with a message: never does one overwrite what the other stored."""
    editor = make_user("ed", "Editor")
    reviewer, _ = reviewers
    editor_client = logged_in(editor)
    for trial in range(TRIALS):
        directive = make_directive(
            slug=f"race-save-{trial}", status=Status.IN_REVIEW, sources=[make_source()]
        )
        form = directive_form(directive, summary=f"Editor's wording {trial}")
        seen = type(directive).objects.get(pk=directive.pk)
        saved, stepped = at_once(
            lambda form=form, directive=directive: editor_client.post(change_url(directive), form),
            lambda seen=seen: entry_transition(
                entry=seen, user=reviewer, name="publish", seen_version=seen.version
            ),
        )
        directive.refresh_from_db()
        edit_stored = directive.summary == f"Editor's wording {trial}"
        step_stored = directive.status == Status.PUBLISHED
        # The admin answers a stored save with a redirect, a refused one with the form.
        assert (saved.status_code == 302) == edit_stored, saved.status_code
        if not edit_stored:
            assert "Not saved" in saved.content.decode()
        assert isinstance(stepped, Exception) != step_stored, stepped
        if isinstance(stepped, Exception):
            assert isinstance(stepped, ValidationError)
            assert "changed by someone else" in str(stepped)
        # Both started from the same version: whichever is stored first makes the
        # other's version stale, so exactly one of them is stored.
        assert edit_stored != step_stored


def test_a_step_on_a_version_the_reviewer_has_not_seen_is_refused(reviewers):
    reviewer, _ = reviewers
    directive = make_directive(status=Status.IN_REVIEW, sources=[make_source()])
    seen_version = directive.version
    directive.summary = "Changed after the reviewer looked"
    directive.save()
    with pytest.raises(ValidationError, match="changed by someone else"):
        entry_transition(entry=directive, user=reviewer, name="publish", seen_version=seen_version)
    directive.refresh_from_db()
    assert directive.status == Status.IN_REVIEW


def test_a_step_writes_only_the_status_onto_the_stored_row(reviewers):
    """A reviewer's copy read before an editor's save does not bring back the old
    text when the step is stored."""
    reviewer, _ = reviewers
    directive = make_directive(
        summary="Old wording", status=Status.IN_REVIEW, sources=[make_source()]
    )
    stale = type(directive).objects.get(pk=directive.pk)
    directive.summary = "New wording"
    directive.save()
    entry_transition(entry=stale, user=reviewer, name="publish")
    directive.refresh_from_db()
    assert directive.status == Status.PUBLISHED
    assert directive.summary == "New wording"
    assert stale.status == Status.PUBLISHED and stale.version == directive.version


def test_two_editors_saving_a_published_entry_at_once_hold_one_change_and_refuse_one():
    """Both edit the published version: one change is held for review, the other
    editor is told to reload; the published version is untouched."""
    first, second = make_user("ed", "Editor"), make_user("eve", "Editor")
    for trial in range(TRIALS):
        directive = make_directive(slug=f"race-held-{trial}", sources=[make_source()])
        forms = [
            directive_form(directive, summary=f"{user.username}'s wording")
            for user in (first, second)
        ]
        clients = [logged_in(first), logged_in(second)]
        url = change_url(directive)
        responses = at_once(
            *(
                lambda client=client, form=form, url=url: client.post(url, form)
                for client, form in zip(clients, forms, strict=True)
            )
        )
        codes = sorted(response.status_code for response in responses)
        assert codes == [200, 302], codes
        refused = next(r for r in responses if r.status_code == 200)
        assert "Not saved" in refused.content.decode()
        directive.refresh_from_db()
        assert directive.summary == directive_form(directive)["summary"]
        held = pending_change(directive).snapshot["proposed"]["fields"]["summary"]
        winner = clients[[r.status_code for r in responses].index(302)]
        assert held == f"{(first, second)[clients.index(winner)].username}'s wording"


def test_two_reviewers_publishing_one_change_at_once_publish_it_once(reviewers):
    editor = make_user("ed", "Editor")
    first, second = reviewers
    for trial in range(TRIALS):
        directive = make_directive(slug=f"race-publish-change-{trial}", sources=[make_source()])
        logged_in(editor).post(
            change_url(directive), directive_form(directive, summary=f"Held {trial}")
        )
        revision = pending_change(directive).revision
        outcomes = at_once(
            *(
                lambda user=user, entry=directive, seen=revision: publish_change(
                    entry=entry, user=user, seen_revision=seen
                )
                for user in (first, second)
            )
        )
        refused = refusals(outcomes)
        assert len(refused) == 1, outcomes
        assert "no change waiting" in str(refused[0])
        assert StatusChange.objects.filter(object_id=directive.pk).count() == 1
        directive.refresh_from_db()
        assert directive.summary == f"Held {trial}"


def test_an_editors_save_and_a_reviewers_publish_of_the_change_at_once_lose_nothing(reviewers):
    editor = make_user("ed", "Editor")
    reviewer, _ = reviewers
    client = logged_in(editor)
    for trial in range(TRIALS):
        directive = make_directive(slug=f"race-change-save-{trial}", sources=[make_source()])
        client.post(change_url(directive), directive_form(directive, summary="First."))
        page = client.get(change_url(directive))
        form = directive_form(directive, summary=f"Second {trial}.")
        form["edit_version"] = page.context["adminform"].form.fields["edit_version"].initial
        revision = pending_change(directive).revision
        saved, published = at_once(
            lambda form=form, directive=directive: client.post(change_url(directive), form),
            lambda directive=directive, seen=revision: publish_change(
                entry=directive, user=reviewer, seen_revision=seen
            ),
        )
        directive.refresh_from_db()
        change = pending_change(directive)
        stored = {directive.summary}
        if change is not None:
            stored.add(change.snapshot["proposed"]["fields"]["summary"])
        if saved.status_code == 302:
            # Published first, or refused: the second wording is public or held.
            assert f"Second {trial}." in stored
        else:
            assert "Not saved" in saved.content.decode()
        if isinstance(published, Exception):
            assert "saved again after you opened it" in str(published)
            assert directive.summary == directive_form(directive)["summary"]
        else:
            assert "First." in stored or f"Second {trial}." in stored
        assert saved.status_code == 302 or not isinstance(published, Exception)
