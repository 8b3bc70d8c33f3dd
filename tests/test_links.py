"""`manage.py check_links` against a local server answering 200, 301, 404, 500 and
a timeout: status and final URL stored, broken links flagged in the admin.

The checker fetches only public addresses, so the local server (on 127.0.0.1) is
refused unless a test lets that one address count as public. No test sends a
request anywhere but to 127.0.0.1, and no test asks a real DNS server: the resolver
is replaced by a table."""

import shutil
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from core.models import LinkCheck, Status
from editorial import linkcheck
from editorial.linkcheck import MAX_REDIRECTS, USER_AGENT, fetch, is_public_address
from tests.builders import make_source

pytestmark = pytest.mark.django_db

seen_agents = []
seen_requests = []


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        seen_agents.append(self.headers.get("User-Agent"))
        seen_requests.append((self.path, self.headers.get("Host")))
        path = urlsplit(self.path).path
        if path == "/slow":
            time.sleep(1.0)
        if path == "/moved":
            return self.redirect(301, "/ok")
        if path == "/loop":
            return self.redirect(302, "/loop")
        if path == "/redirect":
            return self.redirect(302, parse_qs(urlsplit(self.path).query)["to"][0])
        status = {"/ok": 200, "/missing": 404, "/broken": 500}.get(path, 200)
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def redirect(self, status, location):
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    seen_agents.clear()
    seen_requests.clear()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    # Polling for shutdown every 0.05 s, not 0.5: shutdown() waits for the next poll.
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


# What the fake resolver answers: names of a fictional network.
NAMES = {
    "news.example.org": ["93.184.216.34"],
    "intranet.example.org": ["10.1.2.3"],
    "metadata.example.org": ["169.254.169.254"],
    "mixed.example.org": ["93.184.216.34", "127.0.0.1"],
    "mapped.example.org": ["::ffff:127.0.0.1"],
    "localhost": ["127.0.0.1", "::1"],
}


@pytest.fixture(autouse=True)
def resolver(monkeypatch):
    """A table instead of DNS; address literals resolve to themselves."""
    asked = []

    def resolve(host, port):
        asked.append(host)
        try:
            socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
            return [host]
        except OSError:
            pass
        if host not in NAMES:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return NAMES[host]

    monkeypatch.setattr(linkcheck, "resolve", resolve)
    return asked


@pytest.fixture
def loopback_counts_as_public(monkeypatch):
    """For the paths that need an answer: 127.0.0.1, the test server, passes the
    address check; every other internal address is still refused."""
    real = linkcheck.is_public_address
    monkeypatch.setattr(
        linkcheck, "is_public_address", lambda address: address == "127.0.0.1" or real(address)
    )


@pytest.fixture
def no_request(monkeypatch):
    """Fails the test if the checker tries to send anything at all."""

    def send(target, *, timeout):
        raise AssertionError(f"a request was sent to {target}")

    monkeypatch.setattr(linkcheck, "send", send)


def test_check_links_records_status_and_final_url_and_flags_broken_ones(
    server, editor, capsys, loopback_counts_as_public
):
    make_source(slug="fine", url=f"{server}/ok", archived_url=f"{server}/moved")
    make_source(slug="gone", url=f"{server}/missing")
    make_source(slug="erroring", url=f"{server}/broken")
    make_source(slug="slow", url=f"{server}/slow")
    make_source(slug="no-url")

    call_command("check_links", "--timeout", "0.3", "--concurrency", "3")

    checks = {check.url.removeprefix(server): check for check in LinkCheck.objects.all()}
    assert set(checks) == {"/ok", "/moved", "/missing", "/broken", "/slow"}
    assert (checks["/ok"].status_code, checks["/ok"].final_url) == (200, f"{server}/ok")
    assert (checks["/moved"].status_code, checks["/moved"].final_url) == (200, f"{server}/ok")
    assert checks["/missing"].status_code == 404 and checks["/missing"].is_broken
    assert checks["/broken"].status_code == 500
    assert checks["/slow"].status_code is None and "timed out" in checks["/slow"].error
    assert not checks["/ok"].is_broken and checks["/ok"].checked_at is not None
    assert set(seen_agents) == {USER_AGENT}
    output = capsys.readouterr().out
    assert "Checked 5 links; 3 broken." in output

    client = Client()
    client.force_login(editor)
    changelist = reverse("admin:core_source_changelist")
    listed = {
        source.slug
        for source in client.get(changelist, {"links": "broken"}).context["cl"].result_list
    }
    assert listed == {"gone", "erroring", "slow"}
    page = client.get(changelist).content.decode()
    assert "broken:" in page and "404" in page

    # Checking again updates the same rows.
    call_command("check_links", "--timeout", "0.3", verbosity=0)
    assert LinkCheck.objects.count() == 5


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("::ffff:93.184.216.34", True),  # IPv4-mapped: judged by its IPv4 address
        ("127.0.0.1", False),
        ("127.1.2.3", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("169.254.169.254", False),  # link-local: cloud metadata services live here
        ("0.0.0.0", False),  # noqa: S104 (an address checked, not bound)
        ("224.0.0.1", False),  # multicast (which ipaddress calls "global")
        ("240.0.0.1", False),  # reserved
        ("255.255.255.255", False),
        ("192.0.2.1", False),  # documentation
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fe80::1%eth0", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("2001:db8::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:169.254.169.254", False),
        ("::ffff:10.0.0.1", False),
        ("64:ff9b::7f00:1", False),  # NAT64 of 127.0.0.1
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("not an address", False),
    ],
)
def test_only_public_addresses_pass_the_address_check(address, public):
    assert is_public_address(address) is public


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/admin/",
        "http://127.0.0.1:8000/admin/",
        "http://localhost/admin/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://192.168.0.1/",
        "http://0.0.0.0/",
        "http://[fe80::1]/",
        "http://intranet.example.org/wiki/",
        "http://metadata.example.org/latest/",
        "http://mapped.example.org/",
        "http://mixed.example.org/",  # one internal address is enough to refuse
        "https://10.0.0.1/",
    ],
)
def test_internal_addresses_are_refused_without_a_request(url, no_request):
    answer = fetch(url, timeout=1)
    assert answer.status_code is None and answer.final_url == ""
    assert "not a public address" in answer.error


@pytest.mark.parametrize(
    "url",
    [
        "ftp://news.example.org/report.pdf",
        "file:///etc/passwd",
        "gopher://news.example.org/",
        "javascript:alert(1)",
        "data:text/html,hi",
        "news.example.org/no-scheme",
    ],
)
def test_only_http_and_https_urls_are_fetched(url, no_request):
    answer = fetch(url, timeout=1)
    assert answer.status_code is None
    assert "only http and https" in answer.error


def test_the_loopback_test_server_itself_is_refused(server):
    """Not a table entry: a real server on 127.0.0.1 that the checker must not reach."""
    answer = fetch(f"{server}/admin/", timeout=1)
    assert answer.status_code is None and "not a public address" in answer.error
    assert seen_requests == []


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.2/admin/",
        "http://localhost/admin/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.2]/",
        "http://intranet.example.org/",
        "ftp://news.example.org/",
        "http://host:port@other/",
    ],
)
def test_a_redirect_to_an_address_that_is_not_checked_is_refused_at_that_hop(
    server, loopback_counts_as_public, target
):
    url = f"{server}/redirect?to={quote(target, safe='')}"
    answer = fetch(url, timeout=1)
    assert answer.status_code is None and answer.final_url == ""
    assert answer.error.startswith(f"redirected (302) to {target}")
    assert [path for path, _host in seen_requests] == [url.removeprefix(server)]


def test_redirects_are_followed_one_checked_hop_at_a_time_and_at_most_five(
    server, loopback_counts_as_public, resolver
):
    answer = fetch(f"{server}/loop", timeout=1)
    assert answer.status_code is None
    assert answer.error == f"more than {MAX_REDIRECTS} redirects"
    assert len(seen_requests) == MAX_REDIRECTS + 1
    assert len(resolver) == MAX_REDIRECTS + 1  # the first URL, and each redirect followed


def test_the_request_goes_to_the_address_that_was_checked_with_the_name_as_host(
    server, loopback_counts_as_public, monkeypatch
):
    """A name that resolves to a public address when checked and to an internal
    one a moment later (DNS rebinding) is fetched from the checked address."""
    port = server.rsplit(":", 1)[1]
    answers = iter([["127.0.0.1"]])

    def resolve(host, port):
        return next(answers, ["10.0.0.1"])

    monkeypatch.setattr(linkcheck, "resolve", resolve)
    answer = fetch(f"http://rebinding.example.org:{port}/ok", timeout=1)
    assert answer.status_code == 200
    assert seen_requests == [("/ok", f"rebinding.example.org:{port}")]


@pytest.fixture
def tls_server(tmp_path):
    """An HTTPS server on 127.0.0.1 with a certificate for secure.example.org, made
    here, and trusted by no one but the tests that say so."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            key,
            "-out",
            cert,
            "-days",
            "1",
            "-subj",
            "/CN=secure.example.org",
            "-addext",
            "subjectAltName=DNS:secure.example.org",
        ],
        check=True,
        capture_output=True,
    )
    seen_requests.clear()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd.server_address[1], cert
    httpd.shutdown()
    httpd.server_close()


def test_https_checks_the_certificate_for_the_name_at_the_checked_address(
    tls_server, loopback_counts_as_public, monkeypatch
):
    port, cert = tls_server
    monkeypatch.setitem(NAMES, "secure.example.org", ["127.0.0.1"])
    url = f"https://secure.example.org:{port}/ok"
    untrusted = fetch(url, timeout=2)
    assert untrusted.status_code is None and "CERTIFICATE_VERIFY_FAILED" in untrusted.error

    monkeypatch.setattr(linkcheck, "tls_context", lambda: ssl.create_default_context(cafile=cert))
    assert fetch(url, timeout=2).status_code == 200
    assert seen_requests == [("/ok", f"secure.example.org:{port}")]
    # The same server under another name: the certificate does not match it.
    monkeypatch.setitem(NAMES, "other.example.org", ["127.0.0.1"])
    mismatch = fetch(f"https://other.example.org:{port}/ok", timeout=2)
    assert mismatch.status_code is None and "other.example.org" in mismatch.error


def test_a_malformed_or_refused_url_is_a_failed_row_of_its_own_and_the_run_goes_on(
    server, loopback_counts_as_public, capsys
):
    make_source(slug="fine", url=f"{server}/ok")
    make_source(slug="malformed", url="http://host:port@other/")
    make_source(slug="bad-port", url="http://news.example.org:port/")
    make_source(slug="unclosed", url="http://[::1/")
    make_source(slug="metadata", url="http://169.254.169.254/latest/meta-data/")
    make_source(slug="ftp", url="ftp://news.example.org/file")
    make_source(slug="unknown-host", url="http://no-such-host.example.org/")

    call_command("check_links", "--timeout", "1")

    checks = {check.url: check for check in LinkCheck.objects.all()}
    assert len(checks) == 7
    assert checks[f"{server}/ok"].status_code == 200
    failed = {url: check.error for url, check in checks.items() if check.is_broken}
    assert set(failed) == set(checks) - {f"{server}/ok"}
    assert "user name or password" in failed["http://host:port@other/"]
    assert "malformed URL" in failed["http://news.example.org:port/"]
    assert "malformed URL" in failed["http://[::1/"]
    assert "not a public address" in failed["http://169.254.169.254/latest/meta-data/"]
    assert "does not resolve" in failed["http://no-such-host.example.org/"]
    assert "Checked 7 links; 6 broken." in capsys.readouterr().out
    assert seen_requests == [("/ok", server.removeprefix("http://"))]


def test_an_unexpected_error_costs_its_own_url_only(server, loopback_counts_as_public, monkeypatch):
    real_send = linkcheck.send

    def send(target, *, timeout):
        if target.path == "/bug":
            raise RuntimeError("a bug in the checker")
        return real_send(target, timeout=timeout)

    monkeypatch.setattr(linkcheck, "send", send)
    answers = linkcheck.links_check(urls=[f"{server}/bug", f"{server}/ok"], timeout=1)
    assert [(answer.status_code, answer.error) for answer in answers] == [
        (None, "RuntimeError: a bug in the checker"),
        (200, ""),
    ]
    assert LinkCheck.objects.count() == 2


def test_drafts_links_are_checked_and_shown_to_editors_only(
    server, loopback_counts_as_public, editor
):
    make_source(slug="draft", url=f"{server}/missing", status=Status.DRAFT)
    call_command("check_links", "--timeout", "1", verbosity=0)
    assert LinkCheck.objects.get().status_code == 404

    changelist = reverse("admin:core_linkcheck_changelist")
    assert Client().get(changelist).status_code == 302  # to the login page
    editor_client = Client()
    editor_client.force_login(editor)
    assert "/missing" in editor_client.get(changelist).content.decode()
