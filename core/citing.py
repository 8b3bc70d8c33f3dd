"""What the site says about an entry when someone cites it: the CSL-JSON item behind
every formatted citation and download, and the metadata reference managers read.

All citation knowledge lives here, one function per kind of entry, so the pages, the
downloads and the meta tags cannot disagree about an author or a date."""

import datetime
import hashlib
import logging

from django.core.cache import cache
from django.utils import timezone

from citations import STYLES, CitationError, render, render_all
from cooperation.models import Agreement, Mechanism
from core.models import DatePrecision, Source
from policies.models import Directive, Provision

logger = logging.getLogger(__name__)

SITE_NAME = "emgov"
STYLE_LABELS = {
    "apa": "APA (7th edition)",
    "mla": "MLA (9th edition)",
    "chicago": "Chicago (author-date)",
    "gbt7714": "GB/T 7714-2015",
}

SOURCE_TYPES = {
    Source.Kind.NEWS_REPORT: "article-newspaper",
    Source.Kind.JOURNAL_ARTICLE: "article-journal",
    Source.Kind.OFFICIAL_TEXT: "document",
    Source.Kind.SPEECH_RECORD: "speech",
    Source.Kind.REPORT: "report",
    Source.Kind.BOOK: "book",
    Source.Kind.WEB_PAGE: "webpage",
    Source.Kind.OTHER: "document",
}
DIRECTIVE_TYPES = {
    Directive.Kind.SPEECH: "speech",
    Directive.Kind.LAW: "legislation",
    Directive.Kind.REGULATION: "regulation",
}


def date_parts(value, precision=DatePrecision.DAY):
    """A CSL date no more precise than what is known."""
    if value is None:
        return None
    parts = {
        DatePrecision.YEAR: [value.year],
        DatePrecision.MONTH: [value.year, value.month],
    }.get(precision, [value.year, value.month, value.day])
    return {"date-parts": [parts]}


def person_name(full_name, chinese_order):
    """Split a name stored as one string. Chinese names put the family name first
    ("Xi Jinping"); others put it last."""
    words = full_name.split()
    if len(words) < 2:
        return {"literal": full_name}
    if chinese_order:
        return {"family": words[0], "given": " ".join(words[1:])}
    return {"family": words[-1], "given": " ".join(words[:-1])}


def source_authors(source):
    return [
        {"literal": author.literal_name}
        if author.literal_name
        else {"family": author.family_name, "given": author.given_name}
        for author in source.authors.all()
    ]


def plain_date(source):
    """'1 December 2019', whatever the interface language: notes are data, not UI."""
    value = source.published_on
    if source.date_precision == DatePrecision.YEAR:
        return str(value.year)
    month_year = f"{value:%B} {value.year}"
    return (
        month_year if source.date_precision == DatePrecision.MONTH else f"{value.day} {month_year}"
    )


def report_note(source):
    """'Reported in CGTN, "Title," 1 December 2019.' for a speech known from a report."""
    where = f"{source.outlet}, " if source.outlet else ""
    if source.published_on:
        return f"Reported in {where}\u201c{source.title},\u201d {plain_date(source)}."
    return f"Reported in {where}\u201c{source.title}.\u201d"


def source_item(source):
    item = {
        "type": SOURCE_TYPES.get(source.kind, "document"),
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
    if source.identifier.startswith("10."):
        item["DOI"] = source.identifier
    if source.title_original:
        item["original-title"] = source.title_original
    return item


def directive_item(directive):
    chinese = directive.original_language.lower().startswith("zh")
    item = {
        "type": DIRECTIVE_TYPES.get(directive.kind, "document"),
        "title": directive.title,
        "issued": date_parts(directive.date, directive.date_precision),
        "language": "en",
    }
    if directive.title_original:
        item["original-title"] = directive.title_original
    if directive.speaker:
        item["author"] = [person_name(directive.speaker, chinese)]
        item["event-title"] = directive.occasion
        if directive.kind == Directive.Kind.SPEECH:
            item["genre"] = "Speech"  # APA's "[Speech]", MLA's and Chicago's "Speech."
        reports = [s for s in directive.sources.all() if s.kind == Source.Kind.NEWS_REPORT]
        if reports:
            item["note"] = report_note(reports[0])
    elif directive.issuing_body:
        item["author"] = [{"literal": directive.issuing_body.name}]
        item["authority"] = directive.issuing_body.name
    return item


def provision_item(provision):
    item = directive_item(provision.directive)
    item["title"] = f"{provision.directive.title}, point {provision.number}"
    item["section"] = f"point {provision.number}"
    return item


def agreement_item(agreement):
    parties = [{"literal": country.name} for country in agreement.party_countries.all()]
    parties += [{"literal": org.name} for org in agreement.party_organizations.all()]
    return {
        "type": "treaty",
        "title": agreement.title,
        "author": parties,
        "issued": date_parts(agreement.signed_on),
        "genre": agreement.get_kind_display(),
    }


def mechanism_item(mechanism):
    return {
        "type": "webpage",
        "title": mechanism.name,
        "container-title": SITE_NAME,
        "issued": date_parts(mechanism.established_on, mechanism.date_precision),
    }


ITEM_BUILDERS = {
    Source: ("source", source_item),
    Directive: ("directive", directive_item),
    Provision: ("directive", provision_item),
    Agreement: ("agreement", agreement_item),
    Mechanism: ("mechanism", mechanism_item),
}


def item_id(entry):
    if isinstance(entry, Provision):
        return f"directive-{entry.directive.slug}-{entry.label}"
    prefix, _ = ITEM_BUILDERS[type(entry)]
    return f"{prefix}-{entry.slug}"


def csl_item(entry, request, accessed=None):
    """The entry as one CSL-JSON item, with its permalink and the date it was accessed."""
    _, build = ITEM_BUILDERS[type(entry)]
    accessed = accessed or timezone.localdate()
    item = {
        "id": item_id(entry),
        **build(entry),
        "URL": request.build_absolute_uri(entry.get_absolute_url()),
        "accessed": date_parts(accessed),
    }
    # CSL processors treat an empty value as present; leave unknowns out entirely.
    return {key: value for key, value in item.items() if value not in ("", None, [])}


def last_change(entry):
    owner = entry.directive if isinstance(entry, Provision) else entry
    return owner.updated_at


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
    if isinstance(entry, Provision):
        jsonld["isPartOf"] = {
            "@type": "Legislation",
            "name": entry.directive.title,
            "url": request.build_absolute_uri(entry.directive.get_absolute_url()),
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
