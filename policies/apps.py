from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = _("Policy directives")

    def ready(self):
        from core.registry import registry
        from policies.entry_types import DIRECTIVES, PROVISIONS

        registry.register(DIRECTIVES)
        registry.register(PROVISIONS)
