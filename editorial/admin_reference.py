"""The admin of reference data: themes, organizations, countries and tags.

They have no workflow of their own, and a change to one is public the moment it is
saved (a theme's name on every page it heads, a tag's on every entry it marks). So
only reviewers (`core.review_entry`) add, change or delete them, and each such
change says why: a required reason on the form (and on the delete page), recorded
with the user in the row's history (`history_change_reason`, `history_user`).
Editors see them, and pick them on entries, as before.
"""

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from editorial.workflow import REVIEW_PERMISSION

# What the history keeps of a reason (simple-history's history_change_reason).
REASON_LENGTH = 100


def reason_field():
    return forms.CharField(
        label=_("Reason for this change"),
        max_length=REASON_LENGTH,
        help_text=_(
            "Required: it is public at once, so say why (recorded with your name in the history)."
        ),
    )


# The reason's name in the forms.
REASON = "change_reason"


class ReasonForm(forms.ModelForm):
    change_reason = reason_field()


class ReferenceDataAdmin(SimpleHistoryAdmin):
    """Changed by reviewers only, each change with a reason in its history."""

    form = ReasonForm
    delete_confirmation_template = "admin/reference_delete_confirmation.html"

    # Only reviewers change reference data, whatever a group grants by hand.

    def is_reviewer(self, request):
        return request.user.has_perm(REVIEW_PERMISSION)

    def has_add_permission(self, request):
        return self.is_reviewer(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.is_reviewer(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.is_reviewer(request) and super().has_delete_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        """The reason goes last, on every form that saves; a reader (an editor) sees
        none."""
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f != REASON]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        if obj is None or self.has_change_permission(request, obj):
            fieldsets.append((None, {"fields": [REASON]}))
        return fieldsets

    def get_actions(self, request):
        # One at a time, from the delete page, which asks why.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        obj._change_reason = form.cleaned_data[REASON]
        super().save_model(request, obj, form, change)  # sets the history's user

    def delete_view(self, request, object_id, extra_context=None):
        """Django's delete page, with a required reason: a POST without one shows the
        page again, saying so, and deletes nothing."""
        extra_context = dict(extra_context or {})
        if request.method == "POST":
            reason_form = forms.Form(request.POST)
            reason_form.fields[REASON] = reason_field()
            if reason_form.is_valid():
                request._change_reason = reason_form.cleaned_data[REASON]
            else:
                extra_context["reason_errors"] = reason_form.errors[REASON]
                extra_context["reason_value"] = request.POST.get(REASON, "")
                # Django's view then shows the confirmation again, as for a GET.
                request.method, request.POST = "GET", QueryDict()
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        obj._history_user = request.user
        obj._change_reason = request._change_reason
        super().delete_model(request, obj)
