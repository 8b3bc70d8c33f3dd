from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperationConfig(AppConfig):
    name = "cooperation"
    verbose_name = _("Belt and Road cooperation")

    def ready(self):
        from cooperation.entry_types import AGREEMENTS, MECHANISMS
        from core.registry import registry

        registry.register(AGREEMENTS)
        registry.register(MECHANISMS)
