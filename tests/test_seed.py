"""The starter data: what the two seed documents state, loaded idempotently."""

import pytest
from django.core.management import call_command

from cooperation.models import Agreement, Mechanism
from core.models import Country, Organization, Source, SourceAuthor, Status, Theme
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
    assert directive.issuing_body.name == "Political Bureau of the CPC Central Committee"
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


def test_the_news_report_is_cgtn_of_1_december_2019(seeded):
    report = Source.objects.get(slug="cgtn-2019-xi-emergency-management")
    assert (report.outlet, report.published_on.isoformat()) == ("CGTN", "2019-12-01")
    assert report.url == ""  # not stated in the seed document


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
