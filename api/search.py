"""The API's `?q=`: kept to this one function so that it can move to the site's
full-text search index once that exists, without touching the views or filters."""

from django.db.models import Q

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10


def search(queryset, query, fields):
    """Entries in which every word of the query appears in at least one of the fields.

    A plain case-insensitive substring match: it works the same on SQLite and
    PostgreSQL, and on Chinese text, which has no spaces between words."""
    for term in query.split()[:MAX_TERMS]:
        match = Q()
        for field in fields:
            match |= Q(**{f"{field}__icontains": term})
        queryset = queryset.filter(match)
    return queryset
