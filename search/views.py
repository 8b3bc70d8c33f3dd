from django.shortcuts import render
from django.utils.translation import gettext as _

from core.throttle import throttled
from core.views_mixins import paginate
from search import parsing, services
from search.forms import SearchForm, TimelineForm

TIMELINE_PAGE_SIZE = 50


@throttled("search")
def search(request):
    """/search/?q=: form → search service → template."""
    form = SearchForm(request.GET)
    form.is_valid()  # invalid facets are dropped, and named in the page
    data = form.cleaned_data
    filters = form.filters()
    found = services.search(text=data.get("q", ""), filters=filters)
    query = found.query
    browsing = any(value for value in (filters["entry_type"], filters["year"], filters["facets"]))
    notices = []
    if getattr(form, "shortened", False):
        notices.append(
            _("Your search was shortened to its first %(count)d characters.")
            % {"count": parsing.MAX_QUERY_LENGTH}
        )
    if data.get("q") and query.is_empty:
        notices.append(
            _("“%(query)s” has no words to search for: use letters or digits.")
            % {"query": data["q"]}
        )
    outcome = None
    if not query.is_empty or browsing:
        sort = data.get("sort") or ("relevance" if not query.is_empty else "date")
        outcome = found.page(
            selected=form.selected(),
            sort=sort,
            page_number=request.GET.get("page"),
        )
    return render(
        request,
        "search/search.html",
        {
            "form": form,
            "search_query": data.get("q", ""),
            "outcome": outcome,
            "page_obj": outcome.page_obj if outcome else None,
            "selected": form.selected(),
            "chosen": services.chosen_filters(form.selected(), outcome.facets if outcome else []),
            "sort": data.get("sort") or "",
            "notices": notices,
            "filter_errors": form.error_messages(),
            "filter_error_intro": _("Some filters were not understood and were ignored:"),
        },
    )


def timeline(request):
    """/timeline/: dated entries in time order, grouped by year in the template."""
    form = TimelineForm(request.GET)
    form.is_valid()
    page = paginate(request, services.timeline(filters=form.filters()), TIMELINE_PAGE_SIZE)
    return render(
        request,
        "search/timeline.html",
        {
            "timeline_filter": {"form": form},  # the shape includes/filter_form.html reads
            "page_obj": page,
            "selected": form.selected(),
            "filter_errors": form.error_messages(),
            "filter_error_intro": _("Some filters were not understood and were ignored:"),
        },
    )
