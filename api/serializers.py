"""What the public API and the bulk exports say about each collection.

Each serializer also knows its public queryset: published rows only, with every
linked item it lists loaded up front, so a page of a hundred rows costs the same
few queries as a page of one. Linked items that have a workflow of their own are
prefetched through ``published()`` into ``public_*`` attributes; a field reads only
those, so a missing prefetch fails loudly instead of leaking a draft."""

from operator import attrgetter

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cooperation.models import Agreement, AgreementLink, Mechanism
from core.models import Country, Source, Theme
from core.registry import parent_address
from findings.models import Finding
from policies.models import Directive, Provision


@extend_schema_field(OpenApiTypes.URI)
class PermalinkField(serializers.Field):
    """The absolute address of the item's public page."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Address of the item's page on this site."))
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return self.context["request"].build_absolute_uri(value.get_absolute_url())


class LinkedKeys(serializers.Field):
    """Linked items, each given by the key that addresses it in this API (a slug,
    an id or a country code), once each, in their own order."""

    def __init__(self, key="slug", **kwargs):
        # An attribute path ("agreement.slug") or a function of the item.
        self.key = key if callable(key) else attrgetter(key)
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        items = value.all() if hasattr(value, "all") else value
        return list(dict.fromkeys(self.key(item) for item in items))


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class LinkedSlugs(LinkedKeys):
    pass


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class LinkedIds(LinkedKeys):
    def __init__(self, key="pk", **kwargs):
        super().__init__(key=key, **kwargs)


def country_key(country):
    return country.code.lower()


ENTRY_DATES = ("published_at", "updated_at")


def tag_list():
    """Each entry's tags into `tag_list`: prefetched into the manager, django-taggit
    builds a queryset of its own for each entry first (3 ms a page of twenty)."""
    return Prefetch("tags", to_attr="tag_list")


class EntrySerializer(serializers.ModelSerializer):
    """What every curated entry has: a page, themes and tags (its queryset prefetches
    them with tag_list())."""

    permalink = PermalinkField()
    themes = LinkedSlugs(help_text=_("Slugs of its themes (see themes)."))
    tags = LinkedSlugs(source="tag_list", help_text=_("Slugs of its tags, as in ?tag=."))


class ThemeSerializer(serializers.ModelSerializer):
    permalink = PermalinkField()
    parent = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text=_("Slug of the theme above it, if any."),
    )
    children = LinkedSlugs(help_text=_("Slugs of the themes directly below it."))
    source = serializers.SerializerMethodField(
        help_text=_("Slug of the published source the theme is drawn from, if any.")
    )

    class Meta:
        model = Theme
        fields = [
            "id",
            "slug",
            "permalink",
            "name",
            "name_zh",
            "description",
            "parent",
            "children",
            "order",
            "source",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_source(self, theme):
        return theme.source.slug if theme.source and theme.source.is_published else ""

    @staticmethod
    def public_queryset():
        # Themes are reference data: all of them are public.
        return (
            Theme.objects.published()
            .select_related("parent", "source")
            .prefetch_related("children")
        )


@extend_schema_field(OpenApiTypes.URI)
class EmbeddedPermalinkField(PermalinkField):
    """A provision's address inside its directive's row: under the directive's, which
    is reversed once for the row rather than once for each of its provisions."""

    def to_representation(self, value):
        return self.context["request"].build_absolute_uri(
            value.address_under(parent_address(value.directive))
        )


class EmbeddedProvisionSerializer(serializers.ModelSerializer):
    """A provision inside its directive's row, in the shape the bulk import reads, so
    an exported directives file can be edited and imported back."""

    permalink = EmbeddedPermalinkField()

    class Meta:
        model = Provision
        fields = [
            "id",
            "number",
            "permalink",
            "heading",
            "heading_original",
            "text",
            "text_original",
            "source_locator",
        ]

    # The fields' own values are plain (two numbers and five texts that are never
    # null): written out here, as each field would give it, a page of twenty directives
    # does not pay DRF's per-field work for its two hundred provisions.
    TEXTS = ("heading", "heading_original", "text", "text_original", "source_locator")

    def to_representation(self, instance):
        row = {
            "id": instance.pk,
            "number": instance.number,
            "permalink": self.fields["permalink"].to_representation(instance),
        }
        row.update((name, str(getattr(instance, name))) for name in self.TEXTS)
        return {name: row[name] for name in self.Meta.fields}


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "target": {"type": "string"},
                "kind": {"type": "string", "enum": list(AgreementLink.Kind.values)},
                "note": {"type": "string"},
            },
        },
    }
)
class AgreementLinksField(serializers.Field):
    """The directives and points an agreement answers, as the bulk import reads them:
    {"target": "directive-slug" or "directive-slug#pN", "kind": ..., "note": ...}."""

    def __init__(self, **kwargs):
        super().__init__(source="public_links", read_only=True, **kwargs)

    def to_representation(self, links):
        return [
            {
                "target": link.directive.slug
                + (f"#p{link.provision.number}" if link.provision_id else ""),
                "kind": link.kind,
                "note": link.note,
            }
            for link in links
        ]


class DirectiveSerializer(EntrySerializer):
    issuing_body = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text=_("Slug of the issuing body, as in ?body=."),
    )
    issuing_body_name = serializers.CharField(
        source="issuing_body.name", read_only=True, allow_null=True, label=_("issuing body")
    )
    provisions = EmbeddedProvisionSerializer(
        many=True,
        read_only=True,
        help_text=_("Its provisions in order, each with its id, number, permalink and text."),
    )
    sources = LinkedSlugs(source="public_sources", help_text=_("Slugs of its sources."))
    agreements = LinkedSlugs(
        key="agreement.slug",
        source="public_agreement_links",
        help_text=_("Slugs of the agreements that respond to it or to one of its provisions."),
    )

    class Meta:
        model = Directive
        fields = [
            "id",
            "slug",
            "permalink",
            "title",
            "title_original",
            "original_language",
            "kind",
            "issuing_body",
            "issuing_body_name",
            "speaker",
            "speaker_role",
            "occasion",
            "date",
            "date_precision",
            "summary",
            "summary_original",
            "themes",
            "tags",
            "provisions",
            "sources",
            "agreements",
            *ENTRY_DATES,
            "date_basis",
            "date_basis_note",
            "points_are",
            "speaker_family_name",
        ]

    @staticmethod
    def public_queryset():
        return (
            Directive.objects.published()
            .select_related("issuing_body")
            .prefetch_related(
                "themes",
                tag_list(),
                "provisions",
                Prefetch("sources", Source.objects.published(), to_attr="public_sources"),
                Prefetch(
                    "agreement_links",
                    AgreementLink.objects.published().select_related("agreement"),
                    to_attr="public_agreement_links",
                ),
            )
        )


class ProvisionSerializer(EntrySerializer):
    directive = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text=_("Slug of the directive it belongs to.")
    )
    label = serializers.CharField(
        read_only=True, help_text=_("Its anchor on the directive's page: p<number>.")
    )
    agreements = LinkedSlugs(
        key="agreement.slug",
        source="public_agreement_links",
        help_text=_("Slugs of the agreements that respond to this provision."),
    )
    findings = LinkedIds(source="public_findings", help_text=_("Ids of findings about it."))

    class Meta:
        model = Provision
        fields = [
            "id",
            "permalink",
            "directive",
            "number",
            "label",
            "heading",
            "heading_original",
            "text",
            "text_original",
            "source_locator",
            "themes",
            "tags",
            "agreements",
            "findings",
        ]

    @staticmethod
    def public_queryset():
        return (
            Provision.objects.published()
            .select_related("directive")
            .prefetch_related(
                "themes",
                tag_list(),
                Prefetch(
                    "agreement_links",
                    AgreementLink.objects.published().select_related("agreement"),
                    to_attr="public_agreement_links",
                ),
                Prefetch("findings", Finding.objects.published(), to_attr="public_findings"),
            )
        )


class AgreementSerializer(EntrySerializer):
    party_countries = LinkedSlugs(
        key=country_key, help_text=_("Lower-case ISO 3166-1 codes of the party countries.")
    )
    party_organizations = LinkedSlugs(help_text=_("Slugs of the party organizations."))
    mechanism = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text=_("Slug of the mechanism it was made under, if any."),
    )
    directives = LinkedSlugs(
        key="directive.slug",
        source="public_links",
        help_text=_("Slugs of the directives it responds to or implements."),
    )
    provisions = LinkedIds(
        key="provision_id",
        source="public_provision_links",
        help_text=_("Ids of the single provisions it responds to or implements."),
    )
    links = AgreementLinksField(
        help_text=_("What it responds to or implements: directive-slug or directive-slug#pN.")
    )
    findings = LinkedIds(source="public_findings", help_text=_("Ids of findings about it."))
    sources = LinkedSlugs(source="public_sources", help_text=_("Slugs of its sources."))

    class Meta:
        model = Agreement
        fields = [
            "id",
            "slug",
            "permalink",
            "title",
            "title_original",
            "kind",
            "agreement_status",
            "party_countries",
            "party_organizations",
            "signed_on",
            "in_force_on",
            "expires_on",
            "mechanism",
            "summary",
            "url",
            "directives",
            "provisions",
            "links",
            "findings",
            "sources",
            "themes",
            "tags",
            *ENTRY_DATES,
            "date_basis",
            "date_basis_note",
        ]

    @staticmethod
    def public_queryset():
        links = AgreementLink.objects.published()
        return Agreement.objects.published().prefetch_related(
            "party_countries",
            "party_organizations",
            "themes",
            tag_list(),
            # A forward foreign key prefetched through published(): a draft
            # mechanism reads as None.
            Prefetch("mechanism", Mechanism.objects.published()),
            Prefetch(
                "links", links.select_related("directive", "provision"), to_attr="public_links"
            ),
            Prefetch(
                "links",
                links.filter(provision__isnull=False).select_related("provision"),
                to_attr="public_provision_links",
            ),
            Prefetch("findings", Finding.objects.published(), to_attr="public_findings"),
            Prefetch("sources", Source.objects.published(), to_attr="public_sources"),
        )


class MechanismSerializer(EntrySerializer):
    member_countries = LinkedSlugs(
        key=country_key, help_text=_("Lower-case ISO 3166-1 codes of the member countries.")
    )
    member_organizations = LinkedSlugs(
        key="name", help_text=_("Names of the member organizations.")
    )
    agreements = LinkedSlugs(
        source="public_agreements", help_text=_("Slugs of the agreements made under it.")
    )
    sources = LinkedSlugs(source="public_sources", help_text=_("Slugs of its sources."))

    class Meta:
        model = Mechanism
        fields = [
            "id",
            "slug",
            "permalink",
            "name",
            "name_original",
            "description",
            "established_on",
            "date_precision",
            "member_countries",
            "member_organizations",
            "url",
            "agreements",
            "sources",
            "themes",
            "tags",
            *ENTRY_DATES,
            "date_basis",
            "date_basis_note",
            "attested_as",
        ]

    @staticmethod
    def public_queryset():
        return Mechanism.objects.published().prefetch_related(
            "member_countries",
            "member_organizations",
            "themes",
            tag_list(),
            Prefetch("agreements", Agreement.objects.published(), to_attr="public_agreements"),
            Prefetch("sources", Source.objects.published(), to_attr="public_sources"),
        )


class CountrySerializer(serializers.ModelSerializer):
    code = serializers.SerializerMethodField(
        help_text=_("ISO 3166-1 alpha-2 code, lower case, as in the page address.")
    )
    permalink = PermalinkField()
    agreements = LinkedSlugs(
        source="public_agreements", help_text=_("Slugs of the agreements it is a party to.")
    )
    mechanisms = LinkedSlugs(
        source="public_mechanisms", help_text=_("Slugs of the mechanisms it is a member of.")
    )

    class Meta:
        model = Country
        fields = [
            "code",
            "permalink",
            "name",
            "official_name",
            "region",
            "subregion",
            "bri_partner_since",
            "agreements",
            "mechanisms",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_code(self, country):
        return country_key(country)

    @staticmethod
    def public_queryset():
        # Countries are reference data: all of them are public, with published links.
        return Country.objects.published().prefetch_related(
            Prefetch("agreements", Agreement.objects.published(), to_attr="public_agreements"),
            Prefetch("mechanisms", Mechanism.objects.published(), to_attr="public_mechanisms"),
        )


def author_name(author):
    """ "Family, Given" for a person, the name itself for an institution."""
    if author.literal_name:
        return author.literal_name
    return ", ".join(part for part in (author.family_name, author.given_name) if part)


# What abstract_rights says of a source with an abstract: the only third-party text
# the collections carry whole, quoted as its publisher gives it.
ABSTRACT_RIGHTS = (
    "Quoted from the work as published: third-party text that keeps its authors' and "
    "publisher's rights, not under CC BY 4.0."
)


class SourceSerializer(EntrySerializer):
    abstract_rights = serializers.SerializerMethodField(
        help_text=_(
            "For a source with an abstract: that the abstract is quoted from the work as "
            "published, third-party text under its authors' and publisher's rights, not "
            "under CC BY 4.0. Empty without an abstract."
        )
    )
    authors = LinkedSlugs(
        key=author_name,
        help_text=_("Its authors in order: “Family, Given” for people, or an institution."),
    )
    findings = LinkedIds(
        source="public_findings", help_text=_("Ids of the findings drawn from it.")
    )

    class Meta:
        model = Source
        fields = [
            "id",
            "slug",
            "permalink",
            "title",
            "title_original",
            "kind",
            "authors",
            "outlet",
            "publisher",
            "institution",
            "volume",
            "issue",
            "pages",
            "published_on",
            "date_precision",
            "url",
            "archived_url",
            "accessed_on",
            "language",
            "identifier",
            "abstract",
            "note",
            "findings",
            "themes",
            "tags",
            *ENTRY_DATES,
            "abstract_rights",
            "date_basis",
            "date_basis_note",
            "updated_on",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_abstract_rights(self, source):
        return ABSTRACT_RIGHTS if source.abstract else ""

    @staticmethod
    def public_queryset():
        return Source.objects.published().prefetch_related(
            "authors",
            "themes",
            tag_list(),
            Prefetch("findings", Finding.objects.published(), to_attr="public_findings"),
        )


class FindingSerializer(EntrySerializer):
    source = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text=_("Slug of the source it is drawn from.")
    )
    label = serializers.CharField(
        read_only=True, help_text=_("Its anchor on the source's page: f<number>.")
    )
    provisions = LinkedIds(
        source="public_provisions", help_text=_("Ids of the provisions it bears on.")
    )
    agreements = LinkedSlugs(
        source="public_agreements", help_text=_("Slugs of the agreements it bears on.")
    )

    class Meta:
        model = Finding
        fields = [
            "id",
            "permalink",
            "source",
            "number",
            "label",
            "kind",
            "text",
            "text_original",
            "pinpoint",
            "provisions",
            "agreements",
            "themes",
            "tags",
            *ENTRY_DATES,
        ]

    @staticmethod
    def public_queryset():
        return (
            Finding.objects.published()
            .select_related("source")
            .prefetch_related(
                "themes",
                tag_list(),
                Prefetch("provisions", Provision.objects.published(), to_attr="public_provisions"),
                Prefetch("agreements", Agreement.objects.published(), to_attr="public_agreements"),
            )
        )
