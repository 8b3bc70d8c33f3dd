from django import template

from core.templatetags.emgov import query_with

register = template.Library()


@register.simple_tag(takes_context=True)
def query_setting(context, name, value=None):
    """query_with for a parameter named by a variable: the current query string with
    `name` set to `value`, or removed when value is None (a facet's remove link)."""
    return query_with(context, **{name: value})
