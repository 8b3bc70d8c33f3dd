"""One rule for what is public (core.models.Publishable): an entry is public when it
is published and so is everything it is published with; a link between entries
(an agreement's link to a directive or provision, a relation between directives) is
public only when both its ends are."""

import pytest

from cooperation.models import AgreementLink
from core.models import Status
from core.registry import registry
from policies.models import DirectiveRelation
from tests.builders import (
    make_agreement,
    make_country,
    make_directive,
    make_finding,
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
