from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FindingsConfig(AppConfig):
    name = "findings"
    verbose_name = _("Research findings")

    def ready(self):
        from core.registry import registry
        from findings.entry_types import FINDINGS

        registry.register(FINDINGS)
