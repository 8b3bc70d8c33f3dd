from django import template
from django.urls import reverse

from core.models import Status
from core.registry import registry

register = template.Library()

QUEUE_LIMIT = 50


@register.simple_tag
def awaiting_review():
    """Entries of every kind submitted for review, oldest first, for the admin index."""
    queue = []
    for entry_type in registry.all():
        model = entry_type.model
        if not any(field.name == "status" for field in model._meta.fields):
            continue  # provisions follow their directive
        opts = model._meta
        for entry in model.objects.filter(status=Status.IN_REVIEW).order_by("updated_at")[
            :QUEUE_LIMIT
        ]:
            queue.append(
                {
                    "entry": entry,
                    "type": opts.verbose_name,
                    "url": reverse(
                        f"admin:{opts.app_label}_{opts.model_name}_change", args=[entry.pk]
                    ),
                }
            )
    return sorted(queue, key=lambda item: item["entry"].updated_at)
