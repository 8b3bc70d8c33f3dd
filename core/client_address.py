"""Who is asking: the address a throttle or the login lockout counts a request against.

The connecting address (REMOTE_ADDR) is the client's, unless it is one of the proxies
the operator trusts (settings.EMGOV_TRUSTED_PROXIES). Only then is X-Forwarded-For
read, from the right: each trusted proxy appends the address it was reached from, so
the right-most address that is not itself a trusted proxy is the client. Anything to
the left of it was written by the client and is never believed; a client that sends its
own X-Forwarded-For straight to the site changes nothing, since its own address is not
trusted.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies):
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _parse(value):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address, networks):
    return address is not None and any(address in network for network in networks)


def from_trusted_proxy(request):
    """Whether the request came straight from one of settings.EMGOV_TRUSTED_PROXIES."""
    networks = _networks(tuple(getattr(settings, "EMGOV_TRUSTED_PROXIES", ())))
    return _trusted(_parse(request.META.get("REMOTE_ADDR", "")), networks)


def client_address(request):
    """The real client address of a request, as text (what throttles and django-axes
    key on); REMOTE_ADDR itself when no trusted proxy stands in between."""
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks(tuple(getattr(settings, "EMGOV_TRUSTED_PROXIES", ())))
    reporter = _parse(remote)
    if not _trusted(reporter, networks):
        return remote
    forwarded = request.headers.get("x-forwarded-for", "")
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _parse(hop)
        if address is None:
            # Not an address: a trusted proxy passed on something it did not write.
            # The last proxy that can be trusted is the best that is known.
            return str(reporter)
        if not _trusted(address, networks):
            return str(address)
        reporter = address
    return str(reporter)
