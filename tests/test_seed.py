"""The starter data: what the two seed documents state, loaded idempotently through
the import engine, all or nothing, every row citing its source."""

import configparser
import functools
import json
import shutil
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from importlinter.cli import lint_imports

from cooperation.models import Agreement, Mechanism
from core.models import Country, Organization, Source, SourceAuthor, Status, Theme
from editorial.management.commands import load_seed
from editorial.seeding import SEED_DIR, StarterDataError, load_starter_data, starter_data_load
from findings.models import Finding
from policies.models import Directive, Provision
from tests import starter_snapshot

pytestmark = pytest.mark.django_db

MODELS = [
    Country,
    Theme,
    Organization,
    Source,
    SourceAuthor,
    Directive,
    Provision,
    Mechanism,
    Finding,
    Agreement,
]


def snapshot():
    return {model.__name__: sorted(model.objects.values_list("pk", flat=True)) for model in MODELS}


def test_load_seed_twice_gives_the_same_rows():
    call_command("load_seed", verbosity=0)
    first = snapshot()
    call_command("load_seed", verbosity=0)
    assert snapshot() == first
    assert first["Provision"] and first["Finding"]


def history_rows():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.label.split(".")[1].startswith("Historical")
    }


def test_loading_again_changes_nothing_not_even_history_and_says_so(capsys):
    call_command("load_seed")
    loaded, recorded = starter_snapshot.snapshot(), history_rows()
    capsys.readouterr()
    call_command("load_seed")
    again = capsys.readouterr().out
    assert "Nothing changed: the database already held the starter data." in again
    assert "Starter data loaded: 249 countries, 9 themes" in again
    assert starter_snapshot.snapshot() == loaded
    assert history_rows() == recorded


def test_a_changed_starter_row_is_put_back_and_reported(seeded, capsys):
    Directive.objects.filter(slug="xi-2019-emergency-management").update(speaker="Someone")
    call_command("load_seed")
    assert "Created or updated: 1 directives." in capsys.readouterr().out
    assert Directive.objects.get().speaker == "Xi Jinping"


def seed_copy(tmp_path, **changes):
    """The starter data's files in tmp_path, with changes[collection](rows) made."""
    directory = tmp_path / "seed"
    shutil.copytree(SEED_DIR, directory)
    for collection, change in changes.items():
        path = directory / f"{collection}.jsonl"
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        change(rows)
        path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return directory


def rename_a_theme(themes):
    """A change in the first file, which a load that fails later must not keep."""
    themes[0]["name"] = "Renamed by a load that fails"


def assert_nothing_written(before):
    assert not Theme.objects.filter(name="Renamed by a load that fails").exists()
    assert starter_snapshot.snapshot() == before


def test_a_wrong_row_in_the_last_file_rolls_the_whole_load_back(tmp_path):
    def misfile(findings):
        findings[2]["kind"] = "rumour"

    directory = seed_copy(tmp_path, themes=rename_a_theme, findings=misfile)
    before = starter_snapshot.snapshot()
    with pytest.raises(StarterDataError, match=r"findings\.jsonl: row 3, kind: .*rumour"):
        load_starter_data(directory)
    assert_nothing_written(before)  # the countries and the five files before it neither


def test_a_starter_row_that_cites_no_source_is_refused(tmp_path):
    def uncite(mechanisms):
        del mechanisms[0]["sources"]

    directory = seed_copy(tmp_path, themes=rename_a_theme, mechanisms=uncite)
    before = starter_snapshot.snapshot()
    refused = r"mechanisms\.jsonl: row 1, sources: name the source"
    with pytest.raises(StarterDataError, match=refused):
        load_starter_data(directory)
    assert_nothing_written(before)


def test_a_theme_citing_a_source_the_files_do_not_hold_is_refused(tmp_path):
    def miscite(themes):
        rename_a_theme(themes)
        themes[4]["source"] = "a-rumour"

    directory = seed_copy(tmp_path, themes=miscite)
    before = starter_snapshot.snapshot()
    refused = r"themes\.jsonl: row 5, source: no source “a-rumour”"
    with pytest.raises(StarterDataError, match=refused):
        load_starter_data(directory)
    assert_nothing_written(before)


def test_load_seed_reports_a_broken_file_and_writes_nothing(tmp_path, monkeypatch):
    def misdate(directives):
        directives[0]["date"] = "2019-11-31"

    directory = seed_copy(tmp_path, themes=rename_a_theme, directives=misdate)
    monkeypatch.setattr(
        load_seed, "starter_data_load", functools.partial(starter_data_load, directory=directory)
    )
    before = starter_snapshot.snapshot()
    with pytest.raises(CommandError, match=r"directives\.jsonl: row 1, date: .*not a date"):
        call_command("load_seed")
    assert_nothing_written(before)


def test_the_starter_data_is_what_was_frozen_field_by_field(seeded):
    """Every row the starter data makes, field by field (ids, timestamps and history
    aside), against tests/starter_data_expected.json: its citations, marks and blank
    unknowns cannot change unnoticed. When the starter data changes on purpose, write
    the new expectation after a load on a fresh database (`manage.py shell`:
    `write_expected(snapshot())` from tests.starter_snapshot) and review its diff."""
    loaded, frozen = starter_snapshot.snapshot(), starter_snapshot.expected()
    for label, rows in frozen.items():
        assert loaded[label] == rows, label
    assert set(loaded) == set(frozen)


def test_every_iso_country_is_present_with_its_region(seeded):
    assert Country.objects.count() == 249
    china = Country.objects.get(code="CN")
    assert (china.region, china.subregion) == ("Asia", "Eastern Asia")
    assert Country.objects.get(code="NP").subregion == "Southern Asia"
    assert not Country.objects.filter(region="").exists()


def test_countries_are_recorded_once_and_a_changed_one_is_put_right(seeded):
    assert Country.history.filter(history_type="+").count() == 249
    Country.objects.filter(code="NP").update(name="Nepaul", subregion="")
    call_command("load_seed", verbosity=0)
    nepal = Country.objects.get(code="NP")
    assert (nepal.name, nepal.subregion) == ("Nepal", "Southern Asia")
    assert Country.history.count() == 250  # the one change; unchanged rows add nothing


def test_xi_2019_remarks_are_a_directive_with_six_points(seeded):
    directive = Directive.objects.get(slug="xi-2019-emergency-management")
    assert directive.speaker == "Xi Jinping"
    assert directive.date.isoformat() == "2019-11-29"
    # Worked out from "on Friday", and marked so.
    assert directive.date_basis == "inferred" and "on Friday" in directive.date_basis_note
    # The report names no issuer: the Political Bureau is the occasion's, not the speech's.
    assert directive.issuing_body is None
    assert "CPC Central Committee Political Bureau" in directive.occasion
    # The report does not say in which language the remarks were made.
    assert directive.original_language == ""
    assert directive.points_are == Directive.Points.DIVISION
    assert directive.status == Status.PUBLISHED
    assert list(directive.provisions.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6]
    rescue = directive.provisions.get(number=2).text
    assert "volunteer teams" in rescue and "comprehensive national rescue force" in rescue
    assert [s.slug for s in directive.sources.all()] == ["cgtn-2019-xi-emergency-management"]


def test_the_paper_keeps_its_unknowns_blank(seeded):
    paper = Source.objects.get(slug="xu-meng-belt-and-road-emergency-cooperation")
    assert [str(a) for a in paper.authors.all()] == ["Qian Xu", "Fanhua Meng"]
    assert paper.kind == Source.Kind.JOURNAL_ARTICLE
    assert (paper.outlet, paper.published_on, paper.volume, paper.pages) == ("", None, "", "")
    assert "China*s" not in paper.abstract and "re-\nmarkable" not in paper.abstract


def test_the_news_report_is_cgtn_updated_1_december_2019_publication_date_unknown(seeded):
    report = Source.objects.get(slug="cgtn-2019-xi-emergency-management")
    # "Updated 00:32, 01-Dec-2019" is its updated date; it gives no publication date.
    assert (report.outlet, report.updated_on.isoformat()) == ("CGTN", "2019-12-01")
    assert report.published_on is None
    assert report.url == ""  # not stated in the seed document


def test_the_mechanism_is_named_as_in_the_paper_and_attested_only_as_a_key_word(seeded):
    mechanism = Mechanism.objects.get()
    assert mechanism.name.startswith("\u201cOne Belt, One Road\u201d International Cooperation")
    assert mechanism.attested_as == Mechanism.Attested.KEY_WORD
    assert mechanism.established_on is None and not mechanism.member_countries.exists()


def test_themes_and_the_organization_keep_the_source_their_rows_name(seeded):
    assert Theme.objects.filter(source__isnull=True).count() == 0
    assert Theme.objects.get(slug="belt-and-road").source.slug == (
        "xu-meng-belt-and-road-emergency-cooperation"
    )
    body = Organization.objects.get(slug="cpc-central-committee-political-bureau")
    assert body.source.slug == "cgtn-2019-xi-emergency-management"


def test_every_starter_entry_says_it_is_starter_data(seeded):
    for model in (Directive, Source, Mechanism, Finding):
        assert set(model.objects.values_list("origin", flat=True)) == {"starter"}


def test_findings_one_achievement_four_problems_and_recommendations(seeded):
    kinds = list(Finding.objects.values_list("kind", flat=True))
    assert kinds.count("achievement") == 1
    assert kinds.count("problem") == 4
    assert kinds.count("recommendation") >= 4
    assert all(
        f.source.slug == "xu-meng-belt-and-road-emergency-cooperation"
        for f in Finding.objects.select_related("source")
    )


def test_the_belt_and_road_mechanism_cites_the_paper_and_has_no_invented_members(seeded):
    mechanism = Mechanism.objects.get()
    assert "Natural Disaster Prevention and Emergency Management" in mechanism.name
    assert [s.slug for s in mechanism.sources.all()] == [
        "xu-meng-belt-and-road-emergency-cooperation"
    ]
    assert mechanism.established_on is None
    assert not mechanism.member_countries.exists()
    assert not Agreement.objects.exists()  # the seed documents name no agreement


def test_themes_form_a_tree_from_both_documents(seeded):
    roots = set(Theme.objects.filter(parent=None).values_list("slug", flat=True))
    assert roots == {"emergency-management-system", "international-cooperation"}
    assert Theme.objects.get(slug="belt-and-road").parent.slug == "international-cooperation"


def test_every_seeded_entry_cites_a_source(seeded):
    assert not Directive.objects.filter(sources=None).exists()
    assert not Mechanism.objects.filter(sources=None).exists()
    assert not Finding.objects.filter(source=None).exists()


def test_the_import_engine_and_the_starter_data_name_no_domain_model(monkeypatch):
    """editorial sits below the domain apps: its import engine and its starter data
    read each type's importer from the registry, so the layers need no exception."""
    root = Path(__file__).resolve().parents[1]
    config = configparser.ConfigParser()
    config.read(root / ".importlinter")
    ignored = config["importlinter:contract:layers"].get("ignore_imports", "").split()
    assert not [line for line in ignored if line.startswith("editorial")]
    monkeypatch.chdir(root)
    assert lint_imports(config_filename=".importlinter", no_cache=True, no_logo=True) == 0
