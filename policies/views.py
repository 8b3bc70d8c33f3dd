from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import DetailView, TemplateView

from citations.views import CitableMixin
from cooperation.models import AgreementLink
from core.models import Source
from core.views_mixins import FilteredListMixin, PublishedDetailMixin
from findings.models import Finding
from policies.filters import DirectiveFilter
from policies.models import Directive, DirectiveRelation, Provision


def agreement_links():
    """A directive's or a provision's links to agreements, as its page lists them: the
    links public once the directive is (see PublicQuerySet.published)."""
    return AgreementLink.objects.published(assuming="directive").select_related("agreement")


class DirectiveListView(FilteredListMixin, TemplateView):
    filterset_class = DirectiveFilter
    template_name = "policies/directive_list.html"

    def get_base_queryset(self):
        return (
            Directive.objects.published().select_related("issuing_body").prefetch_related("themes")
        )


class DirectiveDetailView(CitableMixin, PublishedDetailMixin, DetailView):
    model = Directive
    template_name = "policies/directive_detail.html"

    def get_queryset(self):
        return Directive.objects.select_related("issuing_body__source").prefetch_related(
            "themes",
            "tags",
            "sources",
            Prefetch(
                "provisions",
                queryset=Provision.objects.prefetch_related(
                    "themes",
                    Prefetch("agreement_links", queryset=agreement_links()),
                    Prefetch(
                        "findings", queryset=Finding.objects.published().select_related("source")
                    ),
                ),
            ),
            Prefetch(
                "outgoing_relations",
                queryset=DirectiveRelation.objects.published(
                    assuming="from_directive"
                ).select_related("to_directive"),
            ),
            Prefetch(
                "incoming_relations",
                queryset=DirectiveRelation.objects.published(
                    assuming="to_directive"
                ).select_related("from_directive"),
            ),
        )

    def get_context_data(self, **kwargs):
        directive = self.object
        whole_text_links = agreement_links().filter(directive=directive, provision__isnull=True)
        sources = [s for s in directive.sources.all() if s.is_published]
        return super().get_context_data(
            provisions=directive.provisions.all(),
            whole_text_links=whole_text_links,
            sources=sources,
            source_names=source_names(sources),
            **kwargs,
        )


def source_names(sources):
    """The sources named in a sentence: 'CGTN, “Xi stresses …”'."""
    return "; ".join(source.short_reference for source in sources)


class ProvisionDetailView(CitableMixin, PublishedDetailMixin, DetailView):
    """One point of a directive on its own page: the pinpoint citation target."""

    model = Provision
    slug_model = Directive
    template_name = "policies/provision_detail.html"

    def renamed_url(self, directive):
        return reverse(
            "policies:provision", kwargs={"slug": directive.slug, "number": self.kwargs["number"]}
        )

    def get_object(self, queryset=None):
        provision = get_object_or_404(
            self.get_queryset(),
            directive__slug=self.kwargs["slug"],
            number=self.kwargs["number"],
        )
        return self.check_visibility(provision)

    def get_queryset(self):
        return Provision.objects.select_related("directive__issuing_body").prefetch_related(
            "themes",
            "tags",
            Prefetch("directive__sources", queryset=Source.objects.published()),
            Prefetch("agreement_links", queryset=agreement_links()),
            Prefetch(
                "findings",
                queryset=Finding.objects.published().select_related("source"),
            ),
        )

    def get_context_data(self, **kwargs):
        provision = self.object
        siblings = list(
            Provision.objects.filter(directive=provision.directive).values_list("number", flat=True)
        )
        index = siblings.index(provision.number)
        sources = list(provision.directive.sources.all())
        return super().get_context_data(
            directive=provision.directive,
            sources=sources,
            source_names=source_names(sources),
            previous_number=siblings[index - 1] if index > 0 else None,
            next_number=siblings[index + 1] if index + 1 < len(siblings) else None,
            **kwargs,
        )
