from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from editorial.admin_base import AccessibleAutocompleteMixin, EntryAdmin, once_public
from editorial.admin_import import ImportAdminMixin
from editorial.history import record_tag_names
from editorial.pending import is_gated
from editorial.workflow import REVIEW_PERMISSION
from policies.models import Directive, DirectiveRelation, Provision


class ProvisionInline(admin.StackedInline):
    model = Provision
    extra = 0
    fields = [
        ("number", "heading"),
        "heading_original",
        "text",
        "text_original",
        "source_locator",
        "themes",
    ]
    autocomplete_fields = ["themes"]
    ordering = ["number"]

    def has_delete_permission(self, request, obj=None):
        # obj is the directive: the points of one that has been public are citable.
        if obj is not None and once_public(obj) and not request.user.has_perm(REVIEW_PERMISSION):
            return False
        return super().has_delete_permission(request, obj)


class DirectiveRelationInline(admin.TabularInline):
    model = DirectiveRelation
    fk_name = "from_directive"
    extra = 0
    autocomplete_fields = ["to_directive"]
    verbose_name_plural = _("Relations to other directives")


@admin.register(Directive)
class DirectiveAdmin(ImportAdminMixin, EntryAdmin):
    import_collection = "directives"
    list_display = [
        "title",
        "kind",
        "issuing_body",
        "date",
        "provision_count",
        "status",
    ]
    list_filter = ["status", "kind", "themes", "issuing_body"]
    search_fields = ["title", "title_original", "speaker", "occasion", "summary"]
    date_hierarchy = "date"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["themes", "issuing_body", "sources"]
    list_select_related = ["issuing_body"]
    inlines = [ProvisionInline, DirectiveRelationInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "title_original",
                    "original_language",
                    "slug",
                    "status",
                ]
            },
        ),
        (
            _("Who, when, where"),
            {
                "fields": [
                    "kind",
                    "issuing_body",
                    ("speaker", "speaker_family_name", "speaker_role"),
                    "occasion",
                    ("date", "date_precision"),
                    ("date_basis", "date_basis_note"),
                ]
            },
        ),
        (
            _("Content"),
            {
                "fields": [
                    "summary",
                    "summary_original",
                    "points_are",
                    "themes",
                    "tags",
                    "sources",
                ]
            },
        ),
        EntryAdmin.record_fieldset,
    ]

    @admin.display(description=_("points"))
    def provision_count(self, obj):
        return obj.provisions.count()


def _directive_not_public(form):
    directive = form.cleaned_data["directive"]
    if is_gated(directive):
        raise ValidationError(
            _(
                "“%(directive)s” is published: add the point on the directive's own page, "
                "where the change is held for review."
            )
            % {"directive": directive}
        )
    return directive


@admin.register(Provision)
class ProvisionAdmin(AccessibleAutocompleteMixin, SimpleHistoryAdmin):
    """Mostly edited inline on the directive; registered for search and autocomplete."""

    list_display = ["__str__", "directive", "number"]
    list_filter = ["directive__status", "themes"]
    search_fields = ["heading", "text", "text_original", "directive__title"]
    autocomplete_fields = ["directive", "themes"]
    list_select_related = ["directive"]

    def get_readonly_fields(self, request, obj=None):
        # A provision's address and citations name its directive: it never moves.
        readonly = super().get_readonly_fields(request, obj)
        return [*readonly, "directive"] if obj is not None else readonly

    # The points of a published directive change only on the directive's page, where
    # the change is held for review with the rest of it (editorial.pending).

    def has_change_permission(self, request, obj=None):
        if obj is not None and is_gated(obj.directive):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not self.may_delete(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def may_delete(self, request, obj):
        if is_gated(obj.directive):
            return False
        return not once_public(obj.directive) or request.user.has_perm(REVIEW_PERMISSION)

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected.extend(
            _("“%(point)s” belongs to a public directive: change it on the directive's page.")
            % {"point": obj}
            for obj in objs
            if not self.may_delete(request, obj)
        )
        return to_delete, model_count, perms_needed, protected

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            form = type("NewProvisionForm", (form,), {"clean_directive": _directive_not_public})
        return form

    def save_related(self, request, form, formsets, change):
        # Tags are saved after the provision, and so after its history record: bring
        # both up to date so that the version holds the tags as saved.
        super().save_related(request, form, formsets, change)
        provision = form.instance
        record_tag_names(provision)
        provision.history.filter(history_id=provision.history.latest().history_id).update(
            tag_names=provision.tag_names
        )
