import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import TagFilter, ThemeFilter, YearFilter, known_slug
from core.models import Organization, Theme
from policies.models import Directive


class DirectiveFilter(django_filters.FilterSet):
    theme = ThemeFilter(validators=[known_slug(Theme)])
    kind = django_filters.ChoiceFilter(choices=Directive.Kind.choices, label=_("Kind"))
    body = django_filters.CharFilter(
        field_name="issuing_body__slug",
        label=_("Issuing body"),
        validators=[known_slug(Organization)],
    )
    year = YearFilter("date")
    tag = TagFilter()

    class Meta:
        model = Directive
        fields = ["theme", "kind", "body", "year", "tag"]
