"""Rendered citations: exact text in each style, safe HTML, and clear errors for bad items.

The expected strings follow the rules of the shipped style files, noted beside each one:
- APA 7 initialises given names and joins the last author with "&"; a dateless item gets
  "(n.d.)" and "Retrieved <accessed>, from <URL>"; a journal article with no journal is
  italicised as a stand-alone work.
- MLA 9 and Chicago write a romanized Chinese name family name first, uninverted and
  without a comma ("Xu Qian", "Xi Jinping"), as their handbooks do (citations.styling).
  Their title case comes from CSL's title-casing, whose stop-word list keeps "Under"
  capitalised. MLA prints a speech's event-date, which is passed the issued date.
- Chicago author-date puts the year, or "n.d.", after the authors and prints
  "Accessed <date>" only when the item has no date.
- GB/T 7714-2015 author-date capitalises family names and gives one initial per pinyin
  syllable without dots ("MENG F H", "XI J P"), marks the document type ([J/OL] journal
  article online, [Z/OL] other, online), and prints (issued)[accessed] dates. The style
  would take the year accessed as an estimated year "[2026]" for an undated work; emgov
  never estimates a year, so an undated work prints no year (and no accessed date, which
  is where the style would take the estimate from).
Quotes inside a title become curly quotes, and apostrophes typographic ones.
"""

import re
from html.parser import HTMLParser

import pytest

from citations import STYLES, Citation, CitationError, engine, render, render_all

XU_URL = "http://127.0.0.1:8000/sources/xu-meng-practice-and-enlightenment/"
XI_URL = "http://127.0.0.1:8000/directives/xi-2019-emergency-management/p3/"
XU_TITLE = (
    "Practice and enlightenment from international cooperation of emergency management "
    "in China under “One Belt, One Road” initiative"
)
XU_TITLE_CASE = (
    "Practice and Enlightenment from International Cooperation of Emergency Management "
    "in China Under “One Belt, One Road” Initiative"
)
# The typographic apostrophe is what the styles print for the item's straight one.
XI_TITLE = (
    "Remarks at the Political Bureau group study session on China’s emergency management "
    "system, point 3"
)
XI_TITLE_CASE = (
    "Remarks at the Political Bureau Group Study Session on China’s Emergency Management "
    "System, Point 3"
)
XI_EVENT = "Group study session of the CPC Central Committee Political Bureau"

JOURNAL_ARTICLE_TEXT = {
    "apa": f"Xu, Q., & Meng, F. (n.d.). {XU_TITLE}. Retrieved November 24, 2026, from {XU_URL}",
    "mla": f"Xu Qian, and Meng Fanhua. {XU_TITLE_CASE}. {XU_URL}. Accessed 24 Nov. 2026.",
    "chicago": (
        f"Xu Qian, and Meng Fanhua. n.d. {XU_TITLE_CASE}. Accessed November 24, 2026. {XU_URL}."
    ),
    "gbt7714": f"XU Q, MENG F H. {XU_TITLE}[J/OL]. {XU_URL}.",
}
SPEECH_TEXT = {
    "apa": f"Xi, J. (2019, November 29). {XI_TITLE}. {XI_EVENT}. {XI_URL}",
    "mla": f"Xi Jinping. “{XI_TITLE_CASE}.” {XI_EVENT}, 29 Nov. 2019, {XI_URL}.",
    "chicago": f"Xi Jinping. 2019. “{XI_TITLE_CASE}.” {XI_EVENT}, November 29. {XI_URL}.",
    "gbt7714": f"XI J P, 2019. {XI_TITLE}[Z/OL]. (2019-11-29)[2026-11-24]. {XI_URL}.",
}


def test_styles_are_the_four_supported():
    assert STYLES == ("apa", "mla", "chicago", "gbt7714")


@pytest.mark.parametrize("style", STYLES)
def test_journal_article_text(journal_article, style):
    assert render(journal_article, style).text == JOURNAL_ARTICLE_TEXT[style]


@pytest.mark.parametrize("style", STYLES)
def test_speech_text(speech, style):
    assert render(speech, style).text == SPEECH_TEXT[style]


def test_render_all_matches_render(journal_article, speech):
    for item, expected in ((journal_article, JOURNAL_ARTICLE_TEXT), (speech, SPEECH_TEXT)):
        citations = render_all(item)
        assert {style: citation.text for style, citation in citations.items()} == expected
        assert citations == {style: render(item, style) for style in STYLES}


def test_journal_article_html(journal_article):
    link = f'<a href="{XU_URL}">{XU_URL}</a>'
    assert render(journal_article, "apa") == Citation(
        text=JOURNAL_ARTICLE_TEXT["apa"],
        html=(
            f"Xu, Q., &amp; Meng, F. (n.d.). <i>{XU_TITLE}</i>. "
            f"Retrieved November 24, 2026, from {link}"
        ),
    )


def test_speech_html(speech):
    link = f'<a href="{XI_URL}">{XI_URL}</a>'
    assert render(speech, "chicago").html == (
        f"Xi Jinping. 2019. “{XI_TITLE_CASE}.” {XI_EVENT}, November 29. {link}."
    )


def test_chinese_item_in_gbt7714():
    """A Chinese item (张三 and co. are placeholder names) renders in GB/T 7714 with pandoc's
    zh-CN locale, whose et-al term is "等"."""
    item = {
        "id": "zh-test-item",
        "type": "article-journal",
        "title": "应急管理部关于应急管理体系建设的研究",
        "language": "zh-CN",
        "author": [
            {"family": "张", "given": "三"},
            {"family": "李", "given": "四"},
            {"family": "王", "given": "五"},
            {"family": "赵", "given": "六"},
        ],
        "container-title": "中国应急管理",
        "issued": {"date-parts": [[2020]]},
        "volume": "3",
        "issue": "2",
        "page": "1-5",
    }
    assert render(item, "gbt7714").text == (
        "张三, 李四, 王五, 等, 2020. 应急管理部关于应急管理体系建设的研究[J]. "
        "中国应急管理, 3(2): 1-5."
    )


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def test_html_cannot_be_injected():
    item = {
        "id": "evil",
        "type": "webpage",
        "title": '<script>alert(1)</script> <img src=x onerror="alert(2)"> <i>kept</i> & more',
        "author": [{"family": '<b onclick="x">Evil</b>', "given": "A"}],
        "URL": "javascript:alert(3)",
    }
    html = render(item, "apa").html
    collector = TagCollector()
    collector.feed(html)
    for tag, attrs in collector.tags:
        assert tag in {"i", "b", "u", "sup", "sub", "span", "a"}
        if tag == "a":
            ((name, href),) = attrs
            assert name == "href" and re.match(r"https?://", href)
        else:
            assert attrs in ([], [("class", "smallcaps")])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<i>kept</i>" in html
    assert "&amp; more" in html


def test_link_only_for_http_urls():
    item = {"id": "ftp", "type": "webpage", "title": "T", "URL": "ftp://example.org/file"}
    citation = render(item, "mla")
    assert "ftp://example.org/file" in citation.html
    assert "<a" not in citation.html


def test_empty_author_list_renders_title_first(speech):
    speech["author"] = []
    assert render(speech, "chicago").text == (
        f"“{XI_TITLE_CASE}.” 2019. {XI_EVENT}, November 29. {XI_URL}."
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": ""}, "has no title"),
        ({"title": None}, "has no title"),
        ({"type": "tweet"}, "unknown CSL type"),
        ({"id": ""}, "needs an 'id'"),
        ({"author": "Xi Jinping"}, "must be a list of names"),
        ({"author": [{"given": "Jinping"}]}, "needs a 'family' or 'literal' name"),
        ({"issued": {"raw": "29 November 2019"}}, "'issued' must look like"),
        ({"issued": {"date-parts": [["late", 11]]}}, "'issued' must look like"),
        ({"translator": "not a list"}, "pandoc failed"),
        ({"accessed": {"date-parts": [[2026, 11, 24, 1]]}}, "has 4 parts"),
    ],
)
def test_bad_items_raise_citation_error(speech, change, message):
    speech.update(change)
    with pytest.raises(CitationError, match=message):
        render_all(speech)


def test_item_must_be_a_dict():
    with pytest.raises(CitationError, match="must be a dict"):
        render(["not", "an", "item"], "apa")


def test_unknown_style(speech):
    with pytest.raises(CitationError, match="Unknown citation style 'harvard'"):
        render(speech, "harvard")


def test_pandoc_timeout_raises_citation_error(speech, monkeypatch):
    monkeypatch.setattr(engine, "PANDOC_TIMEOUT", 0.001)
    with pytest.raises(CitationError, match="did not finish within"):
        render_all(speech)


# The defects of issue #18, each pinned so that it cannot come back.


@pytest.mark.parametrize("style", STYLES)
def test_no_year_is_ever_estimated(journal_article, style):
    """An undated work is "n.d." (APA, Chicago), undated (MLA) or yearless (GB/T 7714, which
    would otherwise print the access year as an estimate, "[2026]")."""
    text = render(journal_article, style).text
    assert "2026" not in text.split("Practice")[0]  # the year, after the authors


def test_undated_work_without_url_has_no_year_at_all(journal_article):
    del journal_article["URL"], journal_article["accessed"]
    texts = {style: render(journal_article, style).text for style in STYLES}
    assert all("2026" not in text for text in texts.values())
    assert "(n.d.)" in texts["apa"] and " n.d. " in texts["chicago"]
    assert texts["gbt7714"].startswith("XU Q, MENG F H. Practice")


def test_gbt7714_gives_one_initial_per_pinyin_syllable(journal_article, speech):
    assert render(journal_article, "gbt7714").text.startswith("XU Q, MENG F H.")
    assert render(speech, "gbt7714").text.startswith("XI J P, 2019.")
    western = {**journal_article, "author": [{"family": "Smith", "given": "John Ronald"}]}
    assert render(western, "gbt7714").text.startswith("SMITH J R.")


def test_gbt7714_names_an_anonymous_western_work_anon_and_a_chinese_one_yiming():
    report = {
        "id": "report",
        "type": "article-newspaper",
        "title": "Placeholder headline",
        "container-title": "Example Broadcaster",
        "issued": {"date-parts": [[2019, 12, 1]]},
        "language": "en",
    }
    assert render(report, "gbt7714").text.startswith("Anon, 2019. Placeholder headline[N].")
    assert "佚名" in render({**report, "language": "zh-CN", "title": "标题"}, "gbt7714").text


def test_gbt7714_type_code_is_online_only_with_a_url(journal_article):
    assert "[J/OL]" in render(journal_article, "gbt7714").text
    del journal_article["URL"]
    assert "[J]." in render(journal_article, "gbt7714").text


def test_organisation_keeps_its_spelling_in_every_style():
    record = {
        "id": "record",
        "type": "webpage",
        "title": "A record",
        "author": [{"literal": "emgov"}],
        "issued": {"date-parts": [[2026, 11, 20]]},
        "URL": "http://127.0.0.1:8000/a/",
    }
    for citation in render_all(record).values():
        assert citation.text.startswith("emgov")
        assert "EMGOV" not in citation.text and "Emgov" not in citation.text


def test_cjk_text_is_never_italic():
    item = {
        "id": "zh-italics",
        "type": "article-journal",
        "title": "应急管理研究 (a placeholder title)",
        "author": [{"family": "张", "given": "三"}],
        "container-title": "中国应急管理 Review",
        "issued": {"date-parts": [[2020]]},
        "language": "zh-CN",
    }
    for citation in render_all(item).values():
        for match in re.finditer(r"<i>(.*?)</i>", citation.html):
            assert engine.CJK_RUN.search(match[1]) is None, citation.html
    assert "<i> Review</i>" in render(item, "apa").html


def test_bracketed_description_is_neither_title_cased_nor_italic(speech):
    speech["title"] = "[Remarks on modernizing the system]"
    speech["type"] = "webpage"
    for style, citation in render_all(speech).items():
        assert "[Remarks on modernizing the system]" in citation.text, style
        assert "<i>[" not in citation.html
