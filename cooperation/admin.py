from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cooperation.models import Agreement, AgreementLink, Mechanism
from editorial.admin_base import EntryAdmin
from editorial.admin_import import ImportAdminMixin


@admin.register(Mechanism)
class MechanismAdmin(ImportAdminMixin, EntryAdmin):
    import_collection = "mechanisms"
    list_display = ["name", "established_on", "status"]
    search_fields = ["name", "name_original", "description"]
    date_hierarchy = "established_on"
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = [
        "themes",
        "member_countries",
        "member_organizations",
        "sources",
    ]
    fieldsets = [
        (None, {"fields": ["name", "name_original", "attested_as", "slug", "status"]}),
        (
            _("Details"),
            {
                "fields": [
                    "description",
                    ("established_on", "date_precision"),
                    ("date_basis", "date_basis_note"),
                    "url",
                ]
            },
        ),
        (_("Members"), {"fields": ["member_countries", "member_organizations"]}),
        (_("Classification"), {"fields": ["themes", "tags", "sources"]}),
        EntryAdmin.record_fieldset,
    ]


class AgreementLinkInline(admin.TabularInline):
    model = AgreementLink
    extra = 0
    autocomplete_fields = ["directive", "provision"]
    verbose_name_plural = _("Directives and provisions this agreement responds to")


@admin.register(Agreement)
class AgreementAdmin(ImportAdminMixin, EntryAdmin):
    import_collection = "agreements"
    list_display = [
        "title",
        "kind",
        "agreement_status",
        "signed_on",
        "mechanism",
        "status",
    ]
    list_filter = ["status", "kind", "agreement_status", "mechanism", "themes"]
    search_fields = ["title", "title_original", "summary", "party_countries__name"]
    date_hierarchy = "signed_on"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = [
        "themes",
        "party_countries",
        "party_organizations",
        "mechanism",
        "sources",
    ]
    list_select_related = ["mechanism"]
    inlines = [AgreementLinkInline]
    fieldsets = [
        (None, {"fields": ["title", "title_original", "slug", "kind", "status"]}),
        (
            _("Parties"),
            {"fields": ["party_countries", "party_organizations", "mechanism"]},
        ),
        (
            _("Dates and legal status"),
            {
                "fields": [
                    "agreement_status",
                    ("signed_on", "in_force_on", "expires_on"),
                    ("date_basis", "date_basis_note"),
                ]
            },
        ),
        (_("Content"), {"fields": ["summary", "url", "themes", "tags", "sources"]}),
        EntryAdmin.record_fieldset,
    ]
