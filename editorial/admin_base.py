"""What every entry's admin shares: the workflow (actions on the list, buttons on
the change page), history with a field-by-field diff and revert, restoring deleted
entries, optimistic locking, and the record-keeping fields read-only."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import get_text_list
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from core.models import Status
from editorial.admin_dependents import ConfirmsLinkedPages, withdrawal_confirmation
from editorial.history import (
    changes_since,
    deleted_entries,
    entry_restore,
    entry_revert,
    one_version,
)
from editorial.pending import (
    describe_change,
    is_gated,
    pending_change,
    propose_change,
    working_copy,
)
from editorial.workflow import (
    CHANGE_STEPS,
    REVIEW_PERMISSION,
    TRANSITIONS,
    available_transitions,
    entry_transition,
    status_changes,
)
from search import signals as search_signals


class AccessibleAutocompleteMixin:
    """Names the autocomplete widgets after their labels (see the script)."""

    class Media:
        js = ["admin_extra/select2-labels.js"]


def error_text(error):
    """A ValidationError or PermissionDenied as one plain sentence or two."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


class VersionedEntryForm(forms.ModelForm):
    """Carries the version the editor started from; a save from an older version is
    refused with a message naming who changed what meanwhile (optimistic locking)."""

    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    change_reason = forms.CharField(
        label=_("Reason for this change"),
        max_length=500,
        required=False,
        help_text=_(
            "A sentence for the record, e.g. “Corrected the date from the source”. "
            "For a published entry it is shown with the new version once a reviewer "
            "publishes it."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["edit_version"].initial = self.instance.version

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is None:
            return cleaned_data
        started_from = cleaned_data.get("edit_version")
        # The admin saves in a transaction: the row stays locked until it commits,
        # so two saves that arrive together are still checked one after the other.
        current = (
            type(self.instance)
            ._default_manager.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        if started_from is None or current is None or started_from == current:
            return cleaned_data
        users, fields = changes_since(self.instance, started_from)
        message = _t("Not saved: %(users)s saved this %(type)s while you were editing it.") % {
            "users": get_text_list(users, _t("and")) if users else _t("someone else"),
            "type": self.instance._meta.verbose_name,
        }
        if fields:
            message += " " + _t("Changed meanwhile: %(fields)s.") % {
                "fields": get_text_list(fields, _t("and"))
            }
        message += " " + _t(
            "Copy what you want to keep, reload the page to see the current version, "
            "and make your changes again."
        )
        raise ValidationError(message, code="edit_conflict")


def once_public(entry):
    """Whether the entry is, or has ever been, public (or is on its way there): its
    permalink may have been cited, so only a reviewer may delete it. A withdrawn and
    sent-back draft keeps its first publication time."""
    return entry.status != Status.DRAFT or entry.published_at is not None


def seen_version(data):
    """The entry version a form was rendered with, or None when it sent none usable."""
    value = data.get("seen_version", "")
    return int(value) if value.isascii() and value.isdecimal() else None


class EntryAdmin(ConfirmsLinkedPages, AccessibleAutocompleteMixin, SimpleHistoryAdmin):
    form = VersionedEntryForm
    list_filter = ["status", "themes"]
    autocomplete_fields = ["themes"]
    readonly_fields = ["status", "published_at", "created_at", "updated_at"]
    list_per_page = 50
    actions = ["submit_for_review", "publish", "send_back", "withdraw"]
    save_on_top = True
    change_form_template = "admin/entry_change_form.html"
    change_list_template = "admin/entry_change_list.html"
    object_history_form_template = "admin/entry_revert.html"
    record_fieldset = (
        _("Record"),
        {
            "classes": ["collapse"],
            "fields": ["published_at", "created_at", "updated_at"],
        },
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("themes")

    def get_fieldsets(self, request, obj=None):
        # The hidden version travels with the first fieldset.
        fieldsets = super().get_fieldsets(request, obj)
        name, options = fieldsets[0]
        extra = ["edit_version", "change_reason"] if obj is not None else ["edit_version"]
        return [(name, {**options, "fields": [*options["fields"], *extra]}), *fieldsets[1:]]

    def get_search_results(self, request, queryset, search_term):
        # The search index (stemmed, ranked, fast on large tables) answers first.
        from search.admin_search import search_entries

        found = search_entries(request, queryset, search_term)
        if found is None:
            return super().get_search_results(request, queryset, search_term)
        return found, False

    @admin.display(description=_("themes"))
    def theme_list(self, obj):
        return ", ".join(theme.name for theme in obj.themes.all())

    # Saving: the entry, its links and inline rows make one version in its history,
    # and are indexed for search once, when all are saved.

    # A published entry is edited on a working copy: what the form saves is held as
    # its pending change, and the published version stays public (editorial.pending).

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            with (
                transaction.atomic(using=router.db_for_write(self.model)),
                search_signals.deferred(),
            ):
                return self.gated_changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            # A rule the save checks again under its lock (an old slug taken by a rename
            # committed meanwhile): nothing was written; say why instead of a 500.
            self.message_user(request, error_text(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def gated_changeform_view(self, request, object_id, form_url, extra_context):
        """A published entry is edited on a working copy (see above)."""
        entry = self.get_object(request, unquote(object_id)) if object_id else None
        if entry is None or not is_gated(entry):
            return super().changeform_view(request, object_id, form_url, extra_context)
        if request.method != "POST" and pending_change(entry) is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with working_copy(entry) as copy:
            request.emgov_working_copy = copy
            response = super().changeform_view(request, object_id, form_url, extra_context)
            # The form and its inline rows are read from the working copy.
            if hasattr(response, "render"):
                response.render()
        return response

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        obj.skip_history_when_saving = True
        obj.save()

    def save_related(self, request, form, formsets, change):
        reason = form.cleaned_data.get("change_reason", "").strip()
        default = _t("Changed in the admin") if change else _t("Added in the admin")
        with one_version(
            form.instance, user=request.user, reason=reason or default, created=not change
        ):
            super().save_related(request, form, formsets, change)
        copy = getattr(request, "emgov_working_copy", None)
        if copy is not None:
            copy.capture(user=request.user, reason=reason)

    def response_change(self, request, obj):
        copy = getattr(request, "emgov_working_copy", None)
        if copy is None:
            return super().response_change(request, obj)
        if copy.proposed == copy.base:
            message = _t("Nothing differs from the published version now; no change is waiting.")
        else:
            message = _t(
                "Saved for review: the published version of “%(entry)s” stays public until "
                "a reviewer publishes your change."
            ) % {"entry": obj}
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(self.change_url(obj))

    # Deleting a public entry takes a reviewer; a deleted entry can be restored.

    def has_review_permission(self, request):
        return request.user.has_perm(REVIEW_PERMISSION)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not self.may_delete(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def may_delete(self, request, obj):
        """A published entry is withdrawn, never deleted (its permalink answers 410);
        one that was ever public is deleted only by a reviewer."""
        if obj.status == Status.PUBLISHED:
            return False
        return not once_public(obj) or self.has_review_permission(request)

    def get_deleted_objects(self, objs, request):
        # The delete page and the bulk action both ask here: refuse each entry the
        # rules keep, by name.
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        for obj in objs:
            if obj.status == Status.PUBLISHED:
                protected.append(
                    _t("“%(entry)s” is published: withdraw it first.") % {"entry": obj}
                )
            elif not self.may_delete(request, obj):
                protected.append(
                    _t("“%(entry)s” has been public: only a reviewer may delete it.")
                    % {"entry": obj}
                )
        return to_delete, model_count, perms_needed, protected

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_review_permission(request):
            actions.pop("delete_selected", None)
        return actions

    # Workflow actions on the change list.

    def run_transition(self, request, queryset, name):
        transition = TRANSITIONS[name]
        comment = request.POST.get("comment", "").strip()
        if transition.needs_comment and not comment:
            return TemplateResponse(
                request,
                "admin/transition_comment.html",
                {
                    **self.admin_site.each_context(request),
                    "title": transition.label,
                    "opts": self.model._meta,
                    "transition": transition,
                    "entries": queryset,
                    "action": name,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                    "missing_comment": "comment" in request.POST,
                },
            )
        if name == "withdraw":  # pages that link to them change: confirm first
            selected = [(admin.helpers.ACTION_CHECKBOX_NAME, entry.pk) for entry in queryset]
            hidden = [("action", name), ("comment", comment), *selected]
            confirmation = withdrawal_confirmation(self, request, queryset, hidden=hidden)
            if confirmation is not None:
                return confirmation
        done, refused = 0, []
        for entry in queryset:
            try:
                entry_transition(entry=entry, user=request.user, name=name, comment=comment)
                done += 1
            except (ValidationError, PermissionDenied) as error:
                refused.append(f"{entry}: {error_text(error)}")
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d entry is now %(status)s.",
                    "%(count)d entries are now %(status)s.",
                    done,
                )
                % {"count": done, "status": Status(transition.target).label.lower()},
                messages.SUCCESS,
            )
        for reason in refused:
            self.message_user(request, reason, messages.ERROR)
        return None

    @admin.action(description=_("Submit the selected entries for review"), permissions=["change"])
    def submit_for_review(self, request, queryset):
        return self.run_transition(request, queryset, "submit")

    @admin.action(description=_("Publish the selected entries"), permissions=["review"])
    def publish(self, request, queryset):
        return self.run_transition(request, queryset, "publish")

    @admin.action(
        description=_("Send the selected entries back to the editor"), permissions=["review"]
    )
    def send_back(self, request, queryset):
        return self.run_transition(request, queryset, "send_back")

    @admin.action(description=_("Withdraw the selected entries"), permissions=["review"])
    def withdraw(self, request, queryset):
        return self.run_transition(request, queryset, "withdraw")

    # Extra pages: workflow buttons, revert, deleted entries.

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/workflow/",
                view(self.transition_view),
                name="{}_{}_workflow".format(*info),
            ),
            path("deleted/", view(self.deleted_view), name="{}_{}_deleted".format(*info)),
            path(
                "deleted/<int:entry_id>/restore/",
                view(self.restore_view),
                name="{}_{}_restore".format(*info),
            ),
            *super().get_urls(),
        ]

    def change_url(self, obj):
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])

    def changelist_view(self, request, extra_context=None):
        opts = self.model._meta
        extra_context = {
            "deleted_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_deleted"),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra_context = extra_context or {}
        if obj is not None:
            change = pending_change(obj)
            may_review = self.has_review_permission(request)
            extra_context.update(
                transitions=available_transitions(request.user, obj),
                status_changes=status_changes(obj)[:10],
                entry_version=obj.version,
                pending_change=change,
                pending_description=describe_change(obj, change) if change else [],
                may_review_change=may_review,
                may_discard_change=change is not None
                and (may_review or request.user.pk in change.contributor_ids),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def transition_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise Http404
        name = request.POST.get("transition", "")
        if name in CHANGE_STEPS:
            return self.change_step(request, obj, name)
        if name == "withdraw" and request.POST.get("comment", "").strip():
            names = ("transition", "comment", "seen_version")  # pages that link to it change
            hidden = [(field, request.POST.get(field, "")) for field in names]
            confirmation = withdrawal_confirmation(self, request, [obj], hidden=hidden)
            if confirmation is not None:
                return confirmation
        try:
            entry_transition(
                entry=obj,
                user=request.user,
                name=name,
                comment=request.POST.get("comment", ""),
                seen_version=seen_version(request.POST),
            )
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, error_text(error), messages.ERROR)
        else:
            self.message_user(
                request,
                _t("“%(entry)s” is now %(status)s.")
                % {"entry": obj, "status": Status(obj.status).label.lower()},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(self.change_url(obj))

    def change_step(self, request, obj, name):
        """Publish, send back or discard the entry's pending change."""
        step = CHANGE_STEPS[name]
        kwargs = {"entry": obj, "user": request.user, "seen_revision": seen_version(request.POST)}
        if name != "discard_change":
            kwargs["comment"] = request.POST.get("comment", "")
        try:
            step(**kwargs)
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, error_text(error), messages.ERROR)
            return HttpResponseRedirect(self.change_url(obj))
        done = {
            "publish_change": _t("The change to “%(entry)s” is published."),
            "send_back_change": _t("The change to “%(entry)s” is sent back to its editors."),
            "discard_change": _t(
                "The change to “%(entry)s” is discarded; the published version stays."
            ),
        }[name] % {"entry": obj}
        self.log_change(request, obj, done)
        self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(self.change_url(obj))

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A past version beside the current one, with a button to revert to it."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        record = get_object_or_404(obj.history, history_id=version_id)
        may_revert = self.has_change_permission(request, obj)
        if request.method == "POST":
            if not may_revert:
                raise PermissionDenied
            try:
                held = self.revert(request, obj, record)
            except ValidationError as error:
                self.message_user(request, error_text(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _t("The revert is saved for review; the published version stays until then.")
                    if held
                    else _t("Reverted to the earlier version."),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(self.change_url(obj))
        current = obj.history.order_by("-history_date", "-history_id").first()
        delta = current.diff_against(
            record, excluded_fields=["version", "updated_at"], foreign_keys_are_objs=True
        )
        opts = self.model._meta
        changes = [
            {
                "field": opts.get_field(change.field).verbose_name,
                "then": _display(opts.get_field(change.field), change.old),
                "now": _display(opts.get_field(change.field), change.new),
            }
            for change in delta.changes
        ]
        return TemplateResponse(
            request,
            self.object_history_form_template,
            {
                **self.admin_site.each_context(request),
                "title": _t("Revert “%(entry)s”") % {"entry": obj},
                "opts": opts,
                "object": obj,
                "record": record,
                "changes": changes,
                "may_revert": may_revert,
            },
        )

    def revert(self, request, obj, record):
        """Revert, held for review when the entry is published. True when held."""
        if not is_gated(obj):
            entry_revert(entry=obj, record=record, user=request.user)
            return False
        with transaction.atomic(using=router.db_for_write(self.model)):
            propose_change(
                obj,
                user=request.user,
                reason=_t("Reverted to an earlier version"),
                write=lambda entry: entry_revert(entry=entry, record=record, user=request.user),
            )
        return True

    def deleted_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        return TemplateResponse(
            request,
            "admin/deleted_entries.html",
            {
                **self.admin_site.each_context(request),
                "title": _t("Deleted %(type)s") % {"type": self.model._meta.verbose_name_plural},
                "opts": self.model._meta,
                "records": deleted_entries(self.model)[:200],
                "may_restore": self.has_add_permission(request),
            },
        )

    def restore_view(self, request, entry_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_add_permission(request):
            raise PermissionDenied
        try:
            entry = entry_restore(model=self.model, entry_id=entry_id, user=request.user)
        except ValidationError as error:
            self.message_user(request, error_text(error), messages.ERROR)
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_deleted")
            )
        self.message_user(
            request,
            _t("“%(entry)s” is restored, as a draft.") % {"entry": entry},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self.change_url(entry))


def _display(field, value):
    """A value from a history diff for people: names of linked things, not ids."""
    if field.many_to_many:
        target = field.m2m_reverse_field_name()
        return ", ".join(str(row[target]) for row in value) or "—"
    return "—" if value in (None, "") else value


class ProtectLinkedAdmin(SimpleHistoryAdmin):
    """Shows, on the delete page, the entries that still use a theme or source,
    so the editor sees why it cannot be deleted instead of an error."""

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        for obj in objs:
            for entry in obj.linked_entries():
                protected.append(
                    format_html("{}: {}", entry._meta.verbose_name.capitalize(), entry)
                )
        return to_delete, model_count, perms_needed, protected
