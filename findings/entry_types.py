"""The entry type of findings: what a source states, point by point."""

from django.utils.translation import gettext_lazy as _

from core.import_spec import Importer, Link
from core.registry import EntryType, parent_address
from core.text import clean_text, short


def finding_document(finding, links):
    source = finding.source
    return {
        "title": short(finding.text),
        "keywords": clean_text(finding.get_kind_display(), *links.tag_names),
        "body": clean_text(finding.text),
        "original": clean_text(finding.text_original),
        "number": finding.number,
        "parent_title": source.title,
        "parent_url": parent_address(source),
        "date": source.published_on,
        "date_precision": source.date_precision,
    }


FINDINGS = EntryType(
    key="findings",
    label=_("Findings"),
    model_label="findings.Finding",
    order=50,
    has_page=False,
    select_related=("source",),
    search_document=finding_document,
    search_prefetch_related=("source",),
    # A finding has no slug: it is the source's finding number N.
    importer=Importer(
        match=("source", "number"),
        fields=("kind", "text", "text_original", "pinpoint"),
        links={
            "source": Link("source"),
            "agreements": Link("agreements"),
            "themes": Link("themes"),
        },
        tags=True,
        cites="source",
    ),
)
