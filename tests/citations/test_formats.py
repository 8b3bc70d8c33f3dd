"""Downloads: exact BibTeX and RIS text, read back by independent parsers.

bibtexparser (with its LaTeX decoder, pylatexenc), rispy and citeproc-py each parse what
the exporters wrote, and the tests compare the fields they find with the item's fields.
"""

import json
from urllib.parse import unquote

import bibtexparser
import pytest
import rispy
from bibtexparser import middlewares
from citeproc.source.json import CiteProcJSON

from citations import CitationError, to_bibtex, to_csl_json, to_ris
from citations.formats import citation_key

XU_URL = "http://127.0.0.1:8000/sources/xu-meng-practice-and-enlightenment/"
XI_URL = "http://127.0.0.1:8000/directives/xi-2019-emergency-management/p3/"

JOURNAL_ARTICLE_BIBTEX = f"""\
@article{{source-xu-meng-practice,
  author = {{Xu, Qian and Meng, Fanhua}},
  title = {{{{Practice}} and enlightenment from international cooperation of emergency \
management in {{China}} under "{{One}} {{Belt}}, {{One}} {{Road}}" initiative}},
  url = {{{XU_URL}}},
  urldate = {{2026-11-24}}
}}
"""
SPEECH_BIBTEX = f"""\
@misc{{directive-xi-2019-emergency-management-p3,
  author = {{Xi, Jinping}},
  title = {{{{Remarks}} at the {{Political}} {{Bureau}} group study session on {{China}}'s \
emergency management system, point 3}},
  eventtitle = {{Group study session of the CPC Central Committee Political Bureau}},
  year = {{2019}},
  date = {{2019-11-29}},
  type = {{Speech}},
  url = {{{XI_URL}}},
  urldate = {{2026-11-24}},
  note = {{Reported in CGTN, "Xi stresses modernization of China's emergency management \
system," 1 December 2019.}}
}}
"""
JOURNAL_ARTICLE_RIS = (
    "TY  - JOUR\r\n"
    "ID  - source-xu-meng-practice\r\n"
    "AU  - Xu, Qian\r\n"
    "AU  - Meng, Fanhua\r\n"
    "TI  - Practice and enlightenment from international cooperation of emergency management "
    'in China under "One Belt, One Road" initiative\r\n'
    f"UR  - {XU_URL}\r\n"
    "Y2  - 2026/11/24\r\n"
    "ER  - \r\n"
)
SPEECH_RIS = (
    "TY  - SLIDE\r\n"
    "ID  - directive-xi-2019-emergency-management-p3\r\n"
    "AU  - Xi, Jinping\r\n"
    "TI  - Remarks at the Political Bureau group study session on China's emergency "
    "management system, point 3\r\n"
    "T2  - Group study session of the CPC Central Committee Political Bureau\r\n"
    "PY  - 2019\r\n"
    "DA  - 2019/11/29\r\n"
    f"UR  - {XI_URL}\r\n"
    "Y2  - 2026/11/24\r\n"
    "N1  - Reported in CGTN, \"Xi stresses modernization of China's emergency management "
    'system," 1 December 2019.\r\n'
    "ER  - \r\n"
)


def parse_bibtex(text):
    """The single entry of text, names split into parts and LaTeX decoded to Unicode."""
    library = bibtexparser.parse_string(
        text,
        append_middleware=[
            middlewares.SeparateCoAuthors(),
            middlewares.SplitNameParts(),
            middlewares.LatexDecodingMiddleware(),
        ],
    )
    assert not library.failed_blocks
    (entry,) = library.entries
    return entry


def names(entry, field="author"):
    return [(" ".join(name.last), " ".join(name.first)) for name in entry[field]]


def test_journal_article_bibtex(journal_article):
    text = to_bibtex(journal_article)
    assert text == JOURNAL_ARTICLE_BIBTEX
    entry = parse_bibtex(text)
    assert (entry.entry_type, entry.key) == ("article", "source-xu-meng-practice")
    assert names(entry) == [("Xu", "Qian"), ("Meng", "Fanhua")]
    assert entry["title"] == journal_article["title"]
    assert entry["url"] == XU_URL
    assert entry["urldate"] == "2026-11-24"
    # Unknown journal, year, volume and pages stay unknown.
    assert set(entry.fields_dict) == {"author", "title", "url", "urldate"}


def test_speech_bibtex(speech):
    text = to_bibtex(speech)
    assert text == SPEECH_BIBTEX
    entry = parse_bibtex(text)
    assert (entry.entry_type, entry.key) == ("misc", "directive-xi-2019-emergency-management-p3")
    assert names(entry) == [("Xi", "Jinping")]
    assert entry["title"] == speech["title"]
    assert entry["eventtitle"] == speech["event-title"]
    assert (entry["year"], entry["date"]) == ("2019", "2019-11-29")
    assert entry["type"] == "Speech"
    assert entry["url"] == XI_URL
    assert entry["note"] == speech["note"]


def test_journal_article_ris(journal_article):
    text = to_ris(journal_article)
    assert text == JOURNAL_ARTICLE_RIS
    (record,) = rispy.loads(text)
    assert record == {
        "type_of_reference": "JOUR",
        "id": "source-xu-meng-practice",
        "authors": ["Xu, Qian", "Meng, Fanhua"],
        "title": journal_article["title"],
        "urls": [XU_URL],
        "access_date": "2026/11/24",
    }


def test_speech_ris(speech):
    text = to_ris(speech)
    assert text == SPEECH_RIS
    (record,) = rispy.loads(text)
    assert record == {
        "type_of_reference": "SLIDE",
        "id": "directive-xi-2019-emergency-management-p3",
        "authors": ["Xi, Jinping"],
        "title": speech["title"],
        "secondary_title": speech["event-title"],
        "year": "2019",
        "date": "2019/11/29",
        "urls": [XI_URL],
        "access_date": "2026/11/24",
        "notes": [speech["note"]],
    }


@pytest.mark.filterwarnings("ignore:The following arguments for Reference are unsupported")
@pytest.mark.parametrize("fixture", ["journal_article", "speech"])
def test_csl_json_read_by_citeproc_py(fixture, request):
    item = request.getfixturevalue(fixture)
    text = to_csl_json(item)
    assert json.loads(text) == [item]
    reference = CiteProcJSON(json.loads(text))[item["id"]]
    assert reference.type == item["type"]
    assert str(reference.title) == item["title"]
    assert [(name.family, name.given) for name in reference.author] == [
        (name["family"], name["given"]) for name in item["author"]
    ]
    assert str(reference.URL) == item["URL"]
    accessed = reference.accessed
    assert (accessed.year, accessed.month, accessed.day) == (2026, 11, 24)


@pytest.mark.filterwarnings("ignore:The following arguments for Reference are unsupported")
def test_csl_json_keeps_the_speech_date_and_pinpoint_note(speech):
    reference = CiteProcJSON(json.loads(to_csl_json(speech)))[speech["id"]]
    assert (reference.issued.year, reference.issued.month, reference.issued.day) == (2019, 11, 29)
    assert str(reference.note) == speech["note"]
    assert "point 3" in str(reference.title)


def test_csl_json_keeps_non_ascii_text():
    item = {"id": "zh", "type": "document", "title": "应急管理部关于…", "language": "zh-CN"}
    assert '"title": "应急管理部关于…"' in to_csl_json(item)


def test_bibtex_escapes_latex_specials_and_keeps_utf8():
    item = {
        "id": "special",
        "type": "report",
        "title": "Risk & cost: 50% of $5 for #1_b ~ok^ {x} a\\b 应急管理 Ärger",
        "author": [{"family": "Müller", "given": "Zoë"}],
        "publisher": "Ministry of Emergency Management & Co.",
    }
    text = to_bibtex(item)
    assert text.splitlines()[2] == (
        r"  title = {{Risk} \& cost: 50\% of \$5 for \#1\_b \textasciitilde{}ok\textasciicircum{}"
        r" \textbraceleft{}x\textbraceright{} a\textbackslash{}b 应急管理 {Ärger}},"
    )
    entry = parse_bibtex(text)
    assert names(entry) == [("Müller", "Zoë")]
    assert entry["publisher"] == "Ministry of Emergency Management & Co."
    # pylatexenc knows neither \textbraceleft nor an ASCII \textasciicircum, so compare up to "^".
    assert entry["title"].startswith("Risk & cost: 50% of $5 for #1_b ~ok")
    assert entry["title"].endswith(" a\\b 应急管理 Ärger")


def test_bibtex_names_keep_organisations_particles_and_suffixes():
    item = {
        "id": "names",
        "type": "book",
        "title": "T",
        "author": [
            {"literal": "Ministry of Emergency Management and Others"},
            {"family": "Beethoven", "non-dropping-particle": "van", "given": "Ludwig"},
            {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
            {"family": "Meng"},
        ],
    }
    assert to_bibtex(item).splitlines()[1] == (
        "  author = {{Ministry of Emergency Management and Others} and "
        "van Beethoven, Ludwig and King, Jr., Martin Luther and Meng},"
    )
    (record,) = rispy.loads(to_ris(item))
    assert record["authors"] == [
        "Ministry of Emergency Management and Others",
        "van Beethoven, Ludwig",
        "King, Martin Luther, Jr.",
        "Meng",
    ]


RICH_URL = "https://example.org/a_b/c%20d?x=1&y={2}#frag~1 2"
RICH_DOI = "10.1000/x_y%z#1"


@pytest.fixture
def rich_item():
    """Every exported variable, with the text that writers get wrong: Chinese and accented
    names and words, curly and straight quotes, a dash, line breaks, URL characters."""
    return {
        "id": "rich",
        "type": "article-journal",
        "title": 'Über “One Belt” and "Road" – 应急管理\nsecond line',
        "author": [
            {"family": "习", "given": "近平"},
            {"literal": "全国人民代表大会常务委员会"},
            {"family": "Poussin", "dropping-particle": "de la", "given": "Charles"},
        ],
        "editor": [{"family": "Gödel", "given": "Kurt"}],
        "container-title": "Journal of\nThings",
        "volume": 3,
        "issue": "2",
        "page": "12\u201319",
        "publisher": "Press & Co.",
        "publisher-place": "Beijing",
        "DOI": RICH_DOI,
        "URL": RICH_URL,
        "accessed": {"date-parts": [[2026, 11, 24]]},
        "issued": {"date-parts": [[2020, 3, 5]]},
        "language": "zh-CN",
        "note": "Note 1\n\nNote 2\tend",
    }


def test_bibtex_keeps_text_as_written_and_urls_verbatim(rich_item):
    """UTF-8 stays UTF-8 (no \\"u, no warnings for Chinese), straight quotes stay straight,
    a page range is BibTeX's "--", line breaks fold (a blank line would be a \\par), and
    url and doi are verbatim fields, as biblatex reads them and Zotero's own export writes
    them: no LaTeX escapes, no \\url{}, only what would end the value percent-encoded."""
    text = to_bibtex(rich_item)
    assert text == (
        "@article{rich,\n"
        "  author = {习, 近平 and {全国人民代表大会常务委员会} and de la Poussin, Charles},\n"
        "  editor = {Gödel, Kurt},\n"
        '  title = {{Über} “{One} {Belt}” and "{Road}" – 应急管理 second line},\n'
        "  journal = {Journal of Things},\n"
        "  volume = {3},\n"
        "  number = {2},\n"
        "  pages = {12--19},\n"
        "  publisher = {Press \\& Co.},\n"
        "  address = {Beijing},\n"
        "  year = {2020},\n"
        "  date = {2020-03-05},\n"
        "  doi = {10.1000/x_y%z#1},\n"
        "  url = {https://example.org/a_b/c%20d?x=1&y=%7B2%7D#frag~1%202},\n"
        "  urldate = {2026-11-24},\n"
        "  note = {Note 1 Note 2 end}\n"
        "}\n"
    )
    entry = parse_bibtex(text)
    assert [(name.von, name.last, name.first) for name in entry["author"]] == [
        ([], ["习"], ["近平"]),
        ([], ["{全国人民代表大会常务委员会}"], []),
        (["de", "la"], ["Poussin"], ["Charles"]),
    ]
    assert entry["title"] == " ".join(rich_item["title"].split())
    assert entry["pages"] == "12\u201319"
    # Verbatim fields are read without LaTeX decoding, as biber reads them.
    (raw,) = bibtexparser.parse_string(text).entries
    assert raw["doi"] == RICH_DOI
    assert "\\" not in raw["url"] and unquote(raw["url"]) == unquote(RICH_URL)


def test_ris_writes_one_crlf_line_per_tag_in_order_and_nothing_else(rich_item):
    """TY first and ER last with no numbering line around them, every line ending in CRLF
    as the RIS specification says, names as "Last, First", line breaks folded."""
    text = to_ris(rich_item)
    assert text == (
        "TY  - JOUR\r\n"
        "ID  - rich\r\n"
        "AU  - 习, 近平\r\n"
        "AU  - 全国人民代表大会常务委员会\r\n"
        "AU  - de la Poussin, Charles\r\n"
        "A2  - Gödel, Kurt\r\n"
        'TI  - Über “One Belt” and "Road" – 应急管理 second line\r\n'
        "T2  - Journal of Things\r\n"
        "PY  - 2020\r\n"
        "DA  - 2020/03/05\r\n"
        "VL  - 3\r\n"
        "IS  - 2\r\n"
        "SP  - 12\r\n"
        "EP  - 19\r\n"
        "PB  - Press & Co.\r\n"
        "CY  - Beijing\r\n"
        f"DO  - {RICH_DOI}\r\n"
        f"UR  - {RICH_URL}\r\n"
        "Y2  - 2026/11/24\r\n"
        "LA  - zh-CN\r\n"
        "N1  - Note 1 Note 2 end\r\n"
        "ER  - \r\n"
    )
    (record,) = rispy.loads(text)
    assert record["authors"] == ["习, 近平", "全国人民代表大会常务委员会", "de la Poussin, Charles"]
    assert record["secondary_authors"] == ["Gödel, Kurt"]
    assert (record["start_page"], record["end_page"]) == ("12", "19")
    assert (record["doi"], record["notes"]) == (RICH_DOI, ["Note 1 Note 2 end"])


def test_keys_are_ascii_and_deterministic():
    assert citation_key({"id": "Xu-2019 Ärger/应急"}) == "Xu-2019-Arger"
    chinese_key = citation_key({"id": "应急管理"})
    assert chinese_key.startswith("ref-") and chinese_key.isascii()
    assert chinese_key == citation_key({"id": "应急管理"})


@pytest.mark.parametrize(
    ("csl_type", "bibtex_type", "ris_type", "bibtex_field"),
    [
        ("article-newspaper", "article", "NEWS", ("journal", "China Daily")),
        ("webpage", "online", "ELEC", ("howpublished", "China Daily")),
        ("legislation", "misc", "STAT", ("type", "Legislation")),
        ("treaty", "misc", "LEGAL", ("type", "Treaty")),
        ("bill", "misc", "BILL", ("type", "Bill")),
        ("interview", "misc", "GEN", ("type", "Interview")),
    ],
)
def test_type_mapping(csl_type, bibtex_type, ris_type, bibtex_field):
    item = {
        "id": "typed",
        "type": csl_type,
        "title": "A title",
        "container-title": "China Daily",
        "issued": {"date-parts": [[2020, 3]]},
        "page": "12\u201319",  # an en dash, as page ranges often have
    }
    entry = parse_bibtex(to_bibtex(item))
    assert entry.entry_type == bibtex_type
    name, value = bibtex_field
    assert entry[name] == value
    assert (entry["year"], entry["date"], entry["pages"]) == ("2020", "2020-03", "12\u201319")
    (record,) = rispy.loads(to_ris(item))
    assert record["type_of_reference"] == ris_type
    assert record["secondary_title"] == "China Daily"
    assert (record["year"], record["date"]) == ("2020", "2020/03")
    assert (record["start_page"], record["end_page"]) == ("12", "19")


@pytest.mark.parametrize("export", [to_bibtex, to_ris, to_csl_json])
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "  "}, "has no title"),
        ({"type": "tweet"}, "unknown CSL type"),
        ({"author": [{"given": "Jinping"}]}, "needs a 'family' or 'literal' name"),
        ({"author": [{"family": "Xi", "given": 5}]}, "must be text"),
        ({"issued": {"literal": "late 2019"}}, "'issued' must look like"),
    ],
)
def test_bad_items_raise_citation_error(speech, export, change, message):
    speech.update(change)
    with pytest.raises(CitationError, match=message):
        export(speech)


@pytest.mark.parametrize("export", [to_bibtex, to_ris])
def test_non_text_field_raises_citation_error(speech, export):
    speech["volume"] = ["3"]
    with pytest.raises(CitationError, match="'volume' must be text"):
        export(speech)


def test_unserialisable_item_raises_citation_error(speech):
    speech["custom"] = object()
    with pytest.raises(CitationError, match="not JSON-serialisable"):
        to_csl_json(speech)
