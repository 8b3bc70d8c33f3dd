from django import template
from django.template.defaulttags import querystring

register = template.Library()


@register.simple_tag(takes_context=True)
def query_setting(context, name, value=None):
    """Django's {% querystring %} for a parameter named by a variable (a template cannot
    write a variable as a keyword): the current query string with `name` set to
    `value`, or removed when value is None (a facet's remove link), and `page` dropped."""
    return querystring(context, **{"page": None, name: value})
