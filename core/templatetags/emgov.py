import json

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from core.markdown import markdown_to_text, render_markdown

register = template.Library()


@register.filter
def card_template(entry_type):
    return f"includes/cards/{entry_type.key}.html"


@register.simple_tag(takes_context=True)
def theme_chips(context, themes):
    """The chips linking an entry's themes, written in Python: an included template
    for each card of a list was a fifth of the card's time. Each theme's address is
    reversed once a request (a list's cards share a few themes; a reverse() was two
    thirds of a chip's time)."""
    if not themes:
        return ""
    request = context.get("request")
    known = request.__dict__.setdefault("_theme_urls", {}) if request is not None else {}
    language = translation.get_language()
    chips = []
    for theme in themes:
        url = known.get((language, theme.slug))
        if url is None:
            url = known[language, theme.slug] = theme.get_absolute_url()
        chips.append((url, theme.name))
    return format_html(
        '<ul class="chips">{}</ul>', format_html_join("", '<li><a href="{}">{}</a></li>', chips)
    )


@register.filter(is_safe=True)
def markdown(text):
    """Markdown rendered to sanitised HTML (core.markdown)."""
    return render_markdown(text)


@register.filter
def markdown_text(text):
    """Markdown reduced to its words, escaped like any text (for meta descriptions)."""
    return markdown_to_text(text)


JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def jsonld(data):
    """A schema.org object for a <script type="application/ld+json"> data block, with
    <, > and & escaped so editors' text cannot close the element."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES))  # noqa: S308


@register.simple_tag(takes_context=True)
def language_versions(context):
    """[(code, name in that language, this page's address in it, is current)], so the
    switcher and the hreflang alternates link to the same page in each language."""
    request = context["request"]
    current = translation.get_language()
    # Asked twice a page (the hreflang links and the switcher): worked out once, each
    # address being a resolve() and a reverse() of the path.
    known = request.__dict__.setdefault("_language_versions", {})
    if current in known:
        return known[current]
    versions = []
    for code, _name in settings.LANGUAGES:
        url = translate_url(request.get_full_path(), code)
        versions.append(
            (code, translation.get_language_info(code)["name_local"], url, code == current)
        )
    known[current] = versions
    return versions
