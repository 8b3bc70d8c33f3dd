"""One rule for what is public (core.models.Publishable): an entry is public when it
is published and so is everything it is published with; a link between entries
(an agreement's link to a directive or provision, a relation between directives) is
public only when both its ends are. Every page, API item and export row that lists
an entry's links shows only public ones, and a link to a draft appears there once
the draft is published."""

import csv
import io
import json
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache

from cooperation.models import AgreementLink
from core.models import Source, Status
from core.registry import registry
from exports.writers import LIST_SEPARATOR
from policies.models import Directive, DirectiveRelation
from tests.builders import (
    make_agreement,
    make_country,
    make_directive,
    make_finding,
    make_mechanism,
    make_organization,
    make_source,
    make_theme,
)

pytestmark = pytest.mark.django_db

DRAFT, PUBLISHED = Status.DRAFT, Status.PUBLISHED
BOTH_ENDS = [(first, second) for first in (DRAFT, PUBLISHED) for second in (DRAFT, PUBLISHED)]


def one_rule(row):
    """is_published and published() say the same of this row; what they say."""
    model = type(row)
    fresh = model.objects.get(pk=row.pk)
    in_published = model.objects.published().filter(pk=row.pk).exists()
    assert fresh.is_published is in_published
    return in_published


@pytest.mark.parametrize(("agreement_status", "directive_status"), BOTH_ENDS)
@pytest.mark.parametrize("target", ["directive", "provision"])
def test_an_agreement_link_is_public_only_when_both_its_ends_are(
    agreement_status, directive_status, target
):
    directive = make_directive(status=directive_status, provisions=1)
    ends = {"directive": directive} if target == "directive" else {}
    if target == "provision":
        ends["provision"] = directive.provisions.get()
    link = AgreementLink.objects.create(agreement=make_agreement(status=agreement_status), **ends)
    assert one_rule(link) is (agreement_status == directive_status == PUBLISHED)


@pytest.mark.parametrize(("from_status", "to_status"), BOTH_ENDS)
def test_a_directive_relation_is_public_only_when_both_directives_are(from_status, to_status):
    relation = DirectiveRelation.objects.create(
        from_directive=make_directive(status=from_status),
        kind=DirectiveRelation.Kind.AMENDS,
        to_directive=make_directive(status=to_status),
    )
    assert one_rule(relation) is (from_status == to_status == PUBLISHED)


@pytest.mark.parametrize(("finding_status", "source_status"), BOTH_ENDS)
def test_a_finding_is_public_only_when_it_and_its_source_are(finding_status, source_status):
    finding = make_finding(source=make_source(status=source_status), status=finding_status)
    assert one_rule(finding) is (finding_status == source_status == PUBLISHED)


@pytest.mark.parametrize("status", [DRAFT, Status.IN_REVIEW, PUBLISHED, Status.WITHDRAWN])
def test_a_provision_is_public_exactly_when_its_directive_is(status):
    provision = make_directive(status=status, provisions=1).provisions.get()
    assert one_rule(provision) is (status == PUBLISHED)


def test_reference_data_is_public_whole():
    for row in (make_theme(), make_country(), make_organization()):
        assert one_rule(row) is True


def test_an_entry_type_with_a_parent_is_published_with_it():
    """The registry's `parent` (whose page and last change a part shares) and the
    model's rule name the same foreign key."""
    for entry_type in registry:
        if entry_type.parent:
            assert entry_type.parent in entry_type.model.published_with, entry_type.key


def test_assuming_an_end_a_model_does_not_have_is_refused():
    with pytest.raises(ValueError):
        AgreementLink.objects.published(assuming="mechanism")


# --- Every public surface that lists an entry's links -------------------------------


@dataclass
class Shown:
    """Where a draft entry linked from published ones must be absent, and present
    once it is published: (path, text) on pages, (path, field, value) in API items
    and (collection, row key, field, value) in both export formats."""

    draft: object
    pages: list = field(default_factory=list)
    api: list = field(default_factory=list)
    exports: list = field(default_factory=list)


def a_draft_agreement():
    directive = make_directive(slug="quillon-plan", provisions=1)
    provision = directive.provisions.get()
    mechanism = make_mechanism(slug="quillon-compact")
    nepal = make_country()
    draft = make_agreement(
        title="Zephyr Marsh accord",
        slug="zephyr-marsh-accord",
        status=DRAFT,
        mechanism=mechanism,
        countries=[nepal],
        provisions=[provision],
    )
    AgreementLink.objects.create(agreement=draft, directive=directive)
    finding = make_finding(source=make_source(slug="quillon-review"))
    finding.agreements.add(draft)
    return Shown(
        draft,
        pages=[
            ("/directives/quillon-plan/", "Zephyr Marsh accord"),
            ("/directives/quillon-plan/p1/", "Zephyr Marsh accord"),
            ("/mechanisms/quillon-compact/", "Zephyr Marsh accord"),
            ("/countries/np/", "Zephyr Marsh accord"),
            ("/sources/quillon-review/", "Zephyr Marsh accord"),
            # The finding bears on nothing public until then: no empty "Bears on".
            ("/sources/quillon-review/", "Bears on"),
        ],
        api=[
            ("/api/v1/directives/quillon-plan/", "agreements", draft.slug),
            (f"/api/v1/provisions/{provision.pk}/", "agreements", draft.slug),
            ("/api/v1/mechanisms/quillon-compact/", "agreements", draft.slug),
            ("/api/v1/countries/np/", "agreements", draft.slug),
            (f"/api/v1/findings/{finding.pk}/", "agreements", draft.slug),
        ],
        exports=[
            ("directives", "quillon-plan", "agreements", draft.slug),
            ("provisions", provision.pk, "agreements", draft.slug),
            ("mechanisms", "quillon-compact", "agreements", draft.slug),
            ("countries", "np", "agreements", draft.slug),
            ("findings", finding.pk, "agreements", draft.slug),
        ],
    )


def a_draft_directive():
    draft = make_directive(
        title="Xylo draft directive", slug="xylo-plan", provisions=1, status=DRAFT
    )
    provision = draft.provisions.get()
    agreement = make_agreement(slug="azure-accord", provisions=[provision])
    AgreementLink.objects.create(agreement=agreement, directive=draft)
    neighbour = make_directive(slug="neighbour-plan")
    DirectiveRelation.objects.create(
        from_directive=neighbour, kind=DirectiveRelation.Kind.AMENDS, to_directive=draft
    )
    DirectiveRelation.objects.create(
        from_directive=draft, kind=DirectiveRelation.Kind.CITES, to_directive=neighbour
    )
    source = make_source(slug="azure-review")
    draft.sources.add(source)
    finding = make_finding(source=source)
    finding.provisions.add(provision)
    return Shown(
        draft,
        pages=[
            ("/agreements/azure-accord/", "Xylo draft directive"),
            ("/directives/neighbour-plan/", "Xylo draft directive"),
            ("/sources/azure-review/", "Xylo draft directive"),
            ("/sources/azure-review/", "Bears on"),
        ],
        api=[
            ("/api/v1/agreements/azure-accord/", "directives", draft.slug),
            ("/api/v1/agreements/azure-accord/", "provisions", provision.pk),
            ("/api/v1/agreements/azure-accord/", "links", draft.slug),
            ("/api/v1/agreements/azure-accord/", "links", f"{draft.slug}#p1"),
            (f"/api/v1/findings/{finding.pk}/", "provisions", provision.pk),
        ],
        exports=[
            ("agreements", "azure-accord", "directives", draft.slug),
            ("agreements", "azure-accord", "provisions", provision.pk),
            ("agreements", "azure-accord", "links", f"{draft.slug}#p1"),
            ("findings", finding.pk, "provisions", provision.pk),
        ],
    )


def a_draft_source():
    draft = make_source(
        title="Sable draft report",
        slug="sable-report",
        kind=Source.Kind.NEWS_REPORT,
        outlet="Sable Gazette",
        status=DRAFT,
    )
    # A speech known from a news report names the report in its citation's note.
    make_directive(
        slug="sable-remarks",
        kind=Directive.Kind.SPEECH,
        speaker="Wen Quill",
        sources=[draft],
    )
    make_agreement(slug="sable-accord", sources=[draft])
    make_mechanism(slug="sable-compact").sources.add(draft)
    return Shown(
        draft,
        pages=[
            ("/directives/sable-remarks/", "Sable draft report"),
            ("/directives/sable-remarks/cite.json", "Sable draft report"),
            ("/directives/sable-remarks/cite.ris", "Sable draft report"),
            ("/agreements/sable-accord/", "Sable draft report"),
            ("/mechanisms/sable-compact/", "Sable draft report"),
        ],
        api=[
            ("/api/v1/directives/sable-remarks/", "sources", draft.slug),
            ("/api/v1/agreements/sable-accord/", "sources", draft.slug),
            ("/api/v1/mechanisms/sable-compact/", "sources", draft.slug),
        ],
        exports=[
            ("directives", "sable-remarks", "sources", draft.slug),
            ("agreements", "sable-accord", "sources", draft.slug),
            ("mechanisms", "sable-compact", "sources", draft.slug),
        ],
    )


def a_finding_on_a_provision_and_an_agreement(*, finding_status, source_status):
    """A finding, or its source, unpublished: the draft is whichever is."""
    directive = make_directive(slug="umber-plan", provisions=1)
    provision = directive.provisions.get()
    agreement = make_agreement(slug="umber-accord")
    source = make_source(slug="umber-review", status=source_status)
    finding = make_finding(source=source, status=finding_status, text="Umber drills lag.")
    finding.provisions.add(provision)
    finding.agreements.add(agreement)
    return Shown(
        finding if finding_status == DRAFT else source,
        pages=[
            ("/directives/umber-plan/", "Umber drills lag."),
            ("/directives/umber-plan/p1/", "Umber drills lag."),
            ("/agreements/umber-accord/", "Umber drills lag."),
        ],
        api=[
            (f"/api/v1/provisions/{provision.pk}/", "findings", finding.pk),
            ("/api/v1/agreements/umber-accord/", "findings", finding.pk),
        ],
        exports=[
            ("provisions", provision.pk, "findings", finding.pk),
            ("agreements", "umber-accord", "findings", finding.pk),
        ],
    )


def a_draft_finding():
    shown = a_finding_on_a_provision_and_an_agreement(finding_status=DRAFT, source_status=PUBLISHED)
    finding = shown.draft
    shown.pages.append(("/sources/umber-review/", "Umber drills lag."))
    shown.api.append(("/api/v1/sources/umber-review/", "findings", finding.pk))
    shown.exports.append(("sources", "umber-review", "findings", finding.pk))
    return shown


def a_published_finding_of_a_draft_source():
    return a_finding_on_a_provision_and_an_agreement(finding_status=PUBLISHED, source_status=DRAFT)


def a_draft_mechanism():
    nepal = make_country()
    draft = make_mechanism(name="Ochre Ridge compact", slug="ochre-compact", status=DRAFT)
    draft.member_countries.add(nepal)
    make_agreement(slug="ochre-accord", mechanism=draft)
    return Shown(
        draft,
        pages=[
            ("/agreements/ochre-accord/", "Ochre Ridge compact"),
            ("/countries/np/", "Ochre Ridge compact"),
        ],
        api=[
            ("/api/v1/agreements/ochre-accord/", "mechanism", draft.slug),
            ("/api/v1/countries/np/", "mechanisms", draft.slug),
        ],
        exports=[
            ("agreements", "ochre-accord", "mechanism", draft.slug),
            ("countries", "np", "mechanisms", draft.slug),
        ],
    )


DRAFT_ENDS = [
    a_draft_agreement,
    a_draft_directive,
    a_draft_source,
    a_draft_finding,
    a_published_finding_of_a_draft_source,
    a_draft_mechanism,
]


def page_text(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def values_of(cell):
    """A field's values as text, whether read from JSON (a list, a list of link
    records, a single value) or from a CSV cell ("a; b", or JSON for records)."""
    if isinstance(cell, str) and cell.startswith("[{"):
        cell = json.loads(cell)
    elif isinstance(cell, str):
        cell = cell.split(LIST_SEPARATOR) if cell else []
    elif not isinstance(cell, list):
        cell = [cell]
    return [str(item["target"] if isinstance(item, dict) else item) for item in cell]


def export_rows(client, collection, file_format):
    response = client.get(f"/export/{collection}.{file_format}")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    if file_format == "csv":
        return list(csv.DictReader(io.StringIO(text)))
    return [json.loads(line) for line in text.splitlines()]


def export_cell(client, collection, file_format, key, name):
    for row in export_rows(client, collection, file_format):
        if str(key) in (str(row.get("slug")), str(row.get("id")), str(row.get("code"))):
            return row[name]
    raise AssertionError(f"No row {key} in {collection}.{file_format}")


def where_shown(client, shown):
    """{surface: whether the draft end shows there}, for every surface of `shown`."""
    cache.clear()  # rendered citations are cached per day
    seen = {}
    for path, text in shown.pages:
        seen[(path, text)] = text in page_text(client, path)
    for path, name, value in shown.api:
        seen[(path, name, value)] = str(value) in values_of(client.get(path).json()[name])
    for collection, key, name, value in shown.exports:
        for file_format in ("csv", "jsonl"):
            cell = export_cell(client, collection, file_format, key, name)
            seen[(collection, file_format, key, name)] = str(value) in values_of(cell)
    return seen


@pytest.mark.parametrize("build", DRAFT_ENDS, ids=lambda build: build.__name__)
def test_a_link_to_a_draft_is_on_no_public_surface_until_the_draft_is_published(client, build):
    shown = build()
    leaks = [surface for surface, present in where_shown(client, shown).items() if present]
    assert not leaks
    shown.draft.status = PUBLISHED
    shown.draft.save()
    missing = [surface for surface, present in where_shown(client, shown).items() if not present]
    assert not missing


# --- An editor's preview ------------------------------------------------------------


def test_a_preview_lists_the_links_that_publishing_the_entry_would_make_public(editor_client):
    draft = make_directive(slug="draft-plan", provisions=1, status=DRAFT)
    AgreementLink.objects.create(
        agreement=make_agreement(title="Published accord"), provision=draft.provisions.get()
    )
    AgreementLink.objects.create(
        agreement=make_agreement(title="Unpublished accord", status=DRAFT), directive=draft
    )
    for title, status in (("Published neighbour", PUBLISHED), ("Unpublished neighbour", DRAFT)):
        DirectiveRelation.objects.create(
            from_directive=draft,
            kind=DirectiveRelation.Kind.CITES,
            to_directive=make_directive(title=title, status=status),
        )
    page = page_text(editor_client, draft.get_absolute_url())
    assert "Preview" in page
    assert "Published accord" in page and "Published neighbour" in page
    assert "Unpublished accord" not in page and "Unpublished neighbour" not in page
    provision_page = page_text(editor_client, f"{draft.get_absolute_url()}p1/")
    assert "Published accord" in provision_page

    agreement = make_agreement(slug="draft-accord", status=DRAFT)
    AgreementLink.objects.create(
        agreement=agreement, directive=make_directive(title="Published plan")
    )
    AgreementLink.objects.create(
        agreement=agreement, directive=make_directive(title="Unpublished plan", status=DRAFT)
    )
    page = page_text(editor_client, agreement.get_absolute_url())
    assert "Published plan" in page and "Unpublished plan" not in page

    source = make_source(slug="draft-review", status=DRAFT)
    make_finding(source=source, text="Drills were held on time.")
    make_finding(source=source, text="Drills were cancelled.", status=DRAFT)
    page = page_text(editor_client, source.get_absolute_url())
    assert "Drills were held on time." in page and "Drills were cancelled." not in page
