"""Download formats for one CSL-JSON item: BibTeX, RIS and CSL-JSON.

BibTeX follows the BibLaTeX data model (``@online``, ``date``, ``urldate``, ``eventtitle``)
but writes ``journal``, ``address`` and ``year`` as well, which biber reads as aliases and
classic BibTeX styles read directly. Text stays UTF-8; only LaTeX's special characters are
escaped. The key is the item id reduced to ASCII, so it is stable and every tool accepts it.

RIS uses the tags and reference types of the RIS specification, with CRLF line ends.

Type mapping (CSL type → BibTeX entry type / RIS TY), anything not listed → @misc / GEN:

* article-journal, article-magazine, article-newspaper → @article (container title in
  ``journal``) / JOUR, MGZN, NEWS.
* webpage and post → @online / ELEC; post-weblog → @online / BLOG.
* speech → @misc with ``type = {Speech}`` and ``eventtitle`` / SLIDE. RIS has no speech
  type; SLIDE ("presentation") is what Zotero writes for a presentation and reads back as one.
* legislation → @misc / STAT, bill → @misc / BILL, regulation and treaty → @misc / LEGAL
  (RIS has no treaty type; LEGAL is "legal rule or regulation"), legal_case → @misc / CASE.
  BibLaTeX's @legislation and @jurisdiction are not supported by its standard styles, so
  these are @misc with ``type`` naming the kind of document, which prints everywhere.

Why these writers are hand-written (checked against bibtexparser 2.1.0 and rispy 0.10.0
on every item of the tests and on tricky text; tests/citations/test_formats.py pins the
conventions below):

* bibtexparser's writer only joins ``@type{key, field = value}``; the escaping comes from
  its LatexEncodingMiddleware (pylatexenc), which gets our data wrong: it escapes the
  braces that keep an organisation one name ("{Ministry ... and Others}" becomes several
  people), wraps URLs in ``\\url{}`` inside the verbatim ``url`` field (and stops at a
  space), LaTeX-escapes the verbatim ``doi``, turns a straight ``"`` into ``''`` (read
  back as a curly quote), writes a page range's dash as ``{\\textendash}`` instead of
  ``--``, and turns accents into macros while it leaves Chinese as it is with a logged
  warning per character. Given our own escaped values it writes the same bytes as this
  module, so it would be a runtime dependency that does nothing. We follow Zotero's own
  BibTeX export instead: UTF-8 kept, capitals braced, url and doi verbatim.
* rispy.dumps writes a "1." line before each record and LF line ends. With a subclass
  that overrides both it writes the same bytes as ``to_ris``, but the tag choice, the
  names, dates and pages stay ours; it would replace one line of formatting with a
  mapping to its field names, and its reader (our independent test oracle) shares that
  mapping with its writer, so a mistake in it would go unnoticed.
"""

import hashlib
import re
import unicodedata

from .items import CitationError, csl_json, date_parts, validate_item

TYPES = {
    "article-journal": ("article", "JOUR"),
    "article-magazine": ("article", "MGZN"),
    "article-newspaper": ("article", "NEWS"),
    "bill": ("misc", "BILL"),
    "book": ("book", "BOOK"),
    "chapter": ("incollection", "CHAP"),
    "dataset": ("dataset", "DATA"),
    "entry-dictionary": ("inreference", "DICT"),
    "entry-encyclopedia": ("inreference", "ENCYC"),
    "legal_case": ("misc", "CASE"),
    "legislation": ("misc", "STAT"),
    "manuscript": ("unpublished", "MANSCPT"),
    "paper-conference": ("inproceedings", "CPAPER"),
    "patent": ("patent", "PAT"),
    "post": ("online", "ELEC"),
    "post-weblog": ("online", "BLOG"),
    "regulation": ("misc", "LEGAL"),
    "report": ("report", "RPRT"),
    "software": ("software", "COMP"),
    "speech": ("misc", "SLIDE"),
    "standard": ("misc", "STAND"),
    "thesis": ("thesis", "THES"),
    "treaty": ("misc", "LEGAL"),
    "webpage": ("online", "ELEC"),
}
DEFAULT_TYPES = ("misc", "GEN")
CONTAINER_FIELDS = {
    "article": "journal",
    "incollection": "booktitle",
    "inproceedings": "booktitle",
    "inreference": "booktitle",
}
LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    # BibTeX counts even escaped braces when it matches a value's braces, so use commands.
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
LATEX_SPECIALS_RE = re.compile("[" + re.escape("".join(LATEX_SPECIALS)) + "]")
# Characters that would end or unbalance a verbatim BibTeX value such as a URL.
URL_UNSAFE = {"{": "%7B", "}": "%7D", "\\": "%5C", " ": "%20"}
# BibTeX splits a list of names on the word "and" and a name on commas.
NAME_SEPARATOR_RE = re.compile(r",|\band\b", re.IGNORECASE)
PAGE_RANGE_RE = re.compile(r"\s*[-\u2010-\u2015]+\s*")


def to_csl_json(item):
    """The item as a CSL-JSON file: a JSON array holding the one item, unchanged."""
    validate_item(item)
    return csl_json(item, indent=2) + "\n"


def citation_key(item):
    """The BibTeX key: the item id reduced to ASCII letters, digits and ``-_:.``.

    An id with nothing left after that (all Chinese characters, say) gets a key derived from
    a hash of the id, which is still deterministic.
    """
    item_id = str(item["id"])
    ascii_id = unicodedata.normalize("NFKD", item_id).encode("ascii", "ignore").decode()
    key = re.sub(r"[^A-Za-z0-9_:.-]+", "-", ascii_id).strip("-")
    return key or "ref-" + hashlib.sha256(item_id.encode()).hexdigest()[:10]


def to_bibtex(item):
    """The item as one BibTeX entry (see the module docstring for the conventions)."""
    validate_item(item)
    entry_type = TYPES.get(item["type"], DEFAULT_TYPES)[0]
    fields = _bibtex_fields(item, entry_type)
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry_type}{{{citation_key(item)},\n{body}\n}}\n"


def _bibtex_fields(item, entry_type):
    issued = date_parts(item, "issued")
    pages = _text(item, "page")
    fields = [
        ("author", _bibtex_names(item.get("author", []))),
        ("editor", _bibtex_names(item.get("editor", []))),
        ("title", _protect_capitals(_latex(item["title"]))),
        (CONTAINER_FIELDS.get(entry_type, "howpublished"), _latex(_text(item, "container-title"))),
        ("eventtitle", _latex(_text(item, "event-title"))),
        ("volume", _latex(_text(item, "volume"))),
        ("number", _latex(_text(item, "issue"))),
        ("pages", pages and PAGE_RANGE_RE.sub("--", _latex(pages))),
        ("publisher", _latex(_text(item, "publisher"))),
        ("address", _latex(_text(item, "publisher-place"))),
        ("year", issued and str(issued[0])),
        # BibLaTeX's date carries month and day; a bare year is already in `year`.
        ("date", issued and len(issued) > 1 and _date(issued, "-")),
        ("type", _latex(_text(item, "genre") or _misc_label(item, entry_type))),
        ("doi", _url(_text(item, "DOI"))),
        ("url", _url(_text(item, "URL"))),
        ("urldate", _date(date_parts(item, "accessed"), "-")),
        ("note", _latex(_text(item, "note"))),
    ]
    return [(name, value) for name, value in fields if value]


def _misc_label(item, entry_type):
    """For @misc, name the CSL type ("Speech", "Legislation"), which @misc would lose."""
    if entry_type != "misc":
        return None
    return item["type"].replace("_", " ").replace("-", " ").capitalize()


def _bibtex_names(names):
    return " and ".join(_bibtex_name(name) for name in names)


def _bibtex_name(name):
    """A name in BibTeX's "von Last, Jr, First" form; an organisation stays in one brace."""
    if name.get("literal"):
        return "{" + _latex(name["literal"]) + "}"
    parts = [_family(name)]
    if name.get("suffix"):
        parts += [name["suffix"], name.get("given", "")]
    elif name.get("given"):
        parts.append(name["given"])
    return ", ".join(_bibtex_name_part(part) for part in parts)


def _bibtex_name_part(part):
    escaped = _latex(part)
    return "{" + escaped + "}" if NAME_SEPARATOR_RE.search(part) else escaped


def _latex(text):
    """Escape LaTeX's special characters and fold whitespace (a blank line is a \\par)."""
    folded = " ".join((text or "").split())
    return LATEX_SPECIALS_RE.sub(lambda match: LATEX_SPECIALS[match[0]], folded)


def _protect_capitals(text):
    """Brace each word with a capital, so sentence-case BibTeX styles keep "China", "CPC"."""
    return re.sub(
        r"[^\W_]+", lambda match: f"{{{match[0]}}}" if _has_capital(match[0]) else match[0], text
    )


def _has_capital(word):
    return any(char.isupper() for char in word)


def _url(text):
    if not text:
        return None
    return "".join(URL_UNSAFE.get(char, char) for char in text.strip())


def _date(parts, separator):
    """Format (year[, month[, day]]) as e.g. 2019-11-29 for BibLaTeX or 2019/11/29 for RIS."""
    if not parts:
        return None
    year, *month_day = parts
    return separator.join([f"{year:04d}", *(f"{part:02d}" for part in month_day)])


def to_ris(item):
    """The item as one RIS record, ending with its ER line."""
    validate_item(item)
    lines = "".join(f"{tag}  - {value}\r\n" for tag, value in _ris_tags(item))
    return lines + "ER  - \r\n"


def _ris_tags(item):
    issued = date_parts(item, "issued")
    start_page, _, end_page = PAGE_RANGE_RE.sub("-", _text(item, "page") or "").partition("-")
    tags = [
        ("TY", TYPES.get(item["type"], DEFAULT_TYPES)[1]),
        ("ID", citation_key(item)),
        *(("AU", _ris_name(name)) for name in item.get("author", [])),
        *(("A2", _ris_name(name)) for name in item.get("editor", [])),
        ("TI", _text(item, "title")),
        ("T2", _text(item, "container-title") or _text(item, "event-title")),
        ("PY", issued and str(issued[0])),
        ("DA", issued and len(issued) > 1 and _date(issued, "/")),
        ("VL", _text(item, "volume")),
        ("IS", _text(item, "issue")),
        ("SP", start_page),
        ("EP", end_page),
        ("PB", _text(item, "publisher")),
        ("CY", _text(item, "publisher-place")),
        ("DO", _text(item, "DOI")),
        ("UR", _text(item, "URL")),
        ("Y2", _date(date_parts(item, "accessed"), "/")),
        ("LA", _text(item, "language")),
        ("N1", _text(item, "note")),
    ]
    return [(tag, value) for tag, value in tags if value]


def _ris_name(name):
    """A name as RIS wants it: "Last, First" or "Last, First, Suffix"."""
    if name.get("literal"):
        return _one_line(name["literal"])
    parts = [_family(name)]
    if name.get("suffix"):
        parts += [name.get("given", ""), name["suffix"]]
    elif name.get("given"):
        parts.append(name["given"])
    return _one_line(", ".join(parts))


def _family(name):
    """The family name with its particles ("van Gogh"), which both formats keep together."""
    parts = (name.get("dropping-particle"), name.get("non-dropping-particle"), name["family"])
    return " ".join(part for part in parts if part)


def _text(item, variable):
    """A text or number variable as a stripped string, or None if absent or empty."""
    value = item.get(variable)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        if value is not None:
            raise CitationError(f"Item {item['id']!r}: {variable!r} must be text, not {value!r}.")
        return None
    return _one_line(str(value)) or None


def _one_line(text):
    return " ".join(text.split())
