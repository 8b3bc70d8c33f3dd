"""Filter pieces that several collections share. Unknown values are form errors,
which the list views turn into a message and the unfiltered default."""

import re

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from core.models import Country, Theme
from core.registry import tagged, under_themes


class ThemeFilter(django_filters.CharFilter):
    """?theme=<slug>: entries under that theme or any of its sub-themes."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Theme"))
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        theme = Theme.objects.filter(slug=value).first()
        if theme is None:
            return qs.none()
        return qs.filter(under_themes(qs.model, theme.descendant_ids()))


class YearField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1000)
        kwargs.setdefault("max_value", 9999)
        super().__init__(**kwargs)


# A whole year, for the API's schema too (django-filter's NumberFilter reads as "number").
@extend_schema_field({"type": "integer", "minimum": 1000, "maximum": 9999})
class YearFilter(django_filters.NumberFilter):
    field_class = YearField

    def __init__(self, field_name, **kwargs):
        kwargs.setdefault("label", _("Year"))
        super().__init__(field_name=f"{field_name}__year", **kwargs)


class TagFilter(django_filters.CharFilter):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Tag"))
        super().__init__(field_name="tags__slug", **kwargs)

    def filter(self, qs, value):
        return qs.filter(tagged(qs.model, tag__slug=value)) if value else qs


class CountryFilter(django_filters.CharFilter):
    """?country=np (ISO 3166-1 alpha-2, any case)."""

    def __init__(self, field_name, **kwargs):
        kwargs.setdefault("label", _("Country"))
        kwargs.setdefault("max_length", 2)
        super().__init__(field_name=field_name, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__code": value.upper()}).distinct()


SLUG_PATTERN = re.compile(r"^[-a-z0-9]{1,120}$")
COUNTRY_PATTERN = re.compile(r"^[A-Za-z]{2}$")


def known_slug(model, public=None):
    """A form validator that turns an unknown slug into a plain-words error.

    Malformed values are refused before any query: Django runs every validator even
    after one fails, and PostgreSQL rejects strings with NUL bytes outright. `public`
    gives the rows the public may see, for a model without `published()` (tags:
    core.registry.public_tags)."""

    def validate(value):
        if not value:
            return
        # Entries are looked up among published ones only, so that a filter cannot be
        # used to learn that a draft with a given slug exists.
        candidates = (public or getattr(model.objects, "published", model.objects.all))()
        if not SLUG_PATTERN.match(value) or not candidates.filter(slug=value).exists():
            # Values go in params, never into the message itself: a value holding "%"
            # would otherwise break the formatting that DRF's filter backend does.
            raise forms.ValidationError(
                _("There is no such %(thing)s: “%(value)s”."),
                code="unknown",
                params={"thing": model._meta.verbose_name, "value": value},
            )

    return validate


def known_country(value):
    if not value:
        return
    if not COUNTRY_PATTERN.match(value) or not Country.objects.filter(code=value.upper()).exists():
        raise forms.ValidationError(
            _("“%(value)s” is not an ISO 3166-1 country code."),
            code="unknown",
            params={"value": value},
        )
