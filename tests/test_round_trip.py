"""Export → edit → import: the bulk exports are in the shape the import reads, so a
file taken from the site goes back in unchanged, and an edit to it is applied."""

import csv
import io
import json

import pytest

from core.models import Status
from editorial.importing import entries_import
from editorial.workflow import publish_change
from policies.models import Directive
from tests.builders import make_agreement, make_country, make_organization

pytestmark = pytest.mark.django_db

XI = "xi-2019-emergency-management"


@pytest.fixture
def site(seeded):
    directive = Directive.objects.get(slug=XI)
    directive.summary = "- a Markdown list item, which a spreadsheet would read as a formula"
    directive.save()
    agreement = make_agreement(
        slug="china-nepal-mou",
        countries=[make_country()],
        provisions=[directive.provisions.get(number=2)],
    )
    agreement.party_organizations.add(make_organization(slug="moem"))
    return agreement


def export(client, collection, fmt):
    response = client.get(f"/export/{collection}.{fmt}")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
@pytest.mark.parametrize("collection", ["directives", "agreements"])
def test_an_exported_file_imports_back_unchanged(client, site, collection, fmt):
    content = export(client, collection, fmt)
    report = entries_import(collection=collection, name=f"{collection}.{fmt}", content=content)
    assert report.errors == []
    assert report.created == [] and report.updated == []
    assert len(report.unchanged) >= 1


def test_an_edited_csv_export_updates_the_provision_and_keeps_the_formula_guard_off(
    client, site, reviewer
):
    rows = list(csv.DictReader(io.StringIO(export(client, "directives", "csv").decode())))
    (row,) = [r for r in rows if r["slug"] == XI]
    assert row["summary"].startswith("'- a Markdown list item")  # guarded in the file
    provisions = json.loads(row["provisions"])
    provisions[2]["text"] = "Rely on science and technology (edited)."
    row["provisions"] = json.dumps(provisions, ensure_ascii=False)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)

    report = entries_import(collection="directives", name="edited.csv", content=out.getvalue())
    assert report.errors == [] and len(report.updated) == 1
    # The directive is published: the import waits for a reviewer.
    assert report.held == [XI]
    directive = Directive.objects.get(slug=XI)
    assert directive.provisions.get(number=3).text.startswith("Strengthen")
    publish_change(entry=directive, user=reviewer)
    assert directive.provisions.get(number=3).text == "Rely on science and technology (edited)."
    assert directive.summary.startswith("- a Markdown list item")  # the quote came off
    assert directive.status == Status.PUBLISHED


def test_an_exported_agreement_imports_as_a_new_draft_with_its_parties_and_links(client, site):
    (row,) = [
        json.loads(line)
        for line in export(client, "agreements", "jsonl").decode().splitlines()
        if json.loads(line)["slug"] == "china-nepal-mou"
    ]
    assert row["links"] == [{"target": f"{XI}#p2", "kind": "responds_to", "note": "Joint drills"}]
    row["slug"] = "china-nepal-mou-copy"
    report = entries_import(
        collection="agreements", name="copy.jsonl", content=json.dumps(row) + "\n"
    )
    assert report.errors == [] and len(report.created) == 1
    from cooperation.models import Agreement

    copy = Agreement.objects.get(slug="china-nepal-mou-copy")
    assert copy.status == Status.DRAFT
    assert [c.code for c in copy.party_countries.all()] == ["NP"]
    assert [o.slug for o in copy.party_organizations.all()] == ["moem"]
    assert [(link.provision.number, link.note) for link in copy.links.all()] == [
        (2, "Joint drills")
    ]
