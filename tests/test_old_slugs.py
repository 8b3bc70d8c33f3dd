"""An old slug of an entry that is or was public stays its address for good (301):
no other entry of its type can take it, whether by a form, an import or a save, and
so its redirect is never deleted. An old slug of an entry that never was public is
free for the next entry that wants it."""

import json
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from core.models import PreviousSlug, Status
from editorial.importing import entries_import
from policies.models import Directive
from tests.builders import make_agreement, make_directive, make_source, make_theme
from tests.conftest import logged_in
from tests.test_history import change_url, directive_form
from tests.test_races import TRIALS, at_once

pytestmark = pytest.mark.django_db


def renamed(entry, new_slug):
    old_slug = entry.slug
    entry.slug = new_slug
    entry.save()
    return old_slug


def redirect_of(client, address):
    response = client.get(address)
    return response.status_code, response.get("Location")


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.WITHDRAWN])
def test_an_old_slug_of_a_once_public_entry_cannot_be_taken_by_a_save(client, status):
    published = make_directive(slug="grand-fenwick-plan")
    renamed(published, "grand-fenwick-plan-2019")
    published.status = status
    published.save()
    draft = make_directive(slug="another-plan", status=Status.DRAFT)

    draft.slug = "grand-fenwick-plan"
    with pytest.raises(ValidationError) as refused:
        draft.full_clean()
    assert "was the address of “Opinions on emergency management”" in str(refused.value)
    assert "Choose another slug" in refused.value.message_dict["slug"][0]
    # The model's own guard, for a save that no form checked first: nothing is written.
    with pytest.raises(ValidationError):
        draft.save()
    assert Directive.objects.get(pk=draft.pk).slug == "another-plan"
    with pytest.raises(ValidationError):
        make_directive(slug="grand-fenwick-plan", status=Status.DRAFT)
    assert PreviousSlug.objects.filter(slug="grand-fenwick-plan").exists()
    if status == Status.PUBLISHED:
        assert redirect_of(client, "/directives/grand-fenwick-plan/") == (
            301,
            "/directives/grand-fenwick-plan-2019/",
        )


def test_an_entry_may_take_back_its_own_old_slug_and_another_type_may_use_it(client):
    published = make_directive(slug="mouse-roars")
    renamed(published, "mouse-that-roared")
    agreement = make_agreement(slug="mouse-roars")  # another type: another address
    assert client.get(agreement.get_absolute_url()).status_code == 200
    renamed(published, "mouse-roars")
    assert client.get("/directives/mouse-roars/").status_code == 200
    assert not PreviousSlug.objects.filter(slug="mouse-roars").exists()


def test_an_old_slug_of_an_entry_never_public_is_free(client):
    draft = make_directive(slug="tentative-plan", status=Status.DRAFT)
    renamed(draft, "tentative-plan-b")
    other = make_directive(slug="tentative-plan")
    assert client.get("/directives/tentative-plan/").status_code == 200
    assert Directive.objects.get(slug="tentative-plan") == other
    assert not PreviousSlug.objects.filter(slug="tentative-plan").exists()


def test_an_old_slug_of_a_theme_cannot_be_taken_by_another_theme():
    theme = make_theme(slug="flood-control")
    renamed(theme, "floods")
    with pytest.raises(ValidationError):
        make_theme(slug="flood-control")


def test_the_admin_form_says_why_in_plain_words_and_keeps_the_redirect(editor, client):
    published = make_directive(slug="freedonia-decree", sources=[make_source()])
    renamed(published, "freedonia-decree-1933")
    draft = make_directive(slug="a-draft-decree", status=Status.DRAFT, provisions=1)

    response = logged_in(editor).post(
        change_url(draft), directive_form(draft, slug="freedonia-decree")
    )
    assert response.status_code == 200  # the form again, with the error
    errors = response.context["adminform"].form.errors["slug"]
    assert errors == [
        "“freedonia-decree” was the address of “Opinions on emergency management”, which "
        "has been public: it stays that directive's address (old links to it still lead "
        "there), so it cannot be used again. Choose another slug."
    ]
    draft.refresh_from_db()
    assert draft.slug == "a-draft-decree"
    assert redirect_of(client, "/directives/freedonia-decree/") == (
        301,
        "/directives/freedonia-decree-1933/",
    )


def test_an_import_row_that_takes_an_old_slug_is_a_row_error_and_nothing_is_written(db):
    published = make_directive(slug="sylvania-notice")
    renamed(published, "sylvania-notice-1933")
    source = make_source(slug="sylvania-gazette")
    row = {
        "slug": "sylvania-notice",
        "title": "A new notice",
        "kind": "notice",
        "sources": [source.slug],
    }
    for dry_run in (True, False):
        report = entries_import(
            collection="directives",
            name="d.jsonl",
            content=json.dumps(row).encode(),
            dry_run=dry_run,
        )
        assert [(error.row, error.field) for error in report.errors] == [(1, "slug")]
        assert "was the address of" in report.errors[0].message
        assert not report.written
    assert not Directive.objects.filter(slug="sylvania-notice").exists()
    assert PreviousSlug.objects.get(slug="sylvania-notice").object_id == published.pk


@pytest.mark.django_db(transaction=True)
def test_a_rename_and_a_form_taking_the_old_slug_at_once_keep_the_redirect():
    """Whichever runs first, the rename is stored and the old slug stays its
    redirect: the form that would take it is told, by the plain unique rule if it
    came before the rename, by the old-slug rule after."""
    for trial in range(TRIALS):
        slug = f"ruritania-act-{trial}"
        published = make_directive(slug=slug)
        mine = Directive.objects.get(pk=published.pk)

        def take(slug=slug):
            with transaction.atomic():
                draft = Directive(slug=slug, title="Ruritania act", kind="law")
                draft.full_clean()
                draft.save()

        renaming, taking = at_once(lambda mine=mine: renamed(mine, f"{mine.slug}-1897"), take)
        assert not isinstance(renaming, Exception), renaming
        assert isinstance(taking, ValidationError), taking
        assert PreviousSlug.objects.get(slug=slug).object_id == published.pk
        assert not Directive.objects.filter(slug=slug).exists()


@pytest.mark.django_db(transaction=True)
def test_a_save_that_waits_for_a_rename_to_commit_is_refused_after_it():
    """The window no form check can close: the new entry's row is written while the
    rename is still uncommitted (PostgreSQL makes the insert wait on the unique
    index, SQLite the whole transaction on its write lock), so the save's own check,
    after its write, is what refuses it."""
    published = make_directive(slug="osterlich-edict")
    renaming_done = threading.Event()

    def rename():
        with transaction.atomic():
            renamed(Directive.objects.get(pk=published.pk), "osterlich-edict-1914")
            renaming_done.set()
            time.sleep(0.5)  # the other save is now waiting for this transaction

    def take():
        renaming_done.wait(timeout=30)
        with transaction.atomic():
            Directive(slug="osterlich-edict", title="Osterlich draft", kind="law").save()

    renaming, outcome = at_once(rename, take)
    assert renaming is None
    assert isinstance(outcome, ValidationError), outcome
    assert "was the address of" in outcome.message_dict["slug"][0]
    assert PreviousSlug.objects.get(slug="osterlich-edict").object_id == published.pk
    assert list(Directive.objects.values_list("slug", flat=True)) == ["osterlich-edict-1914"]
