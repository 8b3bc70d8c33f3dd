"""/metrics: Prometheus' text exposition (django-prometheus), for the operator only.

Answered only to a request whose connecting address is in settings.
EMGOV_METRICS_ALLOWED (loopback by default) and that did not come through a proxy: the
public proxy adds X-Forwarded-For to every request it passes, so a request carrying it
(or another forwarding header) is refused whatever address it names, even a loopback
one. Refused requests get the site's 404 page, as for an address that does not exist.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import Http404
from django.views.decorators.cache import never_cache
from django_prometheus.exports import ExportToDjangoView

FORWARDING_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


@lru_cache(maxsize=4)
def _networks(allowed):
    return tuple(ipaddress.ip_network(network, strict=False) for network in allowed)


def may_read_metrics(request):
    if any(header in request.headers for header in FORWARDING_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in _networks(tuple(settings.EMGOV_METRICS_ALLOWED)))


@never_cache
def metrics(request):
    if not may_read_metrics(request):
        raise Http404
    return ExportToDjangoView(request)
