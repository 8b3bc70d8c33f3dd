"""cite.bib, cite.ris and cite.json after every citable page's address."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from citations import to_bibtex, to_csl_json, to_ris
from cooperation.models import Agreement, Mechanism
from core.citing import csl_item, formatted_citations, page_metadata
from core.models import Source
from policies.models import Directive, Provision

DOWNLOADS = {
    "bib": (to_bibtex, "application/x-bibtex"),
    "ris": (to_ris, "application/x-research-info-systems"),
    "json": (to_csl_json, "application/vnd.citationstyles.csl+json"),
}


def citation_download(request, entry, fmt):
    convert, content_type = DOWNLOADS[fmt]
    item = csl_item(entry, request)
    response = HttpResponse(convert(item), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{item["id"]}.{fmt}"'
    return response


def published_or_404(queryset, **lookup):
    return get_object_or_404(queryset.published(), **lookup)


def directive_citation(request, slug, fmt):
    return citation_download(request, published_or_404(Directive.objects, slug=slug), fmt)


def provision_citation(request, slug, number, fmt):
    provision = published_or_404(
        Provision.objects.select_related("directive"), directive__slug=slug, number=number
    )
    return citation_download(request, provision, fmt)


def agreement_citation(request, slug, fmt):
    return citation_download(request, published_or_404(Agreement.objects, slug=slug), fmt)


def mechanism_citation(request, slug, fmt):
    return citation_download(request, published_or_404(Mechanism.objects, slug=slug), fmt)


def source_citation(request, slug, fmt):
    return citation_download(request, published_or_404(Source.objects, slug=slug), fmt)


class CitableMixin:
    """Adds the cite box and the reference-manager metadata to a detail page."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.object
        context["citations"] = formatted_citations(entry, self.request)
        context["citation_metadata"] = page_metadata(
            entry, self.request, description=self.get_description(entry)
        )
        return context

    def get_description(self, entry):
        for field in ("summary", "description", "abstract", "text"):
            value = getattr(entry, field, "")
            if value:
                return " ".join(value.split()[:40])
        return ""
