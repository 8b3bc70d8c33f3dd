"""cite.bib, cite.ris and cite.json after every citable page's address (the entry's primary
item: the work where there is one apart from emgov's record), cite.record.bib,
cite.record.ris and cite.record.json (emgov's record of it), and the cite box and
reference-manager metadata of every citable page."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from citations import to_bibtex, to_csl_json, to_ris
from citations.entries import csl_item, formatted_citations, page_metadata
from core.registry import registry
from core.throttle import throttled

DOWNLOADS = {
    "bib": (to_bibtex, "application/x-bibtex"),
    "ris": (to_ris, "application/x-research-info-systems"),
    "json": (to_csl_json, "application/vnd.citationstyles.csl+json"),
}


@throttled("citations")
def entry_citation(request, fmt, *, type_key, **url_kwargs):
    """The download of a published entry's citation, for the type named in the route
    (`type_key`), found by the same address parts as its page."""
    entry_type = registry[type_key]
    entry = get_object_or_404(
        with_parent(entry_type, entry_type.model.objects.published()),
        **entry_type.lookup(**url_kwargs),
    )
    which, _, fmt = fmt.rpartition(".")
    convert, content_type = DOWNLOADS[fmt]
    item = csl_item(entry, request, which=which or "primary")
    response = HttpResponse(convert(item), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{item["id"]}.{fmt}"'
    return response


def with_parent(entry_type, queryset):
    return queryset.select_related(entry_type.parent) if entry_type.parent else queryset


class CitableMixin:
    """Adds the cite box and the reference-manager metadata to a detail page."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.object
        groups = formatted_citations(entry, self.request)
        context["citation_groups"] = groups
        # The first group alone, as the page showed before there were two.
        context["citations"] = groups[0][1] if groups else []
        context["citation_metadata"] = page_metadata(
            entry,
            self.request,
            description=" ".join(self.get_abstract(entry).split()[:40]),
            abstract=self.get_abstract(entry),
        )
        return context

    def get_abstract(self, entry):
        """The entry's full text of record: a source's abstract, a directive's summary."""
        for field in ("abstract", "summary", "description", "text"):
            value = getattr(entry, field, "")
            if value:
                return value
        return ""
