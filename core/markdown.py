"""Markdown for the text fields that allow formatting (summaries, descriptions,
abstracts, notes): rendered, then sanitised with nh3 so that whatever an editor
types (or pastes) cannot run script on a public page, in a feed or in the API.

Plain fields such as titles are never rendered: templates escape them."""

import html
from functools import lru_cache

import markdown as markdown_lib
import nh3
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "em",
    "h3",
    "h4",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=2048)
def render_markdown(text):
    """Safe HTML for a Markdown text; the same text always renders the same."""
    if not text:
        return mark_safe("")
    html = markdown_lib.markdown(text, output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 (sanitised by nh3 just above)


def markdown_to_text(text):
    """The words of a Markdown text without markup, for meta descriptions and feeds."""
    return html.unescape(nh3.clean(render_markdown(text), tags=set()))
