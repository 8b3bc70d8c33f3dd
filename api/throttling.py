from rest_framework import throttling
from rest_framework.settings import api_settings

from core.client_address import client_address


class AnonRateThrottle(throttling.AnonRateThrottle):
    """DRF's anonymous throttle, reading its rate when a request comes in rather than
    when DRF is imported, so that a changed setting (a test's, say) takes effect.

    It counts in the default cache (Redis in production, so every worker and every app
    server shares one count) and keys on the real client address
    (core.client_address): DRF's own key takes any X-Forwarded-For a client sends, so
    a new made-up header would start a new count."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_ident(self, request):
        return client_address(request)
