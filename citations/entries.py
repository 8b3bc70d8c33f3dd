"""What the site says about an entry when someone cites it: the CSL-JSON item behind
every formatted citation and download, and the metadata reference managers read.

What each type says of its entries is its declaration's `csl_item` (see
core.registry); everything else is read off that one item, so the pages, the
downloads and the meta tags cannot disagree about an author or a date."""

import datetime
import hashlib
import logging

from django.core.cache import cache
from django.utils import timezone

from citations import STYLES, CitationError, render, render_all
from core.csl import SITE_NAME, date_parts
from core.registry import registry

logger = logging.getLogger(__name__)

STYLE_LABELS = {
    "apa": "APA (7th edition)",
    "mla": "MLA (9th edition)",
    "chicago": "Chicago (author-date)",
    "gbt7714": "GB/T 7714-2015",
}


def csl_item(entry, request, accessed=None):
    """The entry as one CSL-JSON item, with its permalink and the date it was accessed:
    what its type's `csl_item` says of it, and the address emgov gives it."""
    accessed = accessed or timezone.localdate()
    item = {
        **registry.for_model(entry).csl_item(entry),
        "URL": request.build_absolute_uri(entry.get_absolute_url()),
        "accessed": date_parts(accessed),
    }
    # CSL processors treat an empty value as present; leave unknowns out entirely.
    return {key: value for key, value in item.items() if value not in ("", None, [])}


def last_change(entry):
    return registry.for_model(entry).owner(entry).updated_at


def formatted_citations(entry, request):
    """[(style label, Citation)] for the entry, rendered once per change and per day
    (the accessed date is part of every citation) rather than on every request."""
    item = csl_item(entry, request)
    key = (
        "citations:"
        + hashlib.sha256(
            f"{item['id']}|{last_change(entry).isoformat()}|{item}".encode()
        ).hexdigest()
    )
    rendered = cache.get(key)
    if rendered is None:
        try:
            rendered = render_all(item)
            if item["type"] == "speech" and "issued" in item:
                # MLA dates a speech by its event-date; the other styles use the issued
                # date and would print an event-date a second time.
                rendered["mla"] = render({**item, "event-date": item["issued"]}, "mla")
        except CitationError:
            logger.exception("Could not render citations for %s", item["id"])
            return []
        cache.set(key, rendered, timeout=int(datetime.timedelta(days=1).total_seconds()))
    return [(STYLE_LABELS[style], rendered[style]) for style in STYLES]


def name_text(name):
    if "literal" in name:
        return name["literal"]
    return f"{name['family']}, {name['given']}" if name.get("given") else name["family"]


def date_text(date, separator):
    return separator.join(f"{part:02d}" for part in date["date-parts"][0]) if date else ""


SCHEMA_TYPES = {
    "article-journal": "ScholarlyArticle",
    "article-newspaper": "NewsArticle",
    "report": "Report",
    "book": "Book",
    "webpage": "WebPage",
    "speech": "Legislation",
    "legislation": "Legislation",
    "regulation": "Legislation",
    "treaty": "Legislation",
}


def page_metadata(entry, request, description=""):
    """Highwire Press, Dublin Core and OpenGraph meta tags and a schema.org JSON-LD
    object, all read off the same CSL item as the citations."""
    item = csl_item(entry, request)
    authors = [name_text(name) for name in item.get("author", [])]
    issued = item.get("issued")
    highwire = [("citation_title", item["title"])]
    highwire += [("citation_author", author) for author in authors]
    highwire += [
        ("citation_publication_date", date_text(issued, "/")),
        ("citation_date", date_text(issued, "/")),
        ("citation_journal_title", item.get("container-title", "")),
        ("citation_publisher", item.get("publisher") or item.get("authority", "")),
        ("citation_volume", item.get("volume", "")),
        ("citation_issue", item.get("issue", "")),
        ("citation_doi", item.get("DOI", "")),
        ("citation_language", item.get("language", "")),
        ("citation_public_url", item["URL"]),
        ("citation_abstract_html_url", item["URL"]),
    ]
    dublin_core = [("DC.title", item["title"])]
    dublin_core += [("DC.creator", author) for author in authors]
    dublin_core += [
        ("DC.date", date_text(issued, "-")),
        ("DC.type", item["type"]),
        ("DC.identifier", item["URL"]),
        ("DC.publisher", item.get("container-title") or item.get("publisher", "")),
        ("DC.language", item.get("language", "")),
    ]
    opengraph = [
        ("og:type", "article"),
        ("og:title", item["title"]),
        ("og:url", item["URL"]),
        ("og:site_name", SITE_NAME),
        ("og:description", description),
    ]
    jsonld = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES.get(item["type"], "CreativeWork"),
        "@id": item["URL"],
        "url": item["URL"],
        "name": item["title"],
        "author": [
            {"@type": "Person" if "family" in name else "Organization", "name": name_text(name)}
            for name in item.get("author", [])
        ],
        "datePublished": date_text(issued, "-"),
        "inLanguage": item.get("language", ""),
        "description": description,
    }
    entry_type = registry.for_model(entry)
    if entry_type.parent:
        parent = entry_type.owner(entry)
        jsonld["isPartOf"] = {
            "@type": "Legislation",
            "name": parent.title,
            "url": request.build_absolute_uri(parent.get_absolute_url()),
        }
    if item.get("container-title") and item["type"] == "article-journal":
        jsonld["isPartOf"] = {"@type": "Periodical", "name": item["container-title"]}
    if item["type"] in {"legislation", "regulation", "speech", "treaty"}:
        jsonld["legislationType"] = item.get("genre") or item["type"]
        jsonld["legislationDate"] = jsonld["datePublished"]
    return {
        "meta": [(name, value) for name, value in highwire + dublin_core if value],
        "opengraph": [(name, value) for name, value in opengraph if value],
        "jsonld": {key: value for key, value in jsonld.items() if value not in ("", [], None)},
    }
