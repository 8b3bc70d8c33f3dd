"""The admin's search box on entry lists, answered from the search index."""

from django.urls import reverse

from search import parsing
from search.indexing import key_for
from search.models import SearchDocument


def search_entries(request, queryset, search_term):
    """The entries of `queryset` whose index document matches, or None to let the
    admin search its fields as usual: for autocomplete, which sends word fragments
    as they are typed, and when the index finds nothing (a fragment in the list's
    search box), so that an editor never gets less than before."""
    key = key_for(queryset.model)
    query = parsing.parse(parsing.normalise(search_term)[0])
    if key is None or query.is_empty or request.path == reverse("admin:autocomplete"):
        return None
    # Drafts are indexed too (is_published=False), so editors find them here.
    matches = SearchDocument.objects.filter(entry_type=key).matching(query)
    found = queryset.filter(pk__in=matches.values("object_id"))
    return found if found.exists() else None
