"""The query string of /search/ and /timeline/, validated before any query runs.
An unknown or malformed value is dropped with a message naming it; the rest of the
search still runs (STYLE.md 6 and 10)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from core.filters import YearField, known_country, known_slug
from core.models import Theme
from core.registry import public_tags, registry
from search import parsing
from search.models import SearchFacet


class FacetForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=lambda: [("", _("All types"))] + [(t.key, t.label) for t in registry.all()],
    )
    theme = forms.CharField(
        label=_("Theme"), required=False, max_length=120, validators=[known_slug(Theme)]
    )

    def filters(self):
        """The index's filters (SearchDocumentQuerySet.with_facets' keyword arguments,
        and search.services.search's `filters`), from the valid fields."""
        data = getattr(self, "cleaned_data", {})
        facets = []
        if data.get("theme"):
            theme = Theme.objects.get(slug=data["theme"])
            facets.append((SearchFacet.Kind.THEME, str(theme.pk)))
        if data.get("country"):
            facets.append((SearchFacet.Kind.COUNTRY, data["country"].lower()))
        if data.get("tag"):
            facets.append((SearchFacet.Kind.TAG, data["tag"]))
        return {"entry_type": data.get("type") or None, "year": data.get("year"), "facets": facets}

    def selected(self):
        """The valid, non-empty choices, to show as removable chips."""
        data = getattr(self, "cleaned_data", {})
        return {name: value for name, value in data.items() if value not in (None, "")}

    def error_messages(self):
        return {name: " ".join(messages) for name, messages in self.errors.items()}


class SearchForm(FacetForm):
    q = forms.CharField(label=_("Search"), required=False, strip=False)
    year = YearField(label=_("Year"), required=False)
    country = forms.CharField(
        label=_("Country"), required=False, max_length=2, validators=[known_country]
    )
    tag = forms.CharField(
        label=_("Tag"),
        required=False,
        max_length=120,
        validators=[known_slug(Tag, public=public_tags)],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("relevance", _("Relevance")), ("date", _("Date, newest first"))],
    )

    field_order = ["q", "type", "theme", "year", "country", "tag", "sort"]

    def clean_q(self):
        text, self.shortened = parsing.normalise(self.cleaned_data["q"])
        return text

    def selected(self):
        return {
            name: value for name, value in super().selected().items() if name not in ("q", "sort")
        }


class TimelineForm(FacetForm):
    type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=lambda: [("", _("All types"))] + [(t.key, t.label) for t in registry.on_timeline()],
    )
