"""The rules the database itself enforces, and the links read both ways."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import translation

from cooperation.models import Agreement, AgreementLink
from core.models import Country, DatePrecision, SourceAuthor, Status, Theme, format_partial_date
from policies.models import Directive, DirectiveRelation, Provision
from tests.builders import (
    make_agreement,
    make_country,
    make_directive,
    make_finding,
    make_mechanism,
    make_organization,
    make_provision,
    make_source,
    make_theme,
)

pytestmark = pytest.mark.django_db


def test_provision_numbers_are_unique_within_a_directive():
    directive = make_directive(provisions=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Provision.objects.create(directive=directive, number=1, text="again")
    # ... but the same number in another directive is fine.
    make_provision(make_directive(), number=1)


def test_duplicate_provision_number_is_a_plain_words_form_error():
    directive = make_directive(provisions=1)
    with pytest.raises(ValidationError, match="already has a provision with that number"):
        Provision(directive=directive, number=1, text="again").full_clean()


def test_slugs_are_unique_and_lower_case_ascii():
    make_directive(slug="xi-2019")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_directive(slug="xi-2019")
    for bad in ["Xi-2019", "xi 2019", "应急管理", "xi--2019"]:
        with pytest.raises(ValidationError) as caught:
            Directive(slug=bad, title="t", kind="law").full_clean()
        assert "slug" in caught.value.message_dict


@pytest.mark.parametrize(
    ("signed", "in_force", "expires"),
    [
        (datetime.date(2020, 5, 1), datetime.date(2020, 4, 1), None),
        (None, datetime.date(2020, 5, 1), datetime.date(2020, 4, 1)),
        (datetime.date(2020, 5, 1), None, datetime.date(2020, 4, 1)),
    ],
)
def test_agreement_dates_cannot_run_backwards(signed, in_force, expires):
    agreement = Agreement(
        title="t", slug="t", kind="mou", signed_on=signed, in_force_on=in_force, expires_on=expires
    )
    with pytest.raises(ValidationError):
        agreement.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        agreement.save()


def test_agreement_dates_in_order_are_accepted():
    make_agreement(
        signed_on=datetime.date(2020, 1, 1),
        in_force_on=datetime.date(2020, 2, 1),
        expires_on=datetime.date(2025, 2, 1),
    ).full_clean()


def test_agreement_link_needs_a_target_and_fills_in_the_directive():
    agreement = make_agreement()
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementLink.objects.create(agreement=agreement)
    provision = make_provision()
    link = AgreementLink.objects.create(agreement=agreement, provision=provision)
    assert link.directive == provision.directive


def test_agreement_link_to_a_provision_of_another_directive_is_refused():
    provision = make_provision()
    link = AgreementLink(
        agreement=make_agreement(), directive=make_directive(), provision=provision
    )
    with pytest.raises(ValidationError, match="different directive"):
        link.full_clean()


def test_an_agreement_links_to_a_provision_once():
    provision = make_provision()
    agreement = make_agreement(provisions=[provision])
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementLink.objects.create(agreement=agreement, provision=provision)


def test_directive_cannot_relate_to_itself():
    directive = make_directive()
    with pytest.raises(IntegrityError), transaction.atomic():
        DirectiveRelation.objects.create(
            from_directive=directive, to_directive=directive, kind="cites"
        )


def test_theme_cannot_sit_under_its_own_descendant():
    parent = make_theme()
    child = make_theme(parent=parent)
    parent.parent = child
    with pytest.raises(ValidationError, match="cannot sit under itself"):
        parent.full_clean()


def test_source_author_needs_a_name_and_a_free_position():
    source = make_source()
    SourceAuthor.objects.create(source=source, position=1, family_name="Xu", given_name="Qian")
    with pytest.raises(IntegrityError), transaction.atomic():
        SourceAuthor.objects.create(source=source, position=1, family_name="Meng")
    with pytest.raises(IntegrityError), transaction.atomic():
        SourceAuthor.objects.create(source=source, position=2)


def test_partnership_date_requires_a_source():
    country = Country(code="LA", name="Laos", bri_partner_since=datetime.date(2016, 9, 8))
    with pytest.raises(ValidationError, match="needs a source"):
        country.full_clean()


def test_deleting_a_theme_in_use_is_refused_and_keeps_the_links():
    theme = make_theme()
    directive = make_directive(themes=[theme])
    with pytest.raises(ProtectedError, match="entries still use it"), transaction.atomic():
        theme.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        Theme.objects.filter(pk=theme.pk).delete()  # the admin's bulk delete path
    assert list(directive.themes.all()) == [theme]
    parent = make_theme()
    make_theme(parent=parent)
    with pytest.raises(ProtectedError):
        parent.delete()


def test_an_unused_theme_can_be_deleted():
    theme = make_theme()
    theme.delete()
    assert not Theme.objects.filter(pk=theme.pk).exists()


def test_deleting_a_used_source_organization_or_country_is_refused():
    source = make_source()
    make_finding(source=source)
    with pytest.raises(ProtectedError):
        source.delete()
    cited = make_source()
    make_directive().sources.add(cited)
    with pytest.raises(ProtectedError), transaction.atomic():
        cited.delete()
    organization = make_organization()
    make_directive(issuing_body=organization)
    with pytest.raises(ProtectedError):
        organization.delete()
    country = make_country()
    make_organization(country=country)
    with pytest.raises(ProtectedError):
        country.delete()
    party = make_country(code="LA", name="Laos")
    make_agreement(countries=[party])
    with pytest.raises(ProtectedError), transaction.atomic():
        party.delete()


def test_relations_read_both_ways():
    theme = make_theme()
    directive = make_directive(themes=[theme], provisions=2)
    provision = directive.provisions.get(number=2)
    nepal = make_country()
    mechanism = make_mechanism()
    mechanism.member_countries.add(nepal)
    agreement = make_agreement(countries=[nepal], provisions=[provision], mechanism=mechanism)
    source = make_source()
    finding = make_finding(source=source)
    finding.provisions.add(provision)
    finding.agreements.add(agreement)
    directive.sources.add(source)

    assert list(provision.agreement_links.values_list("agreement", flat=True)) == [agreement.pk]
    assert [link.provision for link in agreement.links.all()] == [provision]
    assert list(provision.findings.all()) == [finding]
    assert list(finding.provisions.all()) == [provision]
    assert list(agreement.findings.all()) == [finding]
    assert list(nepal.agreements.all()) == [agreement]
    assert list(agreement.party_countries.all()) == [nepal]
    assert list(nepal.mechanisms.all()) == [mechanism]
    assert list(mechanism.agreements.all()) == [agreement]
    assert list(source.directives.all()) == [directive]
    assert list(source.findings.all()) == [finding]
    assert list(theme.directives.all()) == [directive]
    assert list(directive.themes.all()) == [theme]


def test_directive_relations_are_typed_and_read_both_ways():
    law = make_directive(title="Emergency Response Law")
    plan = make_directive(title="Plan")
    DirectiveRelation.objects.create(from_directive=plan, kind="implements", to_directive=law)
    assert [r.to_directive for r in plan.outgoing_relations.all()] == [law]
    assert [r.from_directive for r in law.incoming_relations.all()] == [plan]
    assert "implements" in str(plan.outgoing_relations.get())


def test_published_querysets_hide_everything_else():
    shown = make_directive(provisions=1)
    for status in [Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN]:
        make_directive(status=status, provisions=1)
    assert list(Directive.objects.published()) == [shown]
    assert list(Provision.objects.published()) == list(shown.provisions.all())


def test_first_publication_time_is_kept():
    directive = make_directive(status=Status.DRAFT)
    assert directive.published_at is None
    directive.status = Status.PUBLISHED
    directive.save()
    first = directive.published_at
    assert first is not None
    directive.save()
    assert directive.published_at == first


def test_provision_permalink_and_label():
    directive = make_directive(slug="xi-2019-emergency-management", provisions=3)
    provision = directive.provisions.get(number=3)
    assert provision.label == "p3"
    assert provision.get_absolute_url() == "/directives/xi-2019-emergency-management/p3/"
    assert str(provision).endswith("point 3")
    # Built on the directive's address, it is still the provision route's, in each language.
    for language in ("en", "zh-hans"):
        with translation.override(language):
            route = reverse("policies:provision", kwargs={"slug": directive.slug, "number": 3})
            assert provision.get_absolute_url() == route


def test_every_model_names_itself_and_has_a_page_address():
    theme = make_theme(name="Rescue forces", slug="rescue-forces")
    assert str(theme) == "Rescue forces"
    assert theme.get_absolute_url() == "/themes/rescue-forces/"
    assert make_country().get_absolute_url() == "/countries/np/"
    assert make_source(slug="a-report").get_absolute_url() == "/sources/a-report/"
    assert make_mechanism(slug="m").get_absolute_url() == "/mechanisms/m/"
    assert make_agreement(slug="a").get_absolute_url() == "/agreements/a/"
    finding = make_finding(source=make_source(slug="paper"), number=4)
    assert finding.get_absolute_url() == "/sources/paper/#f4"


@pytest.mark.parametrize(
    ("precision", "expected"),
    [(DatePrecision.YEAR, "2019"), (DatePrecision.MONTH, "November 2019")],
)
def test_dates_show_no_more_than_is_known(precision, expected):
    assert format_partial_date(datetime.date(2019, 11, 29), precision) == expected


def test_theme_descendants_include_the_whole_subtree():
    root = make_theme()
    child = make_theme(parent=root)
    grandchild = make_theme(parent=child)
    make_theme()  # unrelated
    assert sorted(root.descendant_ids()) == sorted([root.pk, child.pk, grandchild.pk])
    assert Theme.tree().ancestors(child) == [root]
    assert Theme.objects.count() == 4


def test_the_theme_tree_answers_as_the_themes_do_from_one_query(django_assert_num_queries):
    root = make_theme(name="Root")
    second = make_theme(name="A second", parent=root, order=2)
    first = make_theme(name="B first", parent=root, order=1)
    grandchild = make_theme(parent=second)
    make_theme()  # unrelated
    with django_assert_num_queries(1):
        tree = Theme.tree("name")
        assert sorted(tree.subtree_ids(root.pk)) == sorted(
            [root.pk, first.pk, second.pk, grandchild.pk]
        )
        assert tree.subtree_ids(grandchild.pk) == [grandchild.pk]
        assert tree.ancestors(grandchild) == [root, second]
        assert tree.ancestors(root) == []
        # In the themes' own order: by `order` before the name.
        assert [child.name for child in tree.children(root)] == ["B first", "A second"]
        assert tree.children(first) == []


def test_choice_labels_read_as_djangos_own():
    """core.models.ChoiceLabels answers get_FOO_display() by a look-up of its own: the
    label in the active language, and a value that is none of the choices as it is."""
    directive = Directive(kind=Directive.Kind.LAW, date_basis="inferred")
    assert directive.get_kind_display() == "Law"
    assert directive.get_date_basis_display() == "Inferred by emgov from the source"
    with translation.override("zh-hans"):
        assert directive.get_kind_display() == str(Directive.Kind.LAW.label)
        assert directive.get_kind_display() != "Law"
    directive.kind = "repealed-kind"
    assert directive.get_kind_display() == "repealed-kind"
    directive.kind = None
    assert directive.get_kind_display() is None
