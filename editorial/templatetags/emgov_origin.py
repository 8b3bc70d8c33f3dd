"""{% entry_origin entry as origin %}: where an entry came from and when it last
changed, for the record line on every entry's page (includes/record_origin.html)."""

from django import template

from core.models import Origin
from core.registry import registry
from editorial.origin import documents_of, origin_of

register = template.Library()


@register.simple_tag
def entry_origin(entry):
    owner = registry.for_model(entry).owner(entry)
    origin = origin_of(entry)
    documents = documents_of(entry) if origin == Origin.STARTER else []
    return {
        "origin": origin,
        "label": Origin(origin).label if origin else "",
        "documents": documents,
        "updated_at": owner.updated_at,
    }
