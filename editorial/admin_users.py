"""Accounts in the admin. Administrators manage editors' accounts and roles (groups),
but only a superuser may make or change a superuser, or give a user permissions
outside the roles: otherwise an Administrator could raise itself above its role."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

User = get_user_model()


class RoleBoundUserAdmin(UserAdmin):
    # Only superusers see (and so may set) these; a form never saves a field it lacks.
    superuser_only_fields = ("is_superuser", "user_permissions")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (
                name,
                {
                    **options,
                    "fields": [
                        field
                        for field in options["fields"]
                        if field not in self.superuser_only_fields
                    ],
                },
            )
            for name, options in fieldsets
        ]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


admin.site.unregister(User)
admin.site.register(User, RoleBoundUserAdmin)
