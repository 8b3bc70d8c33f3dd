"""What Zotero saves from each citable page, by a small re-implementation of its Embedded
Metadata translator (zotero/translators, "Embedded Metadata.js", with the RDF translator
"RDF.js" that it hands Dublin Core, OpenGraph, PRISM and EPrints tags to). Only the parts
that decide the item type and the fields checked here are re-implemented:

- init(): a `citation_journal_title` makes `hwType = "journalArticle"` (and
  `citation_conference_title`, `citation_book_title`, ... other types), which wins over
  everything; `citation_title` makes only `hwTypeGuess = "journalArticle"`, which becomes
  the RDF translator's `defaultUnknownType`.
- RDF.js detectType(): `itemType = t.zotero || t.bib || t.prism || t.eprints || t.og ||
  t.dc || t.so || defaultUnknownType || ...guesses`, where `t.og` is "webpage" for
  og:type "website" (og:type "article" is only a guess) and `t.dc` is a `DC.type` that
  names a Zotero item type.
- importItem(): publicationTitle from `prism.publicationName` (or `og:site_name` for a web
  page or newspaper article), meetingName from `eprints.event_title`, presentationType
  from `eprints.event_type`; then addHighwireMetadata(): `citation_abstract` is the
  abstract, `citation_journal_title` the publication, each `citation_author` one creator
  ("Last, First" split at the comma).
"""

import re
from html.parser import HTMLParser

import pytest

from core.models import Source
from tests.builders import make_agreement, make_country

pytestmark = pytest.mark.django_db

ZOTERO_ITEM_TYPES = {
    "presentation", "newspaperArticle", "journalArticle", "document", "webpage", "report",
    "book", "statute", "conferencePaper", "bookSection", "thesis",
}  # fmt: skip
PREFIXES = {"dc", "dcterms", "og", "prism", "eprints", "bib", "bibo", "z", "so", "article"}


class MetaTags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name") or attrs.get("property")
        if tag == "meta" and name and attrs.get("content"):
            self.tags.append((name, attrs["content"]))


def zotero_item(html):
    parser = MetaTags()
    parser.feed(html)
    hw_type = hw_guess = None
    rdf = {}
    for name, value in parser.tags:
        parts = re.split(r"[.:_]", name)
        prefix, cut = parts[0].lower(), len(parts[0])
        if len(parts) > 2 and parts[1].lower() in PREFIXES:
            prefix, cut = parts[1].lower(), len(parts[0]) + len(parts[1]) + 1
        if prefix in PREFIXES:
            prop = name[cut + 1 :]
            rdf.setdefault((prefix, prop[:1].lower() + prop[1:]), value)
            continue
        short = name[name.rfind("citation_") :]
        if short == "citation_journal_title":
            hw_type = "journalArticle"
        elif short in {"citation_conference_title", "citation_conference"}:
            hw_type = "conferencePaper"
        elif short in {"citation_book_title", "citation_inbook_title"}:
            hw_type = "bookSection"
        elif short in {"citation_title", "citation_series_title"}:
            hw_guess = hw_guess or "journalArticle"
    og_type = {"website": "webpage", "book": "book"}.get(rdf.get(("og", "type")))
    dc_type = rdf.get(("dc", "type"))
    dc_type = dc_type if dc_type in ZOTERO_ITEM_TYPES else None
    item_type = hw_type or og_type or dc_type or hw_guess or "webpage"
    meta = {}
    for name, value in parser.tags:
        meta.setdefault(name, []).append(value)
    first = lambda name: meta.get(name, [None])[0]  # noqa: E731
    publication = first("citation_journal_title") or rdf.get(("prism", "publicationName"))
    if not publication and item_type in {"webpage", "newspaperArticle", "blogPost"}:
        publication = rdf.get(("og", "site_name"))
    return {
        "itemType": item_type,
        "title": first("citation_title"),
        "creators": [tuple(a.split(", ", 1)) for a in meta.get("citation_author", [])],
        "abstractNote": first("citation_abstract") or rdf.get(("og", "description")),
        "publicationTitle": publication,
        "meetingName": rdf.get(("eprints", "event_title")),
        "presentationType": rdf.get(("eprints", "event_type")) or dc_type,
    }


PAPER = "/sources/xu-meng-belt-and-road-emergency-cooperation/"
CGTN = "/sources/cgtn-2019-xi-emergency-management/"
XI = "/directives/xi-2019-emergency-management/"
POINT_3 = XI + "p3/"
MECHANISM = "/mechanisms/belt-and-road-disaster-prevention-emergency-management-mechanism/"


def test_speech_is_a_presentation_with_its_meeting_name(client, seeded):
    item = zotero_item(client.get(XI).content.decode())
    assert item["itemType"] == "presentation"
    assert item["creators"] == [("Xi", "Jinping")]
    assert item["meetingName"].startswith("Group study session of the CPC Central Committee")
    assert item["presentationType"] == "Speech"
    assert item["title"] == "[Remarks on modernizing China's emergency management system]"


def test_news_report_is_a_newspaper_article_with_its_outlet(client, seeded):
    item = zotero_item(client.get(CGTN).content.decode())
    assert item["itemType"] == "newspaperArticle"
    assert item["publicationTitle"] == "CGTN"


def test_journal_article_is_a_journal_article_with_the_full_abstract(client, seeded):
    item = zotero_item(client.get(PAPER).content.decode())
    assert item["itemType"] == "journalArticle"
    assert item["creators"] == [("Xu", "Qian"), ("Meng", "Fanhua")]
    abstract = " ".join(Source.objects.get(slug=PAPER.split("/")[2]).abstract.split())
    assert item["abstractNote"] == abstract
    assert item["abstractNote"].endswith("international cooperation on emergency management.")


@pytest.mark.parametrize("path", [CGTN, XI, POINT_3, MECHANISM])
def test_only_journal_articles_carry_citation_journal_title(client, seeded, path):
    assert 'name="citation_journal_title"' not in client.get(path).content.decode()


def test_point_and_mechanism_are_emgov_web_pages(client, seeded):
    for path in (POINT_3, MECHANISM):
        item = zotero_item(client.get(path).content.decode())
        assert item["itemType"] == "webpage", path
        assert item["publicationTitle"] == "emgov"
        assert item["creators"] == [("emgov",)]


def test_agreement_is_a_document(client, db):
    agreement = make_agreement(title="Placeholder MoU", countries=[make_country()])
    item = zotero_item(client.get(agreement.get_absolute_url()).content.decode())
    assert item["itemType"] == "document"
    assert item["creators"] == [("Nepal",)]


def test_the_oracle_fails_a_journal_title_on_a_speech():
    """The oracle itself: the tags emgov used to write made every page a journal article."""
    html = (
        '<meta name="citation_title" content="T"><meta name="citation_journal_title" '
        'content="emgov"><meta name="DC.type" content="speech">'
    )
    assert zotero_item(html)["itemType"] == "journalArticle"
    assert zotero_item('<meta name="citation_title" content="T">')["itemType"] == "journalArticle"
