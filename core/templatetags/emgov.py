from django import template

from core.markdown import markdown_to_text, render_markdown

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters changed (None removes one),
    so pagination and facet links keep the filters a reader has chosen."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    if "page" not in changes:
        params.pop("page", None)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def card_template(entry_type):
    return f"includes/cards/{entry_type.key}.html"


@register.filter(is_safe=True)
def markdown(text):
    """Markdown rendered to sanitised HTML (core.markdown)."""
    return render_markdown(text)


@register.filter
def markdown_text(text):
    """Markdown reduced to its words, escaped like any text (for meta descriptions)."""
    return markdown_to_text(text)
