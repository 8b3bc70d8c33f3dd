"""What each style's handbook asks of an item that the official CSL style cannot say itself.

The styles are used unchanged; `for_style(item, style)` gives the copy of the item that one
style renders. Every rule here is listed in docs/citations.md and pinned by a test:

- A bracketed description (a title of the form "[...]", used for a work with no title of its
  own, APA 7 9.29) is protected from title case, which would make it read as a title.
- A romanized Chinese name (pinyin family and given name) is written as each handbook says:
  APA 7 keeps "Xi, J."; MLA 9 and Chicago write it uninverted, family name first and without
  a comma ("Xi Jinping"); GB/T 7714-2015 gives one initial per syllable ("XI J P").
- GB/T 7714-2015 takes the year accessed as an estimated year ("[2026]") when a work has no
  date; emgov never estimates a year, so an undated work goes to that style without its
  accessed date (and so prints no year at all).
- GB/T 7714-2015 names an anonymous work "佚名" in Chinese and "Anon" in a Western language;
  the style prints "佚名" for all, so a Western-language item without an author says "Anon".
- MLA dates a speech by its event date; the item's issued date is passed as that.
"""

import copy

from .pinyin import given_syllables, is_pinyin_name

ANONYMOUS_WESTERN = "Anon"
NOCASE = '<span class="nocase">{}</span>'


def for_style(item, style):
    """The item as `style` should render it (a new dict; `item` is left unchanged)."""
    prepared = copy.deepcopy(item)
    if is_description(prepared.get("title", "")):
        prepared["title"] = NOCASE.format(prepared["title"])
    names = prepared.get("author", [])
    if style in {"mla", "chicago"}:
        prepared["author"] = [_uninverted(name) for name in names]
    if style == "mla" and prepared.get("type") == "speech" and "issued" in prepared:
        prepared.setdefault("event-date", prepared["issued"])
    if style == "gbt7714":
        prepared["author"] = [_initials_per_syllable(name) for name in names]
        if not prepared["author"] and not is_chinese(prepared):
            prepared["author"] = [{"literal": ANONYMOUS_WESTERN}]
        if "issued" not in prepared:
            prepared.pop("accessed", None)
    if not prepared.get("author"):
        prepared.pop("author", None)
    return prepared


def is_description(title):
    """A bracketed description standing in for a title, as APA 7 writes one."""
    title = title.strip()
    return title.startswith("[") and title.endswith("]")


def is_chinese(item):
    return str(item.get("language", "")).lower().startswith("zh")


def _uninverted(name):
    if is_pinyin_name(name):
        return {"literal": f"{name['family']} {name['given']}"}
    return name


def _initials_per_syllable(name):
    if is_pinyin_name(name):
        syllables = (part[:1].upper() + part[1:] for part in given_syllables(name["given"]))
        return {**name, "given": " ".join(syllables)}
    return name
