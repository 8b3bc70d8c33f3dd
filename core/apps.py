from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Themes, sources and parties")

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

        from core import (
            checks,  # noqa: F401 (registers the system checks)
            public_state,
        )
        from core.entry_types import SOURCES
        from core.models import Country, Organization, Source, Theme, refuse_deleting_linked
        from core.registry import registry

        for model in (Theme, Source, Country, Organization):
            pre_delete.connect(
                refuse_deleting_linked, sender=model, dispatch_uid=f"protect-{model}"
            )
        registry.register(SOURCES)
        # Every model's writes, filtered by app in the handlers: the token of what the
        # public sees changes after each committed one (core.public_state).
        post_save.connect(public_state.row_saved_or_deleted, dispatch_uid="public-state-save")
        post_delete.connect(public_state.row_saved_or_deleted, dispatch_uid="public-state-del")
        m2m_changed.connect(public_state.links_changed, dispatch_uid="public-state-links")
