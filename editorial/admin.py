from django.contrib import admin
from django.db.models import OuterRef, Q, Subquery
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from core.models import Country, LinkCheck, Organization, Source, SourceAuthor, StatusChange, Theme
from editorial import admin_users  # noqa: F401 (registers the accounts' admin)
from editorial.admin_base import AccessibleAutocompleteMixin, EntryAdmin, ProtectLinkedAdmin
from editorial.admin_import import ImportAdminMixin
from editorial.admin_reference import ReferenceDataAdmin
from editorial.models import ImportJob


@admin.register(Theme)
class ThemeAdmin(AccessibleAutocompleteMixin, ReferenceDataAdmin, ProtectLinkedAdmin):
    # No list_editable: every change goes through the form, which asks why.
    list_display = ["name", "name_zh", "parent", "order", "slug"]
    list_filter = [("parent", admin.EmptyFieldListFilter)]
    search_fields = ["name", "name_zh", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(Country)
class CountryAdmin(AccessibleAutocompleteMixin, ReferenceDataAdmin):
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
class OrganizationAdmin(AccessibleAutocompleteMixin, ReferenceDataAdmin, ProtectLinkedAdmin):
    list_display = ["name", "abbreviation", "kind", "country"]
    list_filter = ["kind"]
    search_fields = ["name", "name_original", "abbreviation"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["country"]
    list_select_related = ["country"]


# taggit's own admin lets any staff member merge tags (its merge page checks no
# permission): replaced by one that reviewers alone change, each change with a reason.
admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(ReferenceDataAdmin):
    list_display = ["name", "slug"]
    ordering = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_readonly_fields(self, request, obj=None):
        # A tag's slug is its page's address (/tags/<slug>/), and a tag keeps no old
        # slugs to redirect from: once made, its address stays.
        return ["slug"] if obj is not None else []

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None else self.prepopulated_fields


class SourceAuthorInline(admin.TabularInline):
    model = SourceAuthor
    extra = 0
    fields = ["position", "family_name", "given_name", "literal_name"]


def broken_link_urls():
    return LinkCheck.objects.filter(Q(status_code__isnull=True) | Q(status_code__gte=400)).values(
        "url"
    )


class BrokenLinkFilter(admin.SimpleListFilter):
    title = _("links")
    parameter_name = "links"

    def lookups(self, request, model_admin):
        return [("broken", _("Broken")), ("unchecked", _("Not checked yet"))]

    def queryset(self, request, queryset):
        if self.value() == "broken":
            broken = broken_link_urls()
            return queryset.filter(Q(url__in=broken) | Q(archived_url__in=broken))
        if self.value() == "unchecked":
            checked = LinkCheck.objects.values("url")
            return queryset.exclude(url="").exclude(url__in=checked)
        return queryset


def last_check(field, value):
    return Subquery(LinkCheck.objects.filter(url=OuterRef(field)).values(value)[:1])


@admin.register(Source)
class SourceAdmin(ImportAdminMixin, ProtectLinkedAdmin, EntryAdmin):
    import_collection = "sources"
    list_display = ["title", "kind", "outlet", "published_on", "status", "link_status"]
    list_filter = ["status", BrokenLinkFilter, "kind", "themes"]
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
                    ("date_basis", "date_basis_note"),
                    "updated_on",
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

    def get_queryset(self, request):
        # The last check of each link, in the same query as the list (no N+1).
        return (
            super()
            .get_queryset(request)
            .annotate(
                url_status=last_check("url", "status_code"),
                url_error=last_check("url", "error"),
                url_checked=last_check("url", "checked_at"),
                archived_status=last_check("archived_url", "status_code"),
                archived_error=last_check("archived_url", "error"),
            )
        )

    @admin.display(description=_("link (last checked)"))
    def link_status(self, obj):
        checks = [
            (label, status, error)
            for label, url, status, error in [
                (_("URL"), obj.url, obj.url_status, obj.url_error),
                (_("archive"), obj.archived_url, obj.archived_status, obj.archived_error),
            ]
            if url
        ]
        if not checks:
            return "—"
        parts = format_html_join(
            " · ",
            "{}: {}",
            ((label, describe_check(status, error)) for label, status, error in checks),
        )
        checked = obj.url_checked.date().isoformat() if obj.url_checked else ""
        return format_html("{} {}", parts, checked)


def describe_check(status, error):
    if status is None and error is None:
        return _("not checked")
    if status is None or status >= 400:
        return format_html("<strong>{} {}</strong>", _("broken:"), status or error)
    return str(status)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records the site writes itself: viewable, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LinkCheck)
class LinkCheckAdmin(ReadOnlyAdmin):
    """What `manage.py check_links` found; read-only."""

    list_display = ["url", "status_code", "final_url", "error", "checked_at"]
    list_filter = ["status_code"]
    search_fields = ["url", "final_url"]
    date_hierarchy = "checked_at"


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    """The workflow log across all entries; read-only."""

    list_display = ["at", "content_type", "object_id", "from_status", "to_status", "user"]
    list_filter = ["to_status", "content_type"]
    search_fields = ["comment", "user__username"]
    list_select_related = ["content_type", "user"]
    date_hierarchy = "at"

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    """Every file uploaded for import, with its state and report; read-only. Each keeps
    its file's text in the database: whoever may delete them (superusers; no role is
    given the right) removes old ones here. Editors follow their own from Import."""

    list_display = ["file_name", "collection", "rows", "state", "user", "created_at"]
    list_filter = ["state", "collection"]
    search_fields = ["file_name", "user__username"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    exclude = ["content", "seen_versions"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content", "seen_versions")
