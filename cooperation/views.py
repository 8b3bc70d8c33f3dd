from django.db.models import Count, Prefetch
from django.views.generic import DetailView, TemplateView

from citations.views import CitableMixin
from cooperation.filters import AgreementFilter
from cooperation.models import Agreement, AgreementLink, Mechanism
from core.models import Country
from core.pagination import paginate_by_key
from core.registry import registry
from core.views_mixins import FilteredListMixin, PublishedDetailMixin, paginate
from findings.models import Finding


class AgreementListView(FilteredListMixin, TemplateView):
    filterset_class = AgreementFilter
    template_name = "cooperation/agreement_list.html"

    def get_base_queryset(self):
        return (
            Agreement.objects.published()
            .select_related("mechanism")
            .prefetch_related("themes", "party_countries")
        )


class AgreementDetailView(CitableMixin, PublishedDetailMixin, DetailView):
    model = Agreement
    template_name = "cooperation/agreement_detail.html"

    def get_queryset(self):
        return Agreement.objects.select_related("mechanism").prefetch_related(
            "themes",
            "tags",
            "party_countries",
            "party_organizations",
            "sources",
            Prefetch(
                "links",
                queryset=AgreementLink.objects.published(assuming="agreement").select_related(
                    "directive", "provision"
                ),
            ),
            Prefetch(
                "findings",
                queryset=Finding.objects.published().select_related("source"),
            ),
        )

    def get_context_data(self, **kwargs):
        agreement = self.object
        return super().get_context_data(
            sources=[s for s in agreement.sources.all() if s.is_published],
            mechanism=agreement.mechanism
            if agreement.mechanism_id and agreement.mechanism.is_published
            else None,
            **kwargs,
        )


class MechanismListView(TemplateView):
    template_name = "cooperation/mechanism_list.html"

    def get_context_data(self, **kwargs):
        mechanisms = Mechanism.objects.published().prefetch_related("themes")
        return super().get_context_data(page_obj=paginate(self.request, mechanisms), **kwargs)


class MechanismDetailView(CitableMixin, PublishedDetailMixin, DetailView):
    model = Mechanism
    template_name = "cooperation/mechanism_detail.html"

    def get_queryset(self):
        return Mechanism.objects.prefetch_related(
            "themes", "tags", "member_countries", "member_organizations", "sources"
        )

    def get_context_data(self, **kwargs):
        mechanism = self.object
        return super().get_context_data(
            agreements=registry["agreements"].published().filter(mechanism=mechanism),
            sources=[s for s in mechanism.sources.all() if s.is_published],
            **kwargs,
        )


class CountryListView(TemplateView):
    template_name = "cooperation/country_list.html"

    def get_context_data(self, **kwargs):
        published = Agreement.published_condition("agreements__")
        countries = (
            Country.objects.published()
            .annotate(agreement_count=Count("agreements", filter=published, distinct=True))
            .order_by("region", "name")
        )
        regions = {}
        for country in countries:
            regions.setdefault(country.region or "—", []).append(country)
        return super().get_context_data(regions=sorted(regions.items()), **kwargs)


class CountryDetailView(DetailView):
    model = Country
    template_name = "cooperation/country_detail.html"
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_queryset(self):
        return Country.objects.published()

    def get_object(self, queryset=None):
        self.kwargs["code"] = self.kwargs["code"].upper()
        return super().get_object(queryset)

    def get_context_data(self, **kwargs):
        country = self.object
        return super().get_context_data(
            # Paginated: a country may be party to hundreds of agreements.
            agreements=paginate_by_key(
                self.request, registry["agreements"].published().filter(party_countries=country)
            ),
            mechanisms=registry["mechanisms"].published().filter(member_countries=country),
            organizations=country.organizations.published(),
            **kwargs,
        )
