from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from editorial.admin_base import EntryAdmin
from editorial.admin_import import ImportAdminMixin
from findings.models import Finding


@admin.register(Finding)
class FindingAdmin(ImportAdminMixin, EntryAdmin):
    import_collection = "findings"
    list_display = ["__str__", "kind", "source", "number", "status"]
    list_filter = ["status", "kind", "themes"]
    search_fields = ["text", "text_original", "source__title"]
    autocomplete_fields = ["source", "themes", "provisions", "agreements"]
    list_select_related = ["source"]
    fieldsets = [
        (None, {"fields": ["source", "number", "kind", "status"]}),
        (_("Claim"), {"fields": ["text", "text_original", "pinpoint"]}),
        (_("Bears on"), {"fields": ["provisions", "agreements", "themes", "tags"]}),
        EntryAdmin.record_fieldset,
    ]
