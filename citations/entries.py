"""What the site says about an entry when someone cites it: the CSL-JSON item behind
every formatted citation and download, and the metadata reference managers read.

What each type says of its entries is its declaration's `csl_item` (see
core.registry); everything else is read off that one item, so the pages, the
downloads and the meta tags cannot disagree about an author or a date."""

import datetime
import hashlib
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citations import STYLES, Citation, CitationError, render_all
from core.csl import (
    DATE_BASIS,
    RECORD_ONLY,
    RECORD_TITLE,
    REPORTED_IN,
    SITE_NAME,
    UPDATED,
    date_parts,
)
from core.registry import registry

logger = logging.getLogger(__name__)

STYLE_LABELS = {
    "apa": "APA (7th edition)",
    "mla": "MLA (9th edition)",
    "chicago": "Chicago (author-date)",
    "gbt7714": "GB/T 7714-2015",
}


RECORD_GENRE = "Database record"  # APA 7's bracketed format description for a record
WORK_LABEL = _("Cite the work")
REPORTED_WORK_LABEL = _("Cite the remarks, as reported")
RECORD_LABEL = _("Cite this emgov record")
# Between a reported speech's citation and its report's, in every style: CSL has no way
# to cite one work through another, so the two rendered citations are joined.
REPORTED_IN_JOINER = "Reported in:"


@dataclass(frozen=True)
class Cited:
    """What one entry offers to cite. `record` is emgov's record (its page: emgov as author
    and publisher, the permalink, the date it last changed); `work` is the original work
    with only what is known of it (None where the entry is emgov's own record);
    `reported_in` is the report through which the work is known. `primary` is the one the
    downloads and the reference-manager metadata describe."""

    record: dict
    work: dict | None
    reported_in: dict | None
    # How the work's and the report's dates are known (see core.csl): a date the source
    # does not state is not given as its publication date in JSON-LD.
    date_basis: dict | None = None
    updated: dict | None = None
    reported_updated: dict | None = None

    @property
    def primary(self):
        return self.work or self.record


def cited(entry, request, accessed=None):
    """The entry's work and record items (see Cited), read off its type's `csl_item`."""
    accessed = accessed or timezone.localdate()
    item = dict(registry.for_model(entry).csl_item(entry))
    record_title = item.pop(RECORD_TITLE, None)
    reported_in = item.pop(REPORTED_IN, None)
    record_only = item.pop(RECORD_ONLY, False)
    date_basis = item.pop(DATE_BASIS, None)
    updated = item.pop(UPDATED, None)
    reported_updated = None
    if reported_in:
        reported_in = dict(reported_in)
        reported_updated = reported_in.pop(UPDATED, None)
        reported_in.pop(DATE_BASIS, None)
    if date_basis:
        # No style can mark a supplied date: the note says how it was worked out.
        supplied = f"Date {date_basis['basis']} by {SITE_NAME}: {date_basis['note']}".strip()
        item["note"] = " ".join(part for part in (item.get("note", ""), supplied) if part)
    permalink = request.build_absolute_uri(entry.get_absolute_url())
    record = {
        "id": item["id"] if record_only else f"{item['id']}-emgov-record",
        "type": "webpage",
        "title": record_title or item["title"],
        "author": [{"literal": SITE_NAME}],
        "genre": RECORD_GENRE,
        "issued": date_parts(timezone.localdate(last_change(entry))),
        "URL": permalink,
        "accessed": date_parts(accessed),
        "language": "en",
        "note": item.get("note", ""),
    }
    work = None
    if not record_only:
        # The work's own address, if it has one; an access date means nothing without it.
        work = item if item.get("URL") else {**item, "URL": "", "accessed": None}
        work["note"] = " ".join(
            part
            for part in (item.get("note", ""), f"Record held by {SITE_NAME}: {permalink}")
            if part
        )
    return Cited(
        record=_without_empty(record),
        work=_without_empty(work) if work else None,
        reported_in=_without_empty(reported_in) if reported_in else None,
        date_basis=date_basis,
        updated=updated,
        reported_updated=reported_updated,
    )


def csl_item(entry, request, accessed=None, which="primary"):
    """One CSL-JSON item of the entry: its primary item (see Cited) or its record."""
    return getattr(cited(entry, request, accessed), which)


def _without_empty(item):
    # CSL processors treat an empty value as present; leave unknowns out entirely.
    return {key: value for key, value in item.items() if value not in ("", None, [])}


def last_change(entry):
    return registry.for_model(entry).owner(entry).updated_at


def formatted_citations(entry, request):
    """[(group label, [(style label, Citation)])]: the work as it is known (for a reported
    speech, joined to its report), then emgov's record. Rendered once per change and per
    day (the accessed date is part of every citation) rather than on every request."""
    items = cited(entry, request)
    key = (
        "citations:"
        + hashlib.sha256(f"{last_change(entry).isoformat()}|{items}".encode()).hexdigest()
    )
    rendered = cache.get(key)
    if rendered is None:
        try:
            rendered = _render_groups(items)
        except CitationError:
            logger.exception("Could not render citations for %s", items.record["id"])
            return []
        cache.set(key, rendered, timeout=int(datetime.timedelta(days=1).total_seconds()))
    return [
        (label, [(STYLE_LABELS[style], citations[style]) for style in STYLES])
        for label, citations in rendered
    ]


def _render_groups(items):
    groups = []
    if items.work:
        work = render_all(items.work)
        label = WORK_LABEL
        if items.reported_in:
            work = _joined(work, render_all(items.reported_in))
            label = REPORTED_WORK_LABEL
        groups.append((str(label), work))
    groups.append((str(RECORD_LABEL), render_all(items.record)))
    return groups


def _joined(first, second):
    return {
        style: Citation(
            text=f"{first[style].text} {REPORTED_IN_JOINER} {second[style].text}",
            html=f"{first[style].html} {REPORTED_IN_JOINER} {second[style].html}",
        )
        for style in first
    }


def name_text(name):
    if "literal" in name:
        return name["literal"]
    return f"{name['family']}, {name['given']}" if name.get("given") else name["family"]


def date_text(date, separator):
    return separator.join(f"{part:02d}" for part in date["date-parts"][0]) if date else ""


# The Zotero item type each CSL type should become, and the Dublin Core type that says so.
# Zotero's Embedded Metadata translator reads `DC.type` through its RDF translator, which
# takes a Zotero item type name as it is (any other value only as a weak guess, which
# `citation_title` outranks as "journal article"). See docs/citations.md.
ZOTERO_TYPES = {
    "speech": "presentation",
    "article-newspaper": "newspaperArticle",
    "article-journal": "journalArticle",
    "report": "report",
    "book": "book",
    "webpage": "webpage",
    "legislation": "statute",
}
ZOTERO_DEFAULT_TYPE = "document"  # treaties, regulations, official texts
SCHEMA_TYPES = {
    "article-journal": "ScholarlyArticle",
    "article-newspaper": "NewsArticle",
    "report": "Report",
    "book": "Book",
    "webpage": "WebPage",
    "legislation": "Legislation",
    "regulation": "Legislation",
    "treaty": "Legislation",
}


def page_metadata(entry, request, description="", abstract=""):
    """Highwire Press, Dublin Core, PRISM, EPrints and OpenGraph meta tags and a schema.org
    JSON-LD object, all read off the entry's primary item (see Cited), so that a reference
    manager saves the same item the downloads hold.

    `description` is the short text for OpenGraph; `abstract` the full text for
    `citation_abstract` (Zotero's abstract)."""
    items = cited(entry, request)
    item = items.primary
    page_url = request.build_absolute_uri(entry.get_absolute_url())
    zotero_type = ZOTERO_TYPES.get(item["type"], ZOTERO_DEFAULT_TYPE)
    names = item.get("author", [])
    authors = [name_text(name) for name in names]
    issued = item.get("issued")
    outlet = item.get("container-title", "")
    journal = outlet if item["type"] == "article-journal" else ""
    highwire = [("citation_title", item["title"])]
    highwire += [("citation_author", author) for author in authors]
    highwire += [
        ("citation_publication_date", date_text(issued, "/")),
        ("citation_date", date_text(issued, "/")),
        # Only a journal article names a journal: Zotero reads this tag as "journal article".
        ("citation_journal_title", journal),
        ("citation_publisher", item.get("publisher") or item.get("authority", "")),
        ("citation_volume", item.get("volume", "") if journal else ""),
        ("citation_issue", item.get("issue", "") if journal else ""),
        ("citation_doi", item.get("DOI", "")),
        ("citation_language", item.get("language", "")),
        ("citation_abstract", " ".join(abstract.split())),
        # The work's own address where it has one; emgov's page is never given as it.
        ("citation_public_url", item.get("URL", "") if item is items.work else page_url),
        ("citation_abstract_html_url", page_url),
    ]
    dublin_core = [("DC.title", item["title"])]
    dublin_core += [("DC.creator", author) for author in authors]
    dublin_core += [
        ("DC.date", date_text(issued, "-")),
        ("DC.type", zotero_type),
        ("DC.identifier", page_url),
        ("DC.publisher", item.get("publisher", "")),
        ("DC.language", item.get("language", "")),
    ]
    others = []
    if zotero_type == "newspaperArticle":
        others.append(("prism.publicationName", outlet))  # Zotero's "Publication"
    if zotero_type == "presentation":
        # Zotero's "Meeting Name" and "Type" for a presentation.
        others.append(("eprints.event_title", item.get("event-title", "")))
        others.append(("eprints.event_type", item.get("genre", "")))
    opengraph = [
        # "website" makes Zotero save a web page; "article" only hints, below DC.type.
        ("og:type", "website" if zotero_type == "webpage" else "article"),
        ("og:title", item["title"]),
        ("og:url", page_url),
        ("og:site_name", SITE_NAME),
        ("og:description", description),
    ]
    return {
        "meta": [(name, value) for name, value in highwire + dublin_core + others if value],
        "opengraph": [(name, value) for name, value in opengraph if value],
        "jsonld": _jsonld(entry, request, items, page_url, description),
    }


def _jsonld(entry, request, items, page_url, description):
    item = items.primary
    jsonld = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES.get(item["type"], "CreativeWork"),
        "@id": page_url,
        "url": page_url,
        "mainEntityOfPage": page_url,
        "name": item["title"],
        "author": [_schema_name(name) for name in item.get("author", [])],
        "inLanguage": item.get("language", ""),
        "description": description,
    }
    issued = date_text(item.get("issued"), "-")
    if item is items.record:
        jsonld["publisher"] = {"@type": "Organization", "name": SITE_NAME}
        jsonld["dateModified"] = issued
    else:
        # A date emgov inferred or estimated is not the work's stated date of publication.
        if not items.date_basis:
            jsonld["datePublished"] = issued
        jsonld["dateModified"] = date_text(items.updated, "-")
        jsonld["sameAs"] = item.get("URL", "")
    if item["type"] == "speech":
        jsonld["genre"] = item.get("genre", "")
    if item["type"] == "article-newspaper":
        jsonld["headline"] = item["title"]
        if item.get("container-title"):
            outlet = {"@type": "Organization", "name": item["container-title"]}
            jsonld["publisher"] = outlet
            # A report with no byline is the outlet's (as APA and Chicago cite it).
            jsonld["author"] = jsonld["author"] or [outlet]
    if item["type"] == "article-journal" and item.get("container-title"):
        jsonld["isPartOf"] = {"@type": "Periodical", "name": item["container-title"]}
    if items.reported_in:
        report = items.reported_in
        jsonld["subjectOf"] = {
            "@type": "NewsArticle",
            "headline": report["title"],
            "publisher": {"@type": "Organization", "name": report.get("container-title", "")},
            "datePublished": date_text(report.get("issued"), "-"),
            "dateModified": date_text(items.reported_updated, "-"),
            "url": report.get("URL", ""),
        }
    entry_type = registry.for_model(entry)
    if entry_type.parent:
        parent = entry_type.owner(entry)
        jsonld["isPartOf"] = {
            "@type": "WebPage",
            "name": parent.title,
            "url": request.build_absolute_uri(parent.get_absolute_url()),
        }
    if item["type"] in {"legislation", "regulation", "treaty"}:
        jsonld["legislationType"] = item.get("genre") or item["type"]
        jsonld["legislationDate"] = issued
    return _without_empty_deep(jsonld)


def _schema_name(name):
    if "family" in name:
        return {
            "@type": "Person",
            "name": name_text(name),
            "familyName": name["family"],
            "givenName": name.get("given", ""),
        }
    return {"@type": "Organization", "name": name_text(name)}


def _without_empty_deep(value):
    if isinstance(value, dict):
        cleaned = {key: _without_empty_deep(inner) for key, inner in value.items()}
        return {key: inner for key, inner in cleaned.items() if inner not in ("", [], None, {})}
    if isinstance(value, list):
        return [_without_empty_deep(inner) for inner in value]
    return value
