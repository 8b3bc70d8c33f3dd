"""The entry types of cooperation: agreements and the mechanisms they set up."""

from django.utils.translation import gettext_lazy as _

from core.csl import SITE_NAME, date_parts
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
    }


def mechanism_item(mechanism):
    return {
        "id": f"mechanism-{mechanism.slug}",
        "type": "webpage",
        "title": mechanism.name,
        "container-title": SITE_NAME,
        "issued": date_parts(mechanism.established_on, mechanism.date_precision),
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
)
