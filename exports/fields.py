"""Plain-words documentation of each collection's fields, read from the serializers
themselves, so that /data/ can never fall behind what the API and exports hold."""

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers import LinkedIds, LinkedKeys, PermalinkField

# Most specific first: the first matching class names the field's type.
TYPES = (
    (PermalinkField, _("URL")),
    (LinkedIds, _("list of integers")),
    (LinkedKeys, _("list of text")),
    (serializers.IntegerField, _("integer")),
    (serializers.DateTimeField, _("date and time (ISO 8601, UTC)")),
    (serializers.DateField, _("date (YYYY-MM-DD)")),
    (serializers.URLField, _("URL")),
    (serializers.ChoiceField, _("one of")),
    (serializers.Field, _("text")),
)


def field_type(field):
    return next(label for cls, label in TYPES if isinstance(field, cls))


def describe_collection(viewset):
    """[{name, type, choices, description}] for every field, in export column order."""
    described = []
    for name, field in viewset.serializer_class().fields.items():
        description = " ".join(
            str(text) for text in (field.label and capfirst(field.label), field.help_text) if text
        )
        described.append(
            {
                "name": name,
                "type": field_type(field),
                "choices": list(getattr(field, "choices", {}) or {}),
                "description": description,
            }
        )
    return described
