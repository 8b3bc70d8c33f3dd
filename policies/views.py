from django.db.models import Prefetch, Q
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
    links public once the directive is (see PublicQuerySet.published). By agreement:
    the rest of the model's order (the directive's and the provision's own) is the
    same for every link of one directive's whole text or of one of its points, and
    two joins to compile and run."""
    return (
        AgreementLink.objects.published(assuming="directive")
        .select_related("agreement")
        .order_by("agreement")
    )


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
                # One directive's provisions: its number is their whole order (the
                # model's order puts the directive's own date and title first, a join).
                queryset=Provision.objects.order_by("number").prefetch_related(
                    "themes",
                    Prefetch(
                        "findings", queryset=Finding.objects.published().select_related("source")
                    ),
                ),
            ),
        )

    def get_context_data(self, **kwargs):
        directive = self.object
        directive_url = directive.get_absolute_url()
        provisions = directive.provisions.all()
        # The links to the whole text and to each point in one query: a link to a point
        # carries its directive too (AgreementLink.save). Split in the query's order, each
        # group is in the order a query of its own gave it.
        whole_text_links, by_provision = [], {}
        for link in agreement_links().filter(directive=directive):
            if link.provision_id is None:
                whole_text_links.append(link)
            else:
                by_provision.setdefault(link.provision_id, []).append(link)
        for provision in provisions:
            provision.page_links = by_provision.get(provision.pk, [])
            # Its address under the directive's, without a reverse() for each point.
            provision.page_url = provision.address_under(directive_url)
        outgoing, incoming = directive_relations(directive)
        sources = [s for s in directive.sources.all() if s.is_published]
        return super().get_context_data(
            provisions=provisions,
            whole_text_links=whole_text_links,
            outgoing_relations=outgoing,
            incoming_relations=incoming,
            sources=sources,
            source_names=source_names(sources),
            **kwargs,
        )


def directive_relations(directive):
    """(outgoing, incoming): the directive's public relations to others and theirs to
    it, in one query. The model's order (the first directive's date and title, then
    the kind) is the order of each: outgoing ones share their first directive, so they
    go by kind."""
    relations = (
        DirectiveRelation.objects.filter(
            Q(from_directive=directive)
            & DirectiveRelation.published_condition(assuming="from_directive")
            | Q(to_directive=directive)
            & DirectiveRelation.published_condition(assuming="to_directive")
        )
        .select_related("from_directive", "to_directive")
        .only(
            "kind",
            "from_directive__slug",
            "from_directive__title",
            "to_directive__slug",
            "to_directive__title",
        )
    )
    outgoing, incoming = [], []
    for relation in relations:
        (outgoing if relation.from_directive_id == directive.pk else incoming).append(relation)
    return outgoing, incoming


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
            Provision.objects.filter(directive=provision.directive)
            .order_by("number")
            .values_list("number", flat=True)
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
