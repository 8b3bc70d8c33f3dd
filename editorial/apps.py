from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    """The editors' side: review workflow, history and revert, the admin's base
    classes, bulk import, roles, link checks and the starter data."""

    name = "editorial"
    verbose_name = _("Editorial")
