from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Themes, sources and parties")

    def ready(self):
        from django.db.models.signals import pre_delete

        from core import checks  # noqa: F401 (registers the system checks)
        from core.entry_types import SOURCES
        from core.models import Country, Organization, Source, Theme, refuse_deleting_linked
        from core.registry import registry

        for model in (Theme, Source, Country, Organization):
            pre_delete.connect(
                refuse_deleting_linked, sender=model, dispatch_uid=f"protect-{model}"
            )
        registry.register(SOURCES)
