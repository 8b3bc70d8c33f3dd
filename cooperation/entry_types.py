"""The entry types of cooperation: agreements and the mechanisms they set up."""

from django.utils.translation import gettext_lazy as _

from cooperation.importing import read_agreement_link
from core.csl import RECORD_ONLY, date_parts
from core.import_spec import Importer, InlineRows, Link
from core.registry import EntryType
from core.text import clean_text


def agreement_item(agreement):
    parties = [{"literal": country.name} for country in agreement.party_countries.all()]
    parties += [{"literal": org.name} for org in agreement.party_organizations.all()]
    return {
        "id": f"agreement-{agreement.slug}",
        "type": "treaty",
        "title": agreement.title,
        "author": parties,
        "issued": date_parts(agreement.signed_on),
        "genre": agreement.get_kind_display(),
        # Only the agreement's own address, never emgov's.
        "URL": agreement.url,
    }


def mechanism_item(mechanism):
    """A mechanism is not a work: what is cited is emgov's record of it, dated by its last
    change (citations.entries builds the record)."""
    return {
        "id": f"mechanism-{mechanism.slug}",
        "type": "webpage",
        "title": mechanism.name,
        RECORD_ONLY: True,
    }


def agreement_document(agreement, links):
    mechanism = agreement.mechanism
    return {
        "title": agreement.title,
        "keywords": clean_text(
            # An unpublished mechanism's name is not public, even as a keyword.
            mechanism.name if mechanism and mechanism.is_published else "",
            *links.country_names,
            *links.organizations,
            *links.tag_names,
        ),
        "body": clean_text(agreement.summary),
        "original": clean_text(agreement.title_original),
        "date": agreement.signed_on,
    }


def mechanism_document(mechanism, links):
    return {
        "title": mechanism.name,
        "keywords": clean_text(*links.country_names, *links.organizations, *links.tag_names),
        "body": clean_text(mechanism.description),
        "original": clean_text(mechanism.name_original),
        "date": mechanism.established_on,
        "date_precision": mechanism.date_precision,
    }


AGREEMENTS = EntryType(
    key="agreements",
    label=_("Agreements"),
    model_label="cooperation.Agreement",
    order=30,
    prefetch_related=("party_countries",),
    on_timeline=True,
    search_document=agreement_document,
    search_select_related=("mechanism",),
    csl_item=agreement_item,
    importer=Importer(
        fields=(
            "title",
            "title_original",
            "kind",
            "agreement_status",
            "signed_on",
            "date_basis",
            "date_basis_note",
            "in_force_on",
            "expires_on",
            "summary",
            "url",
        ),
        links={
            "mechanism": Link("mechanism"),
            "parties": Link("party_countries", key="code"),
            # The exports' name for the same column.
            "party_countries": Link("party_countries", key="code"),
            "party_organizations": Link("party_organizations"),
            "themes": Link("themes"),
            "sources": Link("sources"),
        },
        tags=True,
        inline=(
            InlineRows(
                column="links",
                key=("directive_id", "provision_id"),
                fields=("kind", "note"),
                read=read_agreement_link,
            ),
        ),
        cites="sources",
    ),
)

MECHANISMS = EntryType(
    key="mechanisms",
    label=_("Mechanisms"),
    model_label="cooperation.Mechanism",
    order=40,
    on_timeline=True,
    search_document=mechanism_document,
    repeated_by=("agreements",),
    csl_item=mechanism_item,
    importer=Importer(
        fields=(
            "name",
            "name_original",
            "attested_as",
            "description",
            "established_on",
            "date_precision",
            "date_basis",
            "date_basis_note",
            "url",
        ),
        links={
            "member_countries": Link("member_countries", key="code"),
            "member_organizations": Link("member_organizations"),
            "themes": Link("themes"),
            "sources": Link("sources"),
        },
        tags=True,
        cites="sources",
    ),
)
