from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin_base import EntryAdmin, ProtectLinkedAdmin
from core.models import Country, Organization, Source, SourceAuthor, Theme


@admin.register(Theme)
class ThemeAdmin(ProtectLinkedAdmin):
    list_display = ["name", "name_zh", "parent", "order", "slug"]
    list_editable = ["order"]
    list_filter = [("parent", admin.EmptyFieldListFilter)]
    search_fields = ["name", "name_zh", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(Country)
class CountryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "region", "subregion", "bri_partner_since"]
    list_filter = ["region", ("bri_partner_since", admin.EmptyFieldListFilter)]
    search_fields = ["name", "official_name", "code"]
    autocomplete_fields = ["bri_source"]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        # The country list comes from ISO 3166-1 (load_seed); editors annotate it.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(ProtectLinkedAdmin):
    list_display = ["name", "abbreviation", "kind", "country"]
    list_filter = ["kind"]
    search_fields = ["name", "name_original", "abbreviation"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["country"]
    list_select_related = ["country"]


class SourceAuthorInline(admin.TabularInline):
    model = SourceAuthor
    extra = 0
    fields = ["position", "family_name", "given_name", "literal_name"]


@admin.register(Source)
class SourceAdmin(ProtectLinkedAdmin, EntryAdmin):
    list_display = ["title", "kind", "outlet", "published_on", "status"]
    list_filter = ["status", "kind", "themes"]
    search_fields = [
        "title",
        "title_original",
        "outlet",
        "authors__family_name",
        "identifier",
    ]
    date_hierarchy = "published_on"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SourceAuthorInline]
    fieldsets = [
        (None, {"fields": ["title", "title_original", "slug", "kind", "status"]}),
        (
            _("Publication"),
            {
                "fields": [
                    "outlet",
                    "publisher",
                    "institution",
                    ("published_on", "date_precision"),
                    ("volume", "issue", "pages"),
                    "language",
                    "identifier",
                ]
            },
        ),
        (_("Online"), {"fields": ["url", "archived_url", "accessed_on"]}),
        (_("Content"), {"fields": ["abstract", "note", "themes", "tags"]}),
        EntryAdmin.record_fieldset,
    ]
