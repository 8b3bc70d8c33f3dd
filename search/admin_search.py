"""The admin's search box on entry lists, answered from the search index."""

from django.urls import reverse

from search.indexing import key_for
from search.services import search


def search_entries(request, queryset, search_term):
    """The entries of `queryset` whose index document matches, drafts included, or
    None to let the admin search its fields as usual: for autocomplete, which sends
    word fragments as they are typed, for a list whose model is not indexed, for a
    term with no words, and when the index finds nothing (a fragment in the list's
    search box), so that an editor never gets less than before."""
    if key_for(queryset.model) is None or request.path == reverse("admin:autocomplete"):
        return None
    found = search(text=search_term, include_drafts=True)
    if found.query.is_empty:
        return None
    entries = found.entries(queryset)
    return entries if entries.exists() else None
