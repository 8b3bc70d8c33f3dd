"""Bulk import: CSV and JSON Lines, a dry run, per-row errors, all or nothing,
idempotent by natural keys, drafts with history; in the admin and as a command."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cooperation.models import Agreement, Mechanism
from core.models import Country, Source, Status, Theme
from core.registry import registry
from editorial.importing import ImportFileError, collections, entries_import
from findings.models import Finding
from policies.models import Directive, Provision
from tests.builders import (
    make_country,
    make_directive,
    make_organization,
    make_source,
    make_theme,
)

pytestmark = pytest.mark.django_db


def directive_rows(count, theme, source):
    return [
        {
            "slug": f"plan-{n}",
            "title": f"Plan {n}",
            "kind": "plan",
            "date": f"2021-03-0{n % 9 + 1}",
            "summary": f"Summary of plan {n}",
            "themes": [theme.slug],
            "sources": [source.slug],
            "tags": ["rescue"],
            "provisions": [{"number": 1, "heading": "Aim", "text": f"Point one of plan {n}."}],
        }
        for n in range(1, count + 1)
    ]


def as_jsonl(rows):
    return "\n".join(json.dumps(row, ensure_ascii=False) for row in rows).encode()


def as_csv(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                key: json.dumps(value)
                if key == "provisions"
                else ";".join(value)
                if isinstance(value, list)
                else value
                for key, value in row.items()
            }
        )
    return out.getvalue().encode()


def test_a_thousand_rows_with_one_bad_row_write_nothing_then_the_fixed_file_imports(
    editor,
):
    theme, source = make_theme(slug="rescue"), make_source(slug="cgtn")
    rows = directive_rows(1000, theme, source)
    rows[736]["date"] = "2021-02-30"  # row 737 of the file
    report = entries_import(
        collection="directives", name="directives.jsonl", content=as_jsonl(rows), user=editor
    )
    assert not report.written
    assert [(e.row, e.field) for e in report.errors] == [(737, "date")]
    assert "not a date" in report.errors[0].message
    assert not Directive.objects.exists() and not Provision.objects.exists()

    rows[736]["date"] = "2021-02-28"
    report = entries_import(
        collection="directives", name="directives.jsonl", content=as_jsonl(rows), user=editor
    )
    assert report.written and len(report.created) == 1000
    assert Directive.objects.count() == 1000 and Provision.objects.count() == 1000
    plan = Directive.objects.get(slug="plan-5")
    assert plan.status == Status.DRAFT
    assert list(plan.themes.all()) == [theme] and list(plan.sources.all()) == [source]
    assert plan.provisions.get().text == "Point one of plan 5."
    assert list(plan.tags.names()) == ["rescue"]
    record = plan.history.get()
    assert record.history_user == editor and "directives.jsonl" in record.history_change_reason

    # The same file again changes nothing: no new versions, nothing updated.
    again = entries_import(
        collection="directives", name="directives.jsonl", content=as_jsonl(rows), user=editor
    )
    assert len(again.unchanged) == 1000 and not again.created and not again.updated
    assert Directive.history.count() == 1000


def test_csv_dry_run_reports_created_updated_and_unchanged_and_writes_nothing(db):
    theme, source = make_theme(slug="rescue"), make_source(slug="cgtn")
    rows = directive_rows(3, theme, source)
    entries_import(collection="directives", name="d.csv", content=as_csv(rows))
    rows[1]["summary"] = "A corrected summary"
    rows[2]["provisions"].append({"number": 2, "text": "A new point."})
    rows.append({**rows[0], "slug": "plan-new", "title": "New plan"})
    report = entries_import(
        collection="directives", name="d.csv", content=as_csv(rows), dry_run=True
    )
    assert report.ok and not report.written
    assert report.created == ["plan-new"]
    assert report.updated == ["plan-2", "plan-3"]
    assert report.unchanged == ["plan-1"]
    assert not Directive.objects.filter(slug="plan-new").exists()
    assert Directive.objects.get(slug="plan-2").summary == "Summary of plan 2"

    report = entries_import(collection="directives", name="d.csv", content=as_csv(rows))
    assert report.written
    assert Directive.objects.get(slug="plan-2").summary == "A corrected summary"
    assert Directive.objects.get(slug="plan-3").provisions.count() == 2


def test_every_bad_row_is_named_with_its_field_and_reason(db):
    make_theme(slug="rescue")
    lines = [
        json.dumps({"slug": "ok-plan", "title": "Fine", "kind": "plan"}),
        json.dumps({"slug": "Bad Slug", "title": "x", "kind": "plan"}),
        "{not json",
        json.dumps({"slug": "p3", "title": "x", "kind": "poem"}),
        json.dumps({"slug": "p4", "title": "x", "kind": "plan", "themes": ["nowhere"]}),
        json.dumps({"slug": "ok-plan", "title": "Twice", "kind": "plan"}),
        json.dumps(
            {"slug": "p6", "title": "x", "kind": "plan", "provisions": [{"number": 0, "text": "t"}]}
        ),
    ]
    report = entries_import(
        collection="directives", name="x.jsonl", content="\n".join(lines).encode()
    )
    named = {(error.row, error.field) for error in report.errors}
    assert named == {
        (2, "slug"),
        (3, ""),
        (4, "kind"),
        (5, "themes"),
        (6, "slug"),
        (7, "provisions[1]"),
    }
    assert not Directive.objects.exists()


def test_agreements_import_with_parties_by_iso_code_and_links_to_points(editor):
    directive = make_directive(slug="xi-2019", provisions=3)
    Country.objects.create(code="NP", name="Nepal")
    Country.objects.create(code="CN", name="China")
    ministry = make_organization(slug="mem")
    row = {
        "slug": "cn-np-mou",
        "title": "China–Nepal MoU",
        "kind": "mou",
        "agreement_status": "signed",
        "signed_on": "2019-04-25",
        "parties": "cn;np",
        "party_organizations": "mem",
        "links": json.dumps(["xi-2019", {"target": "xi-2019#p2", "note": "Joint drills"}]),
        "id": "17",  # export-only columns are ignored
        "permalink": "https://example.org/agreements/cn-np-mou/",
    }
    content = as_csv([row])
    report = entries_import(collection="agreements", name="a.csv", content=content, user=editor)
    assert report.written, report.errors
    agreement = Agreement.objects.get(slug="cn-np-mou")
    assert sorted(agreement.party_countries.values_list("code", flat=True)) == ["CN", "NP"]
    assert list(agreement.party_organizations.all()) == [ministry]
    links = {(link.provision_id, link.note) for link in agreement.links.all()}
    assert links == {(None, ""), (directive.provisions.get(number=2).pk, "Joint drills")}
    again = entries_import(collection="agreements", name="a.csv", content=content)
    assert again.unchanged == ["cn-np-mou"]

    row["links"] = json.dumps(["xi-2019#p9"])
    report = entries_import(collection="agreements", name="a.csv", content=as_csv([row]))
    assert [(e.row, e.field) for e in report.errors] == [(2, "links[1]")]


def test_the_import_command_checks_imports_and_refuses_a_bad_file(tmp_path, capsys):
    theme, source = make_theme(slug="rescue"), make_source(slug="cgtn")
    path = tmp_path / "directives.jsonl"
    rows = directive_rows(2, theme, source)
    path.write_bytes(as_jsonl(rows))
    call_command("import_entries", str(path), "--dry-run")
    assert "Dry run, nothing written: 2 to create" in capsys.readouterr().out
    assert not Directive.objects.exists()
    call_command("import_entries", str(path))
    assert Directive.objects.count() == 2

    rows[1]["kind"] = "poem"
    path.write_bytes(as_jsonl(rows))
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_entries", str(path))
    assert "row 2, kind" in capsys.readouterr().err
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_entries", str(tmp_path / "missing.csv"))


def test_the_admin_import_is_upload_dry_run_then_confirm(editor):
    """Each step a background task (run at once under the test settings: see
    tests/test_import_tasks.py for the worker); the job's page shows each report."""
    theme, source = make_theme(slug="rescue"), make_source(slug="cgtn")
    client = Client()
    client.force_login(editor)
    url = reverse("admin:policies_directive_import")
    changelist = client.get(reverse("admin:policies_directive_changelist")).content.decode()
    assert url in changelist
    upload = io.BytesIO(as_csv(directive_rows(2, theme, source)))
    upload.name = "directives.csv"
    response = client.post(url, {"file": upload})
    assert response.status_code == 302
    page = client.get(response.url)
    assert "2 to create" in page.content.decode() and not Directive.objects.exists()
    response = client.post(response.url, {"confirm": "1"})
    assert response.status_code == 302 and Directive.objects.count() == 2
    assert "2 created" in client.get(response.url).content.decode()
    # A replayed confirmation does nothing but say so, and a bad upload is a form
    # error, not a 500.
    page = client.post(response.url, {"confirm": "1"}, follow=True)
    assert "already been imported" in page.content.decode()
    assert Directive.objects.count() == 2
    bad = io.BytesIO(b"\xff\xfe not text")
    bad.name = "directives.csv"
    page = client.post(url, {"file": bad})
    assert page.status_code == 200 and "not UTF-8" in page.content.decode()


def test_every_type_is_imported_by_its_own_importer_or_inline_with_its_parent():
    """An entry type declares its importer with its other hooks; a type that is part
    of another (a provision) comes inline in its parent's rows."""
    for entry_type in registry:
        if entry_type.own_publication:
            assert entry_type.importer is not None, entry_type.key
            assert entry_type.key in collections()
        else:
            parent_field = entry_type.model._meta.get_field(entry_type.parent)
            parent = registry.for_model(parent_field.related_model)
            inline = [rows.column for rows in parent.importer.inline]
            assert parent_field.remote_field.related_name in inline, entry_type.key
    assert list(collections())[-2:] == ["themes", "organizations"]


def import_jsonl(collection, rows, **options):
    content = "\n".join(json.dumps(row) for row in rows).encode()
    name = f"{collection}.jsonl"
    return entries_import(collection=collection, name=name, content=content, **options)


def test_findings_are_found_by_their_source_and_number(editor):
    source = make_source(slug="xu-meng")
    theme = make_theme(slug="talent")
    rows = [
        {"source": "xu-meng", "number": n, "kind": "problem", "text": f"Problem {n}."}
        for n in (1, 2)
    ]
    rows[1]["themes"] = ["talent"]
    report = import_jsonl("findings", rows, user=editor)
    assert report.written and report.created == ["xu-meng/1", "xu-meng/2"]
    second = Finding.objects.get(source=source, number=2)
    assert second.status == Status.DRAFT and list(second.themes.all()) == [theme]
    assert import_jsonl("findings", rows).unchanged == ["xu-meng/1", "xu-meng/2"]

    rows[0]["text"] = "Problem one, corrected."
    rows.append({"source": "nowhere", "number": 3, "kind": "problem", "text": "x"})
    report = import_jsonl("findings", rows)
    assert [(e.row, e.field) for e in report.errors] == [(3, "source")]
    rows.pop()
    assert import_jsonl("findings", rows).updated == ["xu-meng/1"]
    assert Finding.objects.get(number=1).text == "Problem one, corrected."
    assert Finding.objects.count() == 2


def test_a_theme_may_name_a_parent_listed_above_it_in_the_same_file(db):
    make_source(slug="cgtn")
    rows = [
        {"slug": "cooperation", "name": "Cooperation", "order": 2, "source": "cgtn"},
        {"slug": "belt-and-road", "name": "Belt and Road", "parent": "cooperation"},
    ]
    report = import_jsonl("themes", rows)
    assert report.written, report.errors
    child = Theme.objects.get(slug="belt-and-road")
    assert child.parent.slug == "cooperation" and child.parent.order == 2
    assert child.history.get().history_change_reason == "Imported from themes.jsonl"
    assert import_jsonl("themes", rows).unchanged == ["cooperation", "belt-and-road"]

    # A parent listed below is not known yet; a cited source must exist.
    report = import_jsonl(
        "themes",
        [
            {"slug": "drills", "name": "Drills", "parent": "rescue"},
            {"slug": "rescue", "name": "Rescue", "source": "a-rumour"},
        ],
    )
    assert [(e.row, e.field) for e in report.errors] == [(1, "parent"), (2, "source")]
    assert "no source “a-rumour”" in report.errors[1].message
    assert not Theme.objects.filter(slug__in=["drills", "rescue"]).exists()


def test_a_sources_authors_are_its_list_in_order(db):
    row = {
        "slug": "xu-meng",
        "title": "Practice and enlightenment",
        "kind": "journal_article",
        "authors": [
            {"family_name": "Xu", "given_name": "Qian"},
            {"family_name": "Meng", "given_name": "Fanhua"},
        ],
    }
    assert import_jsonl("sources", [row]).written
    source = Source.objects.get(slug="xu-meng")
    assert [str(author) for author in source.authors.all()] == ["Qian Xu", "Fanhua Meng"]
    assert source.status == Status.DRAFT and source.outlet == ""

    row["authors"] = [{"literal_name": "Research Group on Emergency Management"}]
    assert import_jsonl("sources", [row]).updated == ["xu-meng"]
    assert [str(a) for a in source.authors.all()] == ["Research Group on Emergency Management"]

    row["authors"] = [{"given_name": "Qian"}]
    report = import_jsonl("sources", [row])
    assert [(e.row, e.field) for e in report.errors] == [(1, "authors[1]")]
    assert "family name" in report.errors[0].message


def test_provisions_take_their_themes_and_tags(db):
    make_theme(slug="rescue-forces")
    row = {
        "slug": "xi-2019",
        "title": "Remarks",
        "kind": "speech",
        "provisions": [
            {"number": 1, "text": "Build rescue teams.", "themes": ["rescue-forces"]},
            {"number": 2, "text": "Care for them.", "tags": ["rescue teams", "volunteers"]},
        ],
    }
    assert import_jsonl("directives", [row]).written
    first, second = Directive.objects.get(slug="xi-2019").provisions.order_by("number")
    assert [theme.slug for theme in first.themes.all()] == ["rescue-forces"]
    assert sorted(second.tags.names()) == ["rescue teams", "volunteers"]
    assert second.tag_names == '"rescue teams", volunteers'
    assert second.history.latest().tag_names == '"rescue teams", volunteers'
    assert import_jsonl("directives", [row]).unchanged == ["xi-2019"]

    row["provisions"][1]["tags"] = ["volunteers"]
    row["provisions"][0]["themes"] = ["nowhere"]
    report = import_jsonl("directives", [row])
    assert [(e.row, e.field) for e in report.errors] == [(1, "provisions[1].themes")]


def test_mechanisms_import_with_members_by_iso_code(db):
    make_country(code="NP", name="Nepal")
    make_source(slug="xu-meng")
    row = {
        "slug": "bri-drr",
        "name": "Belt and Road disaster-reduction mechanism",
        "member_countries": "np",
        "sources": "xu-meng",
        "tags": ["Belt and Road"],
    }
    report = import_jsonl("mechanisms", [row])
    assert report.written, report.errors
    mechanism = Mechanism.objects.get(slug="bri-drr")
    assert [country.code for country in mechanism.member_countries.all()] == ["NP"]
    assert mechanism.status == Status.DRAFT and mechanism.established_on is None
    assert list(mechanism.tags.names()) == ["Belt and Road"]


def test_a_findings_csv_needs_its_key_columns(db):
    with pytest.raises(ImportFileError, match="“source” column"):
        entries_import(collection="findings", name="f.csv", content=b"number,text\n1,x\n")
    with pytest.raises(ImportFileError, match="one of directives"):
        entries_import(collection="countries", name="c.csv", content=b"slug\nx\n")


def test_checking_a_file_reads_the_links_in_bulk_whatever_its_length(db):
    """Ten queries, and one a row (full_clean's check that the slug is free): the
    provisions' themes and tags are read in bulk with the entries, never one by one."""
    make_theme(slug="rescue"), make_source(slug="cgtn")

    def content(count):
        rows = directive_rows(count, Theme.objects.get(), Source.objects.get())
        for row in rows:
            row["provisions"][0].update(themes=["rescue"], tags=["drills"])
        return as_jsonl(rows)

    entries_import(collection="directives", name="d.jsonl", content=content(30))
    for count in (3, 30):
        file = content(count)
        with CaptureQueriesContext(connection) as queries:
            report = entries_import(
                collection="directives", name="d.jsonl", content=file, dry_run=True
            )
        assert len(report.unchanged) == count
        assert len(queries) == 10 + count


@pytest.mark.parametrize("key", ["mechanisms", "sources", "findings"])
def test_every_imported_type_has_an_import_page_in_the_admin(editor, key):
    """A dry run of a one-row file from the type's own list in the admin."""
    make_source(slug="quillmoor-report")
    rows = {
        "mechanisms": {
            "slug": "lantern",
            "name": "Lantern compact",
            "sources": ["quillmoor-report"],
        },
        "sources": {"slug": "amberfold-notes", "title": "Amberfold notes", "kind": "report"},
        "findings": {"source": "quillmoor-report", "number": 1, "kind": "problem", "text": "Lag."},
    }
    model = registry[key].model
    opts = model._meta
    client = Client()
    client.force_login(editor)
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_import")
    assert (
        url
        in client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        ).content.decode()
    )
    upload = io.BytesIO((json.dumps(rows[key]) + "\n").encode())
    upload.name = f"{key}.jsonl"
    page = client.post(url, {"file": upload}, follow=True)
    assert page.status_code == 200
    assert "1 to create" in page.content.decode(), page.content.decode()[-2000:]


def test_an_imported_theme_or_organization_keeps_the_source_it_cites(db):
    make_source(slug="quillmoor-gazette")
    content = (
        b'{"slug": "quillmoor-floods", "name": "Quillmoor floods", "source": "quillmoor-gazette"}\n'
    )
    report = entries_import(collection="themes", name="themes.jsonl", content=content)
    assert report.written, report.errors
    assert Theme.objects.get(slug="quillmoor-floods").source.slug == "quillmoor-gazette"
    again = entries_import(collection="themes", name="themes.jsonl", content=content)
    assert again.unchanged == ["quillmoor-floods"]
