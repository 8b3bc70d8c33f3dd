from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from core.models import Status
from core.registry import registry
from editorial.pending import changes_awaiting_review

register = template.Library()

QUEUE_LIMIT = 50


def _change_url(entry):
    opts = entry._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[entry.pk])


@register.simple_tag
def awaiting_review():
    """Entries of every kind submitted for review, and changes to published entries
    held for review, oldest first, for the admin index."""
    queue = [
        {
            "entry": change.entry,
            "type": _("change to a published %(type)s") % {"type": change.entry._meta.verbose_name},
            "url": _change_url(change.entry) + "#pending-change",
            "at": change.updated_at,
        }
        for change in changes_awaiting_review().prefetch_related("entry")[:QUEUE_LIMIT]
        if change.entry is not None
    ]
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
                    "url": _change_url(entry),
                    "at": entry.updated_at,
                }
            )
    return sorted(queue, key=lambda item: item["at"])
