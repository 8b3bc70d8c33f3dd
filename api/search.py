"""The API's `?q=`. On entries it is the site's own full-text search, through the one
entry point the /search/ page and the admin use (search.services.search), over
published documents only, so that `?q=` finds what /search/ finds; the collection's
other filters, its order and its pagination stay the API's own. Themes and countries
are reference data with no document in the index: on them `?q=` matches words in
their names (and a theme's description), as substrings."""

from django.db.models import Q

from search.services import search

MAX_TERMS = 10


def matching_entries(queryset, text):
    """The entries of `queryset` whose published index document matches `text`. A text
    with nothing to search for (no letters or digits) finds nothing."""
    found = search(text=text)
    if found.query.is_empty:
        return queryset.none()
    return found.entries(queryset)


def matching_names(queryset, text, fields):
    """Rows in which every word of `text` appears in at least one of the fields: a
    case-insensitive substring match, which also serves Chinese names, written without
    spaces between words."""
    for term in text.split()[:MAX_TERMS]:
        match = Q()
        for field in fields:
            match |= Q(**{f"{field}__icontains": term})
        queryset = queryset.filter(match)
    return queryset
