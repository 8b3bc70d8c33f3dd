"""Editorial roles as Django groups. Permissions are listed by model, so a new
model does not silently gain or lose access.

- Editors write entries, submit them for review and import them in bulk; they see
  the reference data (themes, organizations, countries, tags) and pick it on entries.
- Reviewers also publish, send back and withdraw (`core.review_entry`), may delete
  entries that have been public, and change the reference data, which is public the
  moment it is saved (editorial.admin_reference: each change with a reason).
- Administrators also manage accounts and unlock logins locked by django-axes.
"""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

# Editors curate every kind of entry; the reference data they only see, and users
# and groups not at all.
EDITOR_PERMISSIONS = {
    "core.theme": ("view",),
    "core.source": ("add", "change", "delete", "view"),
    "core.sourceauthor": ("add", "change", "delete", "view"),
    "core.organization": ("view",),
    "core.country": ("view",),
    "policies.directive": ("add", "change", "delete", "view"),
    "policies.provision": ("add", "change", "delete", "view"),
    "policies.directiverelation": ("add", "change", "delete", "view"),
    "cooperation.mechanism": ("add", "change", "delete", "view"),
    "cooperation.agreement": ("add", "change", "delete", "view"),
    "cooperation.agreementlink": ("add", "change", "delete", "view"),
    "findings.finding": ("add", "change", "delete", "view"),
    "taggit.tag": ("view",),
    "core.statuschange": ("view", "import_entries"),
    "core.linkcheck": ("view",),
}

# Reviewers change the reference data too: nobody adds or deletes a country (the list
# is ISO 3166-1), nor deletes a tag (it would vanish from every entry it marks).
REVIEWER_PERMISSIONS = {
    **EDITOR_PERMISSIONS,
    "core.theme": ("add", "change", "delete", "view"),
    "core.organization": ("add", "change", "delete", "view"),
    "core.country": ("change", "view"),
    "taggit.tag": ("add", "change", "view"),
    "core.statuschange": (*EDITOR_PERMISSIONS["core.statuschange"], "review_entry"),
}

ADMINISTRATOR_PERMISSIONS = {
    **REVIEWER_PERMISSIONS,
    "auth.user": ("add", "change", "delete", "view"),
    "auth.group": ("view",),
    "axes.accessattempt": ("view", "delete"),
    "axes.accessfailurelog": ("view",),
    "axes.accesslog": ("view",),
}

ROLES = {
    "Editor": EDITOR_PERMISSIONS,
    "Reviewer": REVIEWER_PERMISSIONS,
    "Administrator": ADMINISTRATOR_PERMISSIONS,
}
MODEL_ACTIONS = {"add", "change", "delete", "view"}


def permissions_for(spec):
    permissions = []
    for model_label, actions in spec.items():
        app_label, model_name = model_label.split(".")
        content_type = ContentType.objects.get_by_natural_key(app_label, model_name)
        for action in actions:
            # A model action ("change") or a custom permission's own codename.
            codename = f"{action}_{model_name}" if action in MODEL_ACTIONS else action
            permissions.append(Permission.objects.get(content_type=content_type, codename=codename))
    return permissions


def setup_roles():
    """Create each role's group with exactly its permissions; returns [(group, count)]."""
    result = []
    for name, spec in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = permissions_for(spec)
        group.permissions.set(permissions)
        result.append((group, len(permissions)))
    return result
