"""What every entry's admin shares: status at a glance, publish actions,
autocomplete for themes, and the record-keeping fields read-only."""

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.models import Status


class AccessibleAutocompleteMixin:
    """Names the autocomplete widgets after their labels (see the script)."""

    class Media:
        js = ["admin_extra/select2-labels.js"]


class EntryAdmin(AccessibleAutocompleteMixin, admin.ModelAdmin):
    list_filter = ["status", "themes"]
    autocomplete_fields = ["themes"]
    readonly_fields = ["published_at", "created_at", "updated_at"]
    list_per_page = 50
    actions = ["publish", "return_to_draft"]
    save_on_top = True
    record_fieldset = (
        _("Record"),
        {
            "classes": ["collapse"],
            "fields": ["published_at", "created_at", "updated_at"],
        },
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("themes")

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

    def set_status(self, request, queryset, status):
        changed = 0
        for entry in queryset.exclude(status=status):
            entry.status = status
            entry.save()
            changed += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d entry is now %(status)s.",
                "%(count)d entries are now %(status)s.",
                changed,
            )
            % {"count": changed, "status": Status(status).label.lower()},
            messages.SUCCESS,
        )

    @admin.action(description=_("Publish the selected entries"), permissions=["change"])
    def publish(self, request, queryset):
        self.set_status(request, queryset, Status.PUBLISHED)

    @admin.action(description=_("Return the selected entries to draft"), permissions=["change"])
    def return_to_draft(self, request, queryset):
        self.set_status(request, queryset, Status.DRAFT)


class ProtectLinkedAdmin(admin.ModelAdmin):
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
