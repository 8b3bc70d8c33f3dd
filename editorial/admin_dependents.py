"""The admin's confirmation before a step that changes other entries' pages:
withdrawing or deleting an entry that published entries link to lists those entries,
with their pages, and goes ahead only once the reviewer confirms (as Django's own
delete confirmation lists what a delete takes with it). What links where is
editorial.dependents' question."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from editorial.dependents import linking_entries
from editorial.workflow import REVIEW_PERMISSION

CONFIRM_FIELD = "confirmed_links"


def withdrawal_confirmation(model_admin, request, entries, *, hidden, action_url=""):
    """The confirmation page for withdrawing `entries`, or None when no published entry
    links to any of them or the reviewer has confirmed. `hidden` is the form's other
    fields ([(name, value)]), posted again with the confirmation."""
    if request.POST.get(CONFIRM_FIELD) == "yes" or not request.user.has_perm(REVIEW_PERMISSION):
        return None  # confirmed, or refused by the workflow anyway
    affected = [(entry, linking_entries(entry)) for entry in entries]
    affected = [(entry, links) for entry, links in affected if links]
    if not affected:
        return None
    return TemplateResponse(
        request,
        "admin/withdraw_confirmation.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": _("Withdraw: other pages will change"),
            "opts": model_admin.model._meta,
            "affected": affected,
            "hidden": hidden,
            "action_url": action_url,
            "confirm_field": CONFIRM_FIELD,
        },
    )


class ConfirmsLinkedPages(admin.ModelAdmin):
    """Django's delete confirmation (of one entry or of the selected ones), with the
    published entries whose pages lose their link to what is deleted."""

    delete_confirmation_template = "admin/entry_delete_confirmation.html"
    delete_selected_confirmation_template = "admin/entry_delete_selected_confirmation.html"

    def get_deleted_objects(self, objs, request):
        # Both confirmations ask this, with the entries to delete; the templates read
        # the answer off the request, which both of them have in their context.
        request.linked_pages = [(obj, links) for obj in objs if (links := linking_entries(obj))]
        return super().get_deleted_objects(objs, request)
