"""Formatted citations of one CSL-JSON item, rendered by pandoc's citeproc.

Pandoc is the binary bundled in the pinned pypandoc-binary wheel rather than whatever pandoc
is on PATH, because the exact output depends on pandoc's version. It renders a bibliography
entry, not an in-text citation, with the official style files in ``styles/``.

Pandoc returns its document tree (JSON) and the text and HTML are built from that tree here,
so the HTML holds only the tags below, every string from the item is escaped, and only
http(s) URLs become links. Two typographic rules are applied while building the HTML, because
no style can state them: Chinese, Japanese and Korean text is never set in italics (those
scripts have no italic, and browsers slant the glyphs instead), and a bracketed description
that stands in for a title ("[Remarks on ...]") is not italicised, as APA 7 (9.29) prints it.

Each style renders the copy of the item that `styling.for_style` prepares for it; styles whose
copies are the same share one pandoc run. See docs/citations.md.
"""

import functools
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

import pypandoc

from .items import CitationError, csl_json, validate_item
from .styling import for_style, is_description

PACKAGE_DIR = Path(__file__).resolve().parent
LUA_FILTER = PACKAGE_DIR / "citeproc.lua"
STYLES_DIR = PACKAGE_DIR / "styles"
STYLE_FILES = {
    "apa": "apa.csl",
    "mla": "modern-language-association.csl",
    "chicago": "chicago-author-date.csl",
    # The author-date variant reads as a reference-list entry; the numeric one starts with
    # a "[1]" that only makes sense inside a numbered list.
    "gbt7714": "china-national-standard-gb-t-7714-2015-author-date.csl",
}
STYLES = tuple(STYLE_FILES)
PANDOC_TIMEOUT = 20  # seconds; a run takes about 0.1 s, so this only catches a stuck pandoc.

HTML_TAGS = {
    "Emph": "<i>{}</i>",
    "Strong": "<b>{}</b>",
    "Underline": "<u>{}</u>",
    "Superscript": "<sup>{}</sup>",
    "Subscript": "<sub>{}</sub>",
    # A class rather than a style attribute, which a strict Content-Security-Policy blocks.
    "SmallCaps": '<span class="smallcaps">{}</span>',
}
SPACES = {"Space", "SoftBreak", "LineBreak"}
LINK_SCHEMES = {"http", "https"}
# Han, kana, hangul and CJK punctuation and symbols (full-width forms included).
CJK_RUN = re.compile(
    "([\u2e80-\u2fff\u3000-\u30ff\u3100-\u31ff\u3200-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]+)"
)


@dataclass(frozen=True)
class Citation:
    """One rendered bibliography entry: plain text, and an HTML fragment safe to embed."""

    text: str
    html: str


def render(item, style):
    """Render item (a CSL-JSON dict) as a bibliography entry in one of STYLES."""
    if style not in STYLE_FILES:
        raise CitationError(f"Unknown citation style {style!r}; choose one of {STYLES}.")
    return _render(item, (style,))[style]


def render_all(item):
    """Render item in every style of STYLES with a single pandoc run: {style: Citation}."""
    return _render(item, STYLES)


def _render(item, styles):
    validate_item(item)
    groups = {}  # one pandoc run per distinct prepared item
    for style in styles:
        prepared = for_style(item, style)
        groups.setdefault(csl_json(prepared), (prepared, []))[1].append(style)
    rendered = {}
    for prepared, group_styles in groups.values():
        sections = _run_pandoc(
            prepared, [STYLES_DIR / STYLE_FILES[style] for style in group_styles]
        )
        if len(sections) != len(group_styles):
            raise CitationError(
                f"pandoc returned {len(sections)} bibliographies for {group_styles}."
            )
        for style, section in zip(group_styles, sections, strict=True):
            citation = _citation(_entry_inlines(section["c"][1]))
            rendered[style] = _keep_literal_names(citation, prepared)
    return {style: rendered[style] for style in styles}


def _keep_literal_names(citation, item):
    """Print a literal name (an organisation, "emgov") as it is spelled: GB/T 7714's style
    upper-cases every family name, which for a Western person it should, but an
    organisation's name is not a family name."""
    text, html = citation.text, citation.html
    for name in item.get("author", []):
        literal = name.get("literal", "")
        if literal and literal.upper() != literal:
            text = text.replace(literal.upper(), literal)
            html = html.replace(escape(literal.upper()), escape(literal))
    return Citation(text=text, html=html)


@functools.cache
def _pandoc_binary():
    """Path of the pandoc binary shipped inside the pypandoc-binary wheel."""
    binary = shutil.which("pandoc", path=Path(pypandoc.__file__).parent / "files")
    if binary is None:
        raise CitationError("pandoc not found: install the pinned pypandoc-binary wheel.")
    return binary


def _run_pandoc(item, style_paths):
    """Run pandoc with citeproc.lua and return its top-level blocks, one Div per style.

    --sandbox stops pandoc's readers and writers from fetching anything; --data-dir points at
    this package so that a user's pandoc data directory (its init.lua, say) plays no part.
    """
    command = [
        _pandoc_binary(),
        "--sandbox",
        "--from=csljson",
        "--to=json",
        f"--data-dir={PACKAGE_DIR}",
        f"--lua-filter={LUA_FILTER}",
        *(f"--metadata=emgov-csl={path}" for path in style_paths),
    ]
    try:
        result = subprocess.run(
            command,
            input=csl_json(item).encode(),
            capture_output=True,
            timeout=PANDOC_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise CitationError(f"pandoc did not finish within {PANDOC_TIMEOUT} seconds.") from exc
    except OSError as exc:
        raise CitationError(f"pandoc could not be started: {exc}") from exc
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        raise CitationError(f"pandoc failed (exit {result.returncode}): {message}")
    return json.loads(result.stdout)["blocks"]


def _entry_inlines(blocks):
    """The inline elements of the first bibliography entry (class csl-entry) in blocks."""
    for block in blocks:
        if block["t"] != "Div":
            continue
        (_, classes, _), children = block["c"]
        if "csl-entry" in classes:
            return [
                inline
                for child in children
                if child["t"] in {"Para", "Plain"}
                for inline in child["c"]
            ]
        inlines = _entry_inlines(children)
        if inlines:
            return inlines
    return []


def _citation(inlines):
    if not inlines:
        raise CitationError("pandoc rendered no bibliography entry.")
    return Citation(text=_text(inlines).strip(), html=_html(inlines).strip())


def _text(inlines):
    return "".join(_inline_text(inline) for inline in inlines)


def _inline_text(inline):
    kind = inline["t"]
    if kind == "Str":
        return inline["c"]
    if kind in SPACES:
        return " "
    return _text(_children(inline))


def _html(inlines):
    return "".join(_inline_html(inline) for inline in inlines)


def _inline_html(inline):
    kind = inline["t"]
    if kind == "Str":
        return escape(inline["c"])
    if kind in SPACES:
        return " "
    content = _html(_children(inline))
    if kind == "Emph":
        return _italic(content, _text(_children(inline)))
    if kind in HTML_TAGS:
        return HTML_TAGS[kind].format(content)
    if kind == "Link":
        url = inline["c"][2][0]
        if urlsplit(url).scheme.lower() in LINK_SCHEMES:
            return f'<a href="{escape(url)}">{content}</a>'
    return content


def _italic(content, text):
    """<i>content</i>, except for CJK runs and bracketed descriptions, which stay upright."""
    if is_description(text):
        return content
    if not CJK_RUN.search(text):
        return HTML_TAGS["Emph"].format(content)
    if "<" in content:
        return content  # markup inside: splitting it around CJK runs could break nesting
    italic = CJK_RUN.sub(r"</i>\1<i>", HTML_TAGS["Emph"].format(content))
    return italic.replace("<i></i>", "")


def _children(inline):
    """The inlines inside a container element of the kinds citeproc produces."""
    kind = inline["t"]
    if kind in HTML_TAGS:
        return inline["c"]
    if kind in {"Span", "Link"}:
        return inline["c"][1]
    raise CitationError(f"Unexpected element in pandoc's output: {kind}.")
