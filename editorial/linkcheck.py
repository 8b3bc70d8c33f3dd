"""Checking the URLs of sources: the HTTP status and final address of each, with
bounded concurrency, a timeout, and a user agent that says who is asking.

Editors type these URLs, drafts' included, and the check runs on the server, inside
its network: unchecked, it would fetch the admin on 127.0.0.1 or a cloud metadata
service for anyone who can save a source, and show them the answer. So only http(s)
URLs are fetched, only from public addresses: the host is resolved here, every
address it resolves to must be public, and the connection goes to the address that
was checked (a second look-up could answer differently). Redirects are followed
here, one hop at a time, each hop checked the same way, at most MAX_REDIRECTS.

Whatever one URL does (malformed, refused, unreachable, or a bug of ours), it is
recorded as that URL's failure and the run goes on to the next."""

import http.client
import ipaddress
import re
import socket
import ssl
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from django.db.models import Q
from django.utils import timezone

from core.models import LinkCheck, Source
from core.text import clean_text

USER_AGENT = (
    "emgov-link-checker/1.0 (checks the sources cited by the emgov emergency-management "
    "policy knowledge base; one request per URL)"
)
SCHEMES = {"http": 80, "https": 443}
REDIRECTS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 5
# The lengths of LinkCheck's fields: what is stored must fit on every database.
ERROR_LENGTH = 300
FINAL_URL_LENGTH = 2000
HOST_NAME = re.compile(r"[A-Za-z0-9._:-]+(%[A-Za-z0-9._-]+)?")
# Characters a request target may keep as they are; the rest is percent-encoded.
PATH_SAFE = "/%:@!$&'()*+,;=-._~?"


@dataclass
class Answer:
    url: str
    status_code: int | None
    final_url: str
    error: str


class Refused(Exception):
    """A URL the checker will not fetch; the message says why, to the editor."""


@dataclass(frozen=True)
class Target:
    """Where one request goes: the URL's parts, and the checked address to connect to."""

    url: str
    scheme: str
    host: str
    port: int
    path: str
    address: str


def is_public_address(address):
    """Whether an address may be fetched: not loopback, private, link-local,
    multicast, reserved or unspecified, nor an IPv6 address that carries such an
    IPv4 address (IPv4-mapped, NAT64, 6to4)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.version == 6:
        embedded = embedded_ipv4(ip)
        if embedded is not None:
            return is_public_address(str(embedded))
    return ip.is_global and not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


NAT64 = ipaddress.ip_network("64:ff9b::/96")


def embedded_ipv4(ip):
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def resolve(host, port):
    """Every address the host name resolves to (an address literal gives itself)."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def target_of(url):
    """The checked Target of a URL, or Refused saying what is wrong with it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:  # a port that is no number, an unclosed [IPv6 bracket
        raise Refused(f"malformed URL: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise Refused("not checked: only http and https URLs are")
    if parts.username is not None or parts.password is not None:
        raise Refused("not checked: a URL with a user name or password")
    host = parts.hostname
    if not host:
        raise Refused("malformed URL: no host")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        host = ""
    # Letters, digits, dots and hyphens (and an IPv6 literal's colons): anything else
    # is refused here rather than handed to the resolver.
    if not HOST_NAME.fullmatch(host):
        raise Refused("malformed URL: the host name is not valid")
    port = port or SCHEMES[scheme]
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as error:
        raise Refused(f"the host name does not resolve: {error}") from None
    refused = [address for address in addresses if not is_public_address(address)]
    if refused or not addresses:
        raise Refused(
            f"not checked: {host} is not a public address ({', '.join(refused) or 'none'})"
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(url, scheme, host, port, quote(path, safe=PATH_SAFE), addresses[0])


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the name resolves to now;
    the Host header (and, for HTTPS, the certificate check) still use the name."""

    pinned_address = None

    def connect(self):
        self.sock = socket.create_connection((self.pinned_address, self.port), self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection, PinnedHTTPConnection):
    """HTTPSConnection.connect() wraps the socket that PinnedHTTPConnection opens."""


def tls_context():
    """Certificates checked against the system's authorities, for the host's name."""
    return ssl.create_default_context()


def send(target, *, timeout):
    """One GET to the target: (status, Location header or ""). The body is not read."""
    if target.scheme == "https":
        connection = PinnedHTTPSConnection(
            target.host, target.port, timeout=timeout, context=tls_context()
        )
    else:
        connection = PinnedHTTPConnection(target.host, target.port, timeout=timeout)
    connection.pinned_address = target.address
    try:
        connection.request("GET", target.path, headers={"User-Agent": USER_AGENT})
        response = connection.getresponse()
        return response.status, response.getheader("Location") or ""
    finally:
        connection.close()


def fetch(url, *, timeout):
    """The answer of one URL, following at most MAX_REDIRECTS redirects, each to a
    checked public address. Never raises: every failure is the URL's answer."""
    try:
        return follow(url, timeout=timeout)
    except Refused as refused:
        return failure(url, str(refused))
    except (OSError, http.client.HTTPException, ValueError) as error:
        # OSError covers timeouts, refused connections and certificate errors.
        return failure(url, str(error) or error.__class__.__name__)
    except Exception as error:  # a bug must cost one row, not the weekly run
        return failure(url, f"{error.__class__.__name__}: {error}")


def follow(url, *, timeout):
    target = target_of(url)
    for hop in range(MAX_REDIRECTS + 1):
        status, location = send(target, timeout=timeout)
        if status not in REDIRECTS or not location:
            return Answer(url, status, stored_url(target.url), "")
        if hop == MAX_REDIRECTS:
            break
        following = urljoin(target.url, location)
        try:
            target = target_of(following)
        except Refused as refused:
            return failure(url, f"redirected ({status}) to {following}: {refused}")
    return failure(url, f"more than {MAX_REDIRECTS} redirects")


def stored_url(url):
    # A Location header can hold anything; what is stored is clean and fits.
    url = clean_text(url)
    return url if len(url) <= FINAL_URL_LENGTH else ""


def failure(url, message):
    return Answer(url, None, "", clean_text(message)[:ERROR_LENGTH] or "failed")


def source_urls():
    """Every distinct URL and archived URL of a source, in a stable order. Drafts'
    too: the answers are shown to editors only, in the admin."""
    urls = set()
    for url, archived in Source.objects.filter(~Q(url="") | ~Q(archived_url="")).values_list(
        "url", "archived_url"
    ):
        urls.update(u for u in (url, archived) if u)
    return sorted(urls)


def links_check(*, urls=None, concurrency=4, timeout=10.0, progress=None):
    """Check each URL (default: every source's) and store the answers; returns them."""
    urls = source_urls() if urls is None else urls
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        answers = pool.map(lambda url: fetch(url, timeout=timeout), urls)
        answers = list(progress(answers, total=len(urls)) if progress else answers)
    now = timezone.now()
    for answer in answers:
        LinkCheck.objects.update_or_create(
            url=answer.url,
            defaults={
                "status_code": answer.status_code,
                "final_url": answer.final_url,
                "error": answer.error,
                "checked_at": now,
            },
        )
    return answers
