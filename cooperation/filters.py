import django_filters
from django.utils.translation import gettext_lazy as _

from cooperation.models import Agreement, Mechanism
from core.filters import (
    CountryFilter,
    TagFilter,
    ThemeFilter,
    YearFilter,
    known_country,
    known_slug,
)
from core.models import Theme


class AgreementFilter(django_filters.FilterSet):
    theme = ThemeFilter(validators=[known_slug(Theme)])
    kind = django_filters.ChoiceFilter(choices=Agreement.Kind.choices, label=_("Kind"))
    country = CountryFilter("party_countries", validators=[known_country])
    status = django_filters.ChoiceFilter(
        field_name="agreement_status",
        choices=Agreement.AgreementStatus.choices,
        label=_("Status"),
    )
    mechanism = django_filters.CharFilter(
        field_name="mechanism__slug",
        label=_("Mechanism"),
        validators=[known_slug(Mechanism)],
    )
    year = YearFilter("signed_on")
    tag = TagFilter()

    class Meta:
        model = Agreement
        fields = ["theme", "kind", "country", "status", "mechanism", "year", "tag"]
