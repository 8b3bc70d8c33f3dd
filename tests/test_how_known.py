"""Every value shows how it is known: a date's basis beside its precision (an inferred
date in brackets, with why), a source's publication and updated dates apart, a reported
speech's points marked as emgov's division of its source, with a Sources section on
every point's page, a mechanism attested only as a key word, themes with their source,
and each entry's origin and last update."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core.models import DateBasis, DatePrecision, Origin, format_partial_date
from editorial.origin import origin_of
from policies.models import Directive
from tests.builders import make_directive, make_source
from tests.conftest import logged_in

XI = "/directives/xi-2019-emergency-management/"
CGTN = "/sources/cgtn-2019-xi-emergency-management/"
DAY = datetime.date(2019, 11, 29)


@pytest.mark.parametrize(
    ("basis", "shown"),
    [
        (DateBasis.STATED, "Nov. 29, 2019"),
        (DateBasis.INFERRED, "[Nov. 29, 2019]"),
        (DateBasis.ESTIMATED, "[c. Nov. 29, 2019]"),
    ],
)
def test_a_date_not_stated_by_the_source_is_bracketed(basis, shown):
    with translation.override("en"):
        assert format_partial_date(DAY, DatePrecision.DAY, basis) == shown
        year = format_partial_date(DAY, DatePrecision.YEAR, basis)
        assert year == shown.replace("Nov. 29, ", "")


@pytest.mark.django_db
def test_an_inferred_date_needs_a_note_of_how():
    directive = make_directive(date=DAY, date_basis=DateBasis.INFERRED)
    with pytest.raises(ValidationError, match="inferred or estimated date"):
        directive.full_clean()
    directive.date_basis_note = "The report says “on Friday”."
    directive.full_clean()


@pytest.mark.django_db
def test_an_agreements_estimated_signing_date_is_bracketed_on_its_page_and_card(client):
    from tests.builders import make_agreement

    agreement = make_agreement(
        title="Memorandum on Quorvex drills",
        signed_on=datetime.date(2019, 4, 25),
        date_basis=DateBasis.ESTIMATED,
        date_basis_note="Signed at the 2019 forum, whose dates are known.",
    )
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert "[c. April 25, 2019]" in page and "Signed at the 2019 forum" in page
    assert "[c. April 25, 2019]" in client.get("/agreements/").content.decode()


@pytest.mark.django_db
def test_the_directive_page_shows_the_inferred_date_in_brackets_with_why(client, seeded):
    page = client.get(XI).content.decode()
    assert "[Nov. 29, 2019]" in page
    assert "Inferred by emgov from the source" in page and "“on Friday”" in page
    assert "Issuing body" not in page  # the Political Bureau is the occasion's
    assert "CPC Central Committee Political Bureau" in page


@pytest.mark.django_db
def test_the_report_shows_its_updated_date_apart_from_an_unknown_publication_date(client, seeded):
    page = client.get(CGTN).content.decode()
    assert "not given by the source" in page
    assert '<time datetime="2019-12-01">Dec. 1, 2019</time>' in page


@pytest.mark.django_db
@pytest.mark.parametrize("number", [1, 3, 6])
def test_every_point_page_says_it_is_emgovs_division_and_lists_its_sources(client, seeded, number):
    page = client.get(f"{XI}p{number}/").content.decode()
    assert (
        "Points are emgov’s division of CGTN, “Xi stresses modernization of China’s emergency "
        "management system”, paraphrased" in page.replace("&#x27;", "’").replace("'", "’")
    )
    sources = page.split('id="sources-heading"')[1]
    assert f'href="{CGTN}"' in sources.split("</section>")[0]


@pytest.mark.django_db
def test_a_point_page_has_a_sources_section_even_without_a_published_source(client):
    directive = make_directive(provisions=1)
    page = client.get(f"{directive.get_absolute_url()}p1/").content.decode()
    assert 'id="sources-heading"' in page and "No published source yet." in page


@pytest.mark.django_db
def test_the_mechanism_is_shown_as_attested_only_as_a_key_word(client, seeded):
    page = client.get(
        "/mechanisms/belt-and-road-disaster-prevention-emergency-management-mechanism/"
    ).content.decode()
    assert "only as a key word" in page
    assert 'href="/sources/xu-meng-belt-and-road-emergency-cooperation/"' in page


@pytest.mark.django_db
def test_a_theme_page_names_its_source(client, seeded):
    page = client.get("/themes/belt-and-road/").content.decode()
    assert 'href="/sources/xu-meng-belt-and-road-emergency-cooperation/"' in page
    api = client.get("/api/v1/themes/belt-and-road/").json()
    assert api["source"] == "xu-meng-belt-and-road-emergency-cooperation"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", [XI, f"{XI}p2/", CGTN, "/sources/xu-meng-belt-and-road-emergency-cooperation/"]
)
def test_each_starter_entry_page_names_its_origin_document_and_last_update(client, seeded, path):
    page = client.get(path).content.decode()
    origin = page.split('class="record-origin"')[1].split("</p>")[0]
    assert "Origin: starter data, from" in origin and "/sources/" in origin
    assert "Last updated" in origin and "<time datetime=" in origin


@pytest.mark.django_db
def test_an_editors_entry_and_an_imported_one_say_so(client):
    made = make_directive(sources=[make_source()])
    assert origin_of(made) == Origin.EDITOR
    assert "Origin: added by an editor." in client.get(made.get_absolute_url()).content.decode()
    imported = make_directive()
    imported.history.update(history_change_reason="Imported from directives.jsonl")
    assert origin_of(imported) == Origin.IMPORT
    with translation.override("zh-hans"):
        chinese = make_directive()
        chinese.history.update(history_change_reason="从 directives.jsonl 导入")
        assert origin_of(Directive.objects.get(pk=chinese.pk)) == Origin.IMPORT


@pytest.mark.django_db
def test_the_citation_note_says_the_date_was_inferred(client, seeded):
    import json

    (item,) = json.loads(client.get(XI + "cite.json").content)
    assert "Date inferred by emgov" in item["note"] and "on Friday" in item["note"]


@pytest.mark.django_db
def test_editors_can_set_how_each_value_is_known_in_the_admin(editor_client, reviewer):
    from django.urls import reverse

    from tests.builders import make_agreement, make_mechanism, make_theme

    pages = {
        make_directive(): ("date_basis", "date_basis_note", "points_are", "speaker_family_name"),
        make_source(): ("date_basis", "date_basis_note", "updated_on"),
        make_mechanism(): ("date_basis", "attested_as"),
        make_agreement(): ("date_basis", "date_basis_note"),
        make_theme(): ("source",),
    }
    for obj, fields in pages.items():
        opts = obj._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        # Themes are reference data, which reviewers change.
        client = logged_in(reviewer) if opts.model_name == "theme" else editor_client
        page = client.get(url).content.decode()
        for name in fields:
            assert f'name="{name}"' in page, (opts.model_name, name)


def test_each_point_of_the_speech_names_its_paragraph_of_the_report(client, seeded):
    page = client.get("/directives/xi-2019-emergency-management/p3/").content.decode()
    assert "Where the source says it: para. 6." in page
    # Paragraph 6 of the CGTN report is the one about equipment and technology.
    assert Directive.objects.get().provisions.get(number=3).heading.startswith("Science")
