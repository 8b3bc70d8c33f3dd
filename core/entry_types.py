"""The entry types the kernel's own models make: sources."""

from django.utils.translation import gettext_lazy as _

from core.csl import DATE_BASIS, UPDATED, date_parts
from core.import_spec import Importer, InlineRows, Link
from core.models import Source
from core.registry import EntryType
from core.text import clean_text

SOURCE_CSL_TYPES = {
    Source.Kind.NEWS_REPORT: "article-newspaper",
    Source.Kind.JOURNAL_ARTICLE: "article-journal",
    Source.Kind.OFFICIAL_TEXT: "document",
    Source.Kind.SPEECH_RECORD: "speech",
    Source.Kind.REPORT: "report",
    Source.Kind.BOOK: "book",
    Source.Kind.WEB_PAGE: "webpage",
    Source.Kind.OTHER: "document",
}


def source_authors(source):
    return [
        {"literal": author.literal_name}
        if author.literal_name
        else {"family": author.family_name, "given": author.given_name}
        for author in source.authors.all()
    ]


def source_item(source):
    """What is known of the source itself: its address only if the source has one of its
    own (never emgov's), and no original-language title (APA would print it as "Original
    work published as ...")."""
    item = {
        "id": f"source-{source.slug}",
        "type": SOURCE_CSL_TYPES.get(source.kind, "document"),
        "title": source.title,
        "author": source_authors(source),
        "container-title": source.outlet,
        "publisher": source.publisher,
        "volume": source.volume,
        "issue": source.issue,
        "page": source.pages,
        "issued": date_parts(source.published_on, source.date_precision),
        "language": source.language,
    }
    if source.updated_on:
        item[UPDATED] = date_parts(source.updated_on)
    if source.date_basis != "stated" and source.published_on:
        item[DATE_BASIS] = {"basis": source.date_basis, "note": source.date_basis_note}
    if source.identifier.startswith("10."):
        item["DOI"] = source.identifier
    if source.url:
        item["URL"] = source.url
        item["accessed"] = date_parts(source.accessed_on)
    return item


def source_document(source, links):
    return {
        "title": source.title,
        "keywords": clean_text(
            *(str(author) for author in source.authors.all()),
            source.outlet,
            source.publisher,
            source.identifier,
            *links.tag_names,
        ),
        "body": clean_text(source.abstract, source.note),
        "original": clean_text(source.title_original),
        "original_language": source.language,
        "date": source.published_on,
        "date_precision": source.date_precision,
    }


SOURCES = EntryType(
    key="sources",
    label=_("Sources"),
    model_label="core.Source",
    order=60,
    prefetch_related=("authors",),
    on_timeline=True,
    search_document=source_document,
    search_prefetch_related=("authors",),
    repeated_by=("findings",),
    csl_item=source_item,
    # A source cites nothing: it is what the other entries cite.
    importer=Importer(
        fields=(
            "title",
            "title_original",
            "kind",
            "outlet",
            "publisher",
            "institution",
            "volume",
            "issue",
            "pages",
            "published_on",
            "date_precision",
            "date_basis",
            "date_basis_note",
            "updated_on",
            "url",
            "archived_url",
            "accessed_on",
            "language",
            "identifier",
            "abstract",
            "note",
        ),
        links={"themes": Link("themes")},
        tags=True,
        inline=(
            InlineRows(
                column="authors",
                key=("position",),
                fields=("family_name", "given_name", "literal_name"),
                positional=True,
            ),
        ),
    ),
)
