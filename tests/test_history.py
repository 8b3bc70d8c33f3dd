"""History: every change is recorded with who, when and what; the admin shows a
field-by-field diff and reverts an entry (with its provisions and links) to an
earlier version; a deleted entry comes back; a second concurrent save is refused
with a message naming what changed; a renamed entry keeps its old address."""

import pytest
from django.urls import reverse

from cooperation.models import Agreement, AgreementLink
from core.models import Country, Status, Theme
from editorial.workflow import publish_change
from policies.models import Directive, Provision
from tests.builders import make_agreement, make_directive, make_provision, make_source, make_theme
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def directive_form(directive, **changes):
    """The directive's change form as the admin would post it, with changes."""
    provisions = list(directive.provisions.order_by("number"))
    data = {
        "title": directive.title,
        "title_original": directive.title_original,
        "original_language": directive.original_language,
        "slug": directive.slug,
        "kind": directive.kind,
        "date": directive.date.isoformat() if directive.date else "",
        "date_precision": directive.date_precision,
        "summary": directive.summary,
        "summary_original": directive.summary_original,
        "themes": [t.pk for t in directive.themes.all()],
        "sources": [s.pk for s in directive.sources.all()],
        "tags": "",
        "edit_version": directive.version,
        "provisions-TOTAL_FORMS": str(len(provisions)),
        "provisions-INITIAL_FORMS": str(len(provisions)),
        "outgoing_relations-TOTAL_FORMS": "0",
        "outgoing_relations-INITIAL_FORMS": "0",
    }
    for index, provision in enumerate(provisions):
        prefix = f"provisions-{index}-"
        data.update(
            {
                prefix + "id": provision.pk,
                prefix + "directive": directive.pk,
                prefix + "number": provision.number,
                prefix + "heading": provision.heading,
                prefix + "text": provision.text,
                prefix + "themes": [t.pk for t in provision.themes.all()],
            }
        )
    data.update(changes)
    return data


def change_url(directive):
    return reverse("admin:policies_directive_change", args=[directive.pk])


def test_an_admin_save_is_one_version_with_who_and_what(editor):
    theme = make_theme(name="Rescue")
    directive = make_directive(provisions=2, summary="Old summary", status=Status.DRAFT)
    data = directive_form(directive, summary="New summary", themes=[theme.pk])
    data["provisions-1-text"] = "Point 2, amended."
    response = logged_in(editor).post(change_url(directive), data)
    assert response.status_code == 302, response.context["errors"]

    record = directive.history.latest("history_date")
    assert record.history_user == editor and record.history_type == "~"
    assert directive.history.filter(history_user=editor).count() == 1  # links included
    assert [row.theme for row in record.themes.all()] == [theme]
    assert record.summary == "New summary"
    provision = Provision.objects.get(directive=directive, number=2)
    assert provision.history.latest("history_date").history_user == editor

    history = logged_in(editor).get(
        reverse("admin:policies_directive_history", args=[directive.pk])
    )
    assert history.status_code == 200


def test_the_history_page_shows_a_field_by_field_diff(editor):
    directive = make_directive(summary="First wording", status=Status.DRAFT)
    client = logged_in(editor)
    client.post(change_url(directive), directive_form(directive, summary="Second wording"))
    directive.refresh_from_db()
    client.post(change_url(directive), directive_form(directive, summary="Third wording"))
    content = client.get(
        reverse("admin:policies_directive_history", args=[directive.pk])
    ).content.decode()
    diff = content.split('id="change-history"')[1]
    assert "<strong>Summary:</strong>" in diff
    assert "Second wording" in diff and "Third wording" in diff


def test_revert_restores_the_earlier_text_links_and_provisions(editor, reviewer):
    first_theme, second_theme = make_theme(name="Rescue"), make_theme(name="Floods")
    directive = make_directive(
        provisions=2, summary="Original summary", themes=[first_theme], status=Status.DRAFT
    )
    client = logged_in(editor)
    client.post(change_url(directive), directive_form(directive))  # version to return to
    good = directive.history.latest("history_date")

    directive.refresh_from_db()
    data = directive_form(directive, summary="Vandalised", themes=[second_theme.pk])
    data["provisions-0-text"] = "Vandalised point"
    data["provisions-TOTAL_FORMS"] = "3"
    data.update({"provisions-2-number": "3", "provisions-2-text": "An added point"})
    assert client.post(change_url(directive), data).status_code == 302
    assert directive.provisions.count() == 3

    revert_url = reverse(
        "admin:policies_directive_simple_history", args=[directive.pk, good.history_id]
    )
    page = client.get(revert_url).content.decode()
    assert "Original summary" in page and "Vandalised" in page  # then and now
    response = client.post(revert_url)
    assert response.status_code == 302

    directive.refresh_from_db()
    assert directive.summary == "Original summary"
    assert list(directive.themes.all()) == [first_theme]
    assert list(directive.provisions.values_list("text", flat=True)) == [
        "Point 1 text.",
        "Point 2 text.",
    ]
    assert directive.status == Status.DRAFT  # the workflow state is kept
    latest = directive.history.latest("history_date")
    assert latest.history_user == editor and "Reverted" in latest.history_change_reason


def test_a_deleted_entry_is_restored_with_its_links_as_a_draft(reviewer):
    theme = make_theme(name="Rescue")
    nepal = Country.objects.create(code="NP", name="Nepal")
    agreement = make_agreement(themes=[theme], countries=[nepal], status=Status.DRAFT)
    provision = make_provision(make_directive())
    AgreementLink.objects.create(agreement=agreement, provision=provision, note="Drills")
    client = logged_in(reviewer)
    client.post(change_url_for(agreement), agreement_form(agreement))  # a recorded version
    pk = agreement.pk
    response = client.post(
        reverse("admin:cooperation_agreement_delete", args=[pk]), {"post": "yes"}
    )
    assert response.status_code == 302 and not Agreement.objects.filter(pk=pk).exists()

    listing = client.get(reverse("admin:cooperation_agreement_deleted")).content.decode()
    assert agreement.title in listing
    client.post(reverse("admin:cooperation_agreement_restore", args=[pk]))

    restored = Agreement.objects.get(pk=pk)
    assert restored.status == Status.DRAFT
    assert list(restored.themes.all()) == [theme]
    assert restored.party_countries.get().code == "NP"
    assert restored.links.get().note == "Drills"


def change_url_for(agreement):
    return reverse("admin:cooperation_agreement_change", args=[agreement.pk])


def agreement_form(agreement, **changes):
    links = list(agreement.links.all())
    data = {
        "title": agreement.title,
        "slug": agreement.slug,
        "kind": agreement.kind,
        "agreement_status": agreement.agreement_status,
        "signed_on": agreement.signed_on.isoformat() if agreement.signed_on else "",
        "party_countries": [c.pk for c in agreement.party_countries.all()],
        "themes": [t.pk for t in agreement.themes.all()],
        "summary": agreement.summary,
        "tags": "",
        "edit_version": agreement.version,
        "links-TOTAL_FORMS": str(len(links)),
        "links-INITIAL_FORMS": str(len(links)),
    }
    for index, link in enumerate(links):
        data.update(
            {
                f"links-{index}-id": link.pk,
                f"links-{index}-agreement": agreement.pk,
                f"links-{index}-kind": link.kind,
                f"links-{index}-provision": link.provision_id or "",
                f"links-{index}-directive": link.directive_id or "",
                f"links-{index}-note": link.note,
            }
        )
    data.update(changes)
    return data


def test_two_simultaneous_saves_produce_one_conflict_message(editor, reviewer):
    directive = make_directive(summary="Shared text", status=Status.DRAFT)
    first, second = logged_in(editor), logged_in(reviewer)
    # Both open the form at the same version...
    form_of_first = directive_form(directive, summary="Editor's wording")
    form_of_second = directive_form(directive, title="Reviewer's title")
    # ...the first saves...
    assert first.post(change_url(directive), form_of_first).status_code == 302
    # ...and the second is refused, told who changed what, and loses nothing saved.
    response = second.post(change_url(directive), form_of_second)
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count("Not saved") == 1
    assert "ed saved this directive while you were editing it" in content
    assert "Changed meanwhile: summary" in content
    directive.refresh_from_db()
    assert directive.summary == "Editor's wording"
    assert directive.title != "Reviewer's title"
    # Reloading gives the current version, which then saves.
    retry = directive_form(directive, title="Reviewer's title")
    assert second.post(change_url(directive), retry).status_code == 302


def test_a_slug_change_keeps_the_old_addresses_answering_301(editor, reviewer, client):
    directive = make_directive(slug="old-plan", provisions=2, sources=[make_source()])
    logged_in(editor).post(change_url(directive), directive_form(directive, slug="new-plan"))
    # Held for review until a reviewer publishes it; the old address serves meanwhile.
    assert client.get("/directives/old-plan/").status_code == 200
    publish_change(entry=directive, user=reviewer)
    directive.refresh_from_db()
    assert directive.slug == "new-plan"

    response = client.get("/directives/old-plan/")
    assert response.status_code == 301 and response["Location"] == "/directives/new-plan/"
    response = client.get("/directives/old-plan/p2/")
    assert response.status_code == 301 and response["Location"] == "/directives/new-plan/p2/"
    response = client.get("/zh-hans/directives/old-plan/")
    assert response["Location"] == "/zh-hans/directives/new-plan/"
    assert client.get("/directives/new-plan/").status_code == 200

    # Renamed twice: both old slugs lead to the current one; renamed back: no loop.
    directive.slug = "newest-plan"
    directive.save()
    assert client.get("/directives/old-plan/")["Location"] == "/directives/newest-plan/"
    directive.slug = "old-plan"
    directive.save()
    assert client.get("/directives/old-plan/").status_code == 200
    assert client.get("/directives/newest-plan/")["Location"] == "/directives/old-plan/"


def test_old_slugs_of_unpublished_entries_and_of_other_types_do_not_redirect(client):
    draft = make_directive(slug="draft-old", status=Status.DRAFT)
    draft.slug = "draft-new"
    draft.save()
    assert client.get("/directives/draft-old/").status_code == 404
    agreement = make_agreement(slug="same-old")
    agreement.slug = "same-new"
    agreement.save()
    assert client.get("/directives/same-old/").status_code == 404
    assert client.get("/agreements/same-old/").status_code == 301


def test_renamed_themes_and_sources_redirect_too(client):
    theme = make_theme(slug="disaster-relief")
    theme.slug = "relief"
    theme.save()
    assert client.get("/themes/disaster-relief/")["Location"] == "/themes/relief/"
    source = make_source(slug="cgtn-report")
    source.slug = "cgtn-2019-report"
    source.save()
    assert client.get("/sources/cgtn-report/")["Location"] == "/sources/cgtn-2019-report/"
    assert Theme.history.filter(id=theme.pk).count() == 2
    assert Directive.history.count() == 0


def test_tag_changes_are_recorded_and_reverted_with_the_rest(editor):
    directive = make_directive(status=Status.DRAFT)
    client = logged_in(editor)
    client.post(change_url(directive), {**directive_form(directive), "tags": "rescue, floods"})
    tagged = directive.history.latest("history_date")
    assert tagged.tag_names == "floods, rescue"

    directive.refresh_from_db()
    client.post(change_url(directive), {**directive_form(directive), "tags": "drought"})
    directive.refresh_from_db()
    assert list(directive.tags.names()) == ["drought"]
    assert directive.history.latest("history_date").tag_names == "drought"

    revert_url = reverse(
        "admin:policies_directive_simple_history", args=[directive.pk, tagged.history_id]
    )
    assert client.post(revert_url).status_code == 302
    directive.refresh_from_db()
    assert sorted(directive.tags.names()) == ["floods", "rescue"]
    assert directive.tag_names == "floods, rescue"


def test_reverting_a_directive_restores_its_provisions_tags(editor):
    directive = make_directive(provisions=1, status=Status.DRAFT)
    provision = directive.provisions.get()
    client = logged_in(editor)
    provision_url = reverse("admin:policies_provision_change", args=[provision.pk])

    def save_provision_tags(tags):
        data = {"directive": directive.pk, "number": 1, "text": provision.text, "tags": tags}
        assert client.post(provision_url, data).status_code == 302

    save_provision_tags("volunteers")
    assert provision.history.latest().tag_names == "volunteers"
    client.post(change_url(directive), directive_form(directive))  # the version to return to
    good = directive.history.latest("history_date")

    save_provision_tags("floods")
    assert provision.history.latest().tag_names == "floods"
    directive.refresh_from_db()
    revert_url = reverse(
        "admin:policies_directive_simple_history", args=[directive.pk, good.history_id]
    )
    assert client.post(revert_url).status_code == 302
    assert list(provision.tags.names()) == ["volunteers"]
