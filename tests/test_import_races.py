"""An import and someone else's save of the same entry: nothing either of them
stored is silently lost. An import writes only the columns its file changes; it
locks each entry it updates when it writes, and if the entry's version is no longer
the one it read (or the one its dry run showed), the whole import is refused with a
message naming the entry. The threaded trials run on whichever database the suite
runs on, as tests/test_races.py does."""

import io
import json

import pytest
from django.urls import reverse

from core.models import Status, Theme
from editorial.importing import entries_import
from editorial.workflow import entry_transition
from policies.models import Directive
from tests.builders import make_directive, make_source, make_theme
from tests.conftest import logged_in, make_user
from tests.test_history import change_url, directive_form
from tests.test_races import at_once

TRIALS = 4


def jsonl(*rows):
    return "\n".join(json.dumps(row) for row in rows).encode()


def meanwhile(change):
    """A `progress` for the engine that makes `change` after the file's rows are read
    and checked, before they are written: someone saving in between."""

    def progress(rows):
        yield from rows
        change()

    return progress


# One import, and a save between its reading and its writing.


@pytest.mark.django_db
def test_a_column_the_file_leaves_out_keeps_what_was_saved_meanwhile():
    make_theme(slug="lanterns", name="Lanterns", description="As first written.")
    report = entries_import(
        collection="themes",
        name="themes.jsonl",
        content=jsonl({"slug": "lanterns", "name": "Lanterns and lamps"}),
        progress=meanwhile(
            lambda: Theme.objects.filter(slug="lanterns").update(description="Saved meanwhile.")
        ),
    )
    assert report.written, report.errors
    theme = Theme.objects.get(slug="lanterns")
    assert theme.name == "Lanterns and lamps"
    assert theme.description == "Saved meanwhile."
    assert theme.history.latest().description == "Saved meanwhile."


@pytest.mark.django_db
def test_a_column_the_file_writes_that_was_saved_meanwhile_refuses_the_import():
    make_theme(slug="lanterns", name="Lanterns")
    make_theme(slug="harbours", name="Harbours")
    report = entries_import(
        collection="themes",
        name="themes.jsonl",
        content=jsonl(
            {"slug": "harbours", "name": "Harbours and quays"},
            {"slug": "lanterns", "name": "Lanterns and lamps"},
        ),
        progress=meanwhile(
            lambda: Theme.objects.filter(slug="lanterns").update(name="Saved meanwhile")
        ),
    )
    assert not report.written
    assert [(error.row, error.field) for error in report.errors] == [(2, "")]
    assert "“lanterns” was changed by someone else" in report.errors[0].message
    assert Theme.objects.get(slug="lanterns").name == "Saved meanwhile"
    assert Theme.objects.get(slug="harbours").name == "Harbours"  # all or nothing


@pytest.mark.django_db
def test_an_entry_saved_between_reading_and_writing_refuses_the_whole_import(editor):
    make_directive(slug="amber-plan", title="Amber plan", summary="Before.")
    make_directive(slug="quillmoor-plan", title="Quillmoor plan")

    def save_meanwhile():
        entry = Directive.objects.get(slug="amber-plan")
        entry.summary = "Saved meanwhile."
        entry.save()

    report = entries_import(
        collection="directives",
        name="directives.jsonl",
        content=jsonl(
            {"slug": "quillmoor-plan", "title": "Quillmoor plan, revised"},
            {"slug": "amber-plan", "title": "Amber plan, revised"},
        ),
        user=editor,
        progress=meanwhile(save_meanwhile),
    )
    assert not report.written
    assert [(error.row, error.field) for error in report.errors] == [(2, "")]
    message = report.errors[0].message
    assert "“amber-plan” was saved by someone after this file was checked" in message
    assert "Nothing was written" in message
    amber = Directive.objects.get(slug="amber-plan")
    assert (amber.title, amber.summary) == ("Amber plan", "Saved meanwhile.")
    assert Directive.objects.get(slug="quillmoor-plan").title == "Quillmoor plan"


@pytest.mark.django_db
def test_a_provision_field_the_file_leaves_out_keeps_what_was_saved_meanwhile():
    directive = make_directive(slug="amber-plan", provisions=1, status=Status.DRAFT)
    provision = directive.provisions.get()
    report = entries_import(
        collection="directives",
        name="directives.jsonl",
        content=jsonl({"slug": "amber-plan", "provisions": [{"number": 1, "heading": "Aim"}]}),
        progress=meanwhile(
            lambda: type(provision).objects.filter(pk=provision.pk).update(text="Saved meanwhile.")
        ),
    )
    assert report.written, report.errors
    provision.refresh_from_db()
    assert (provision.heading, provision.text) == ("Aim", "Saved meanwhile.")


@pytest.mark.django_db
def test_an_entry_saved_after_the_dry_run_refuses_the_import_the_dry_run_allowed(editor):
    """The versions the dry run saw are the ones checked: the entry was saved after the
    dry run and before the import read it again."""
    make_directive(slug="amber-plan", title="Amber plan")
    content = jsonl({"slug": "amber-plan", "title": "Amber plan, revised", "kind": "plan"})
    dry_run = entries_import(collection="directives", name="d.jsonl", content=content, dry_run=True)
    assert dry_run.ok and dry_run.updated == ["amber-plan"]
    saved = Directive.objects.get(slug="amber-plan")
    saved.summary = "Saved after the dry run."
    saved._history_user = editor
    saved.save()
    report = entries_import(
        collection="directives",
        name="d.jsonl",
        content=content,
        seen_versions=dry_run.versions,
    )
    assert not report.written
    assert "“amber-plan” was saved by ed after this file was checked" in report.errors[0].message
    assert Directive.objects.get(slug="amber-plan").title == "Amber plan"

    # Added or deleted since the dry run: refused too, rather than updating an entry
    # the dry run said it would create, or creating one it said it would update.
    quillmoor = jsonl({"slug": "quillmoor-plan", "title": "Quillmoor plan", "kind": "plan"})
    seen = entries_import(collection="directives", name="d.jsonl", content=quillmoor, dry_run=True)
    make_directive(slug="quillmoor-plan", title="Added by someone else")
    report = entries_import(
        collection="directives", name="d.jsonl", content=quillmoor, seen_versions=seen.versions
    )
    assert "“quillmoor-plan” was added by someone else" in report.errors[0].message
    seen = entries_import(collection="directives", name="d.jsonl", content=content, dry_run=True)
    Directive.objects.filter(slug="amber-plan").delete()
    report = entries_import(
        collection="directives", name="d.jsonl", content=content, seen_versions=seen.versions
    )
    assert "“amber-plan” was deleted after this file was checked" in report.errors[0].message
    assert not Directive.objects.filter(slug="amber-plan").exists()


@pytest.mark.django_db
def test_the_admin_confirms_only_what_its_dry_run_showed(editor):
    """Upload (the dry run), someone saves the entry, confirm: refused, naming it."""
    directive = make_directive(slug="amber-plan", title="Amber plan", status=Status.DRAFT)
    client = logged_in(editor)
    url = reverse("admin:policies_directive_import")
    upload = io.BytesIO(jsonl({"slug": "amber-plan", "title": "Amber plan, revised"}))
    upload.name = "directives.jsonl"
    job_url = client.post(url, {"file": upload}).url
    assert "1 to update" in client.get(job_url).content.decode()
    response = logged_in(make_user("rita", "Reviewer")).post(
        change_url(directive), directive_form(directive, summary="Saved meanwhile.")
    )
    assert response.status_code == 302
    page = client.post(job_url, {"confirm": "1"}, follow=True)
    assert page.status_code == 200
    assert "“amber-plan” was saved by rita after this file was checked" in page.content.decode()
    directive.refresh_from_db()
    assert (directive.title, directive.summary) == ("Amber plan", "Saved meanwhile.")
    # Checked again, from the stored file, against the entry as it is now: it imports.
    page = client.post(job_url, {"recheck": "1"}, follow=True)
    assert "1 to update" in page.content.decode()
    client.post(job_url, {"confirm": "1"})
    directive.refresh_from_db()
    assert (directive.title, directive.summary) == ("Amber plan, revised", "Saved meanwhile.")


@pytest.mark.django_db
def test_a_csv_row_with_missing_trailing_cells_leaves_those_fields_as_stored():
    for slug in ("amber-plan", "quillmoor-plan"):
        make_directive(
            slug=slug,
            title="Old title",
            summary="Kept summary.",
            title_original="旧",
            status=Status.DRAFT,
        )
    content = (
        b"slug,title,summary,title_original\n"
        b"amber-plan,New title\n"  # summary and title_original absent
        b"quillmoor-plan,New title,,\n"  # present and empty: cleared
    )
    report = entries_import(collection="directives", name="d.csv", content=content)
    assert report.written, report.errors
    amber = Directive.objects.get(slug="amber-plan")
    assert (amber.title, amber.summary, amber.title_original) == (
        "New title",
        "Kept summary.",
        "旧",
    )
    quillmoor = Directive.objects.get(slug="quillmoor-plan")
    assert (quillmoor.title, quillmoor.summary, quillmoor.title_original) == ("New title", "", "")


# Two people at once, in threads (each its own connection), on either database.


@pytest.fixture
def people(transactional_db):
    return make_user("ed", "Editor"), make_user("ivy", "Editor"), make_user("rita", "Reviewer")


def outcome_of_import(outcome):
    """True if the import wrote, False if it was refused with the message; anything
    else (an exception) fails the test."""
    assert not isinstance(outcome, Exception), outcome
    if outcome.written:
        return True
    assert len(outcome.errors) == 1, outcome.errors
    assert "after this file was checked" in outcome.errors[0].message, outcome.errors
    assert "Nothing was written" in outcome.errors[0].message
    return False


@pytest.mark.django_db(transaction=True)
def test_an_admin_save_and_an_import_at_once_store_one_and_tell_the_other(people):
    editor, importer, _reviewer = people
    client = logged_in(editor)
    for trial in range(TRIALS):
        slug = f"amber-plan-{trial}"
        directive = make_directive(
            slug=slug, title="Amber plan", summary="Before.", status=Status.DRAFT
        )
        form = directive_form(directive, summary=f"Editor's wording {trial}")
        content = jsonl({"slug": slug, "title": "Imported title", "summary": "Imported."})
        seen = entries_import(
            collection="directives", name="d.jsonl", content=content, dry_run=True
        )
        saved, imported = at_once(
            lambda form=form, directive=directive: client.post(change_url(directive), form),
            lambda content=content, seen=seen: entries_import(
                collection="directives",
                name="d.jsonl",
                content=content,
                user=importer,
                seen_versions=seen.versions,
            ),
        )
        directive.refresh_from_db()
        edit_stored = saved.status_code == 302
        import_stored = outcome_of_import(imported)
        assert edit_stored != import_stored, (saved.status_code, imported)
        if edit_stored:
            assert "saved by ed" in imported.errors[0].message
            assert (directive.title, directive.summary) == (
                "Amber plan",
                f"Editor's wording {trial}",
            )
        else:
            assert "Not saved" in saved.content.decode()
            assert (directive.title, directive.summary) == ("Imported title", "Imported.")
        assert directive.version == seen.versions[slug] + 1


@pytest.mark.django_db(transaction=True)
def test_a_reviewers_step_and_an_import_at_once_store_one_and_tell_the_other(people):
    _editor, importer, reviewer = people
    for trial in range(TRIALS):
        slug = f"amber-plan-{trial}"
        directive = make_directive(
            slug=slug, summary="Before.", status=Status.IN_REVIEW, sources=[make_source()]
        )
        content = jsonl({"slug": slug, "summary": "Imported, unseen by the reviewer."})
        seen = entries_import(
            collection="directives", name="d.jsonl", content=content, dry_run=True
        )
        shown = Directive.objects.get(pk=directive.pk)
        stepped, imported = at_once(
            lambda shown=shown: entry_transition(
                entry=shown, user=reviewer, name="publish", seen_version=shown.version
            ),
            lambda content=content, seen=seen: entries_import(
                collection="directives",
                name="d.jsonl",
                content=content,
                user=importer,
                seen_versions=seen.versions,
            ),
        )
        directive.refresh_from_db()
        step_stored = not isinstance(stepped, Exception)
        import_stored = outcome_of_import(imported)
        assert step_stored != import_stored, (stepped, imported)
        if step_stored:
            assert "saved by rita" in imported.errors[0].message
            assert (directive.status, directive.summary) == (Status.PUBLISHED, "Before.")
        else:
            assert "changed by someone else" in str(stepped)
            assert directive.status == Status.IN_REVIEW
            assert directive.summary == "Imported, unseen by the reviewer."


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_entry_at_once_store_one_file_whole(people):
    editor, importer, _reviewer = people
    for trial in range(TRIALS):
        slug = f"amber-plan-{trial}"
        make_directive(
            slug=slug, title="Amber plan", summary="Before.", provisions=1, status=Status.DRAFT
        )
        files = {
            user.username: jsonl(
                {
                    "slug": slug,
                    "title": f"Title from {user.username}",
                    "summary": f"Summary from {user.username}",
                    "provisions": [{"number": 1, "text": f"Point from {user.username}"}],
                }
            )
            for user in (editor, importer)
        }
        seen = {
            name: entries_import(
                collection="directives", name="d.jsonl", content=content, dry_run=True
            )
            for name, content in files.items()
        }
        outcomes = at_once(
            *(
                lambda user=user, files=files, seen=seen: entries_import(
                    collection="directives",
                    name="d.jsonl",
                    content=files[user.username],
                    user=user,
                    seen_versions=seen[user.username].versions,
                )
                for user in (editor, importer)
            )
        )
        stored = [outcome_of_import(outcome) for outcome in outcomes]
        assert sorted(stored) == [False, True], outcomes
        winner, loser = ("ed", "ivy") if stored[0] else ("ivy", "ed")
        assert f"saved by {winner}" in outcomes[stored.index(False)].errors[0].message
        directive = Directive.objects.get(slug=slug)
        assert directive.title == f"Title from {winner}"
        assert directive.summary == f"Summary from {winner}"
        assert directive.provisions.get().text == f"Point from {winner}"
        assert directive.history.filter(history_user__username=loser).count() == 0
