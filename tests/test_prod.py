"""`make serve-prod` as an operator runs it: nginx terminating TLS in front of gunicorn,
on loopback ports of the test's own, with a SQLite database of its own. It takes about
half a minute, so it runs in `make test-prod` (EMGOV_TEST_PROD=1), not `make test`."""

import gzip
import hashlib
import json
import os
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Ports of this work tree's own, so that two clones on one machine can run it at once.
_BASE = 20000 + int(hashlib.sha256(str(ROOT).encode()).hexdigest(), 16) % 3000 * 3
PORTS = {
    "EMGOV_HTTPS_PORT": str(_BASE),
    "EMGOV_HTTP_PORT": str(_BASE + 1),
    "EMGOV_APP_PORT": str(_BASE + 2),
}
HTTPS = f"https://127.0.0.1:{PORTS['EMGOV_HTTPS_PORT']}"
HTTP = f"http://127.0.0.1:{PORTS['EMGOV_HTTP_PORT']}"

pytestmark = pytest.mark.skipif(
    not os.environ.get("EMGOV_TEST_PROD"), reason="make test-prod runs it (EMGOV_TEST_PROD=1)"
)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def site():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMGOV_"))}
    env.update(PORTS, DATABASE_URL=f"sqlite:///{ROOT / 'var' / 'prod' / 'test-prod.sqlite3'}")
    started = subprocess.run(
        [ROOT / "scripts" / "serve-prod"], env=env, capture_output=True, text=True, timeout=300
    )
    assert started.returncode == 0, started.stderr
    context = ssl.create_default_context(cafile=ROOT / "var" / "tls" / "ca.pem")
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect())
    yield opener
    subprocess.run([ROOT / "scripts" / "stop-prod"], check=True, timeout=60)


def fetch(opener, url, **headers):
    try:
        return opener.open(urllib.request.Request(url, headers=headers), timeout=30)
    except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
        return error


def test_the_site_answers_over_https_with_its_security_headers(site):
    response = fetch(site, f"{HTTPS}/")
    assert response.status == 200
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Server"] == "nginx"  # no version


def test_plain_http_redirects_to_https(site):
    response = fetch(site, f"{HTTP}/directives/?kind=plan")
    assert response.status == 301
    assert response.headers["Location"] == f"{HTTPS}/directives/?kind=plan"


def test_text_is_compressed_and_static_files_are_cached_for_a_year(site):
    page = fetch(site, f"{HTTPS}/", **{"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(page.read()).decode()
    stylesheet = html.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    assert stylesheet.startswith("/static/")
    static = fetch(site, HTTPS + stylesheet, **{"Accept-Encoding": "gzip"})
    assert static.status == 200 and static.headers["Content-Encoding"] == "gzip"
    assert static.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_health_reports_database_and_cache_and_pages_answer_304(site):
    assert fetch(site, f"{HTTPS}/healthz").read() == (
        b'{"status": "ok", "database": "ok", "cache": "ok"}'
    )
    first = fetch(site, f"{HTTPS}/directives/", **{"Accept-Encoding": "gzip"})
    again = fetch(
        site,
        f"{HTTPS}/directives/",
        **{"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]},
    )
    assert again.status == 304


def test_a_client_cannot_claim_https_over_plain_http(site):
    # nginx sets X-Forwarded-Proto itself: over HTTP the claim is ignored and the
    # request redirected like any other.
    response = fetch(site, f"{HTTP}/", **{"X-Forwarded-Proto": "https"})
    assert response.status == 301


def test_gunicorn_listens_on_loopback_only(site):
    with socket.create_connection(("127.0.0.1", int(PORTS["EMGOV_APP_PORT"])), timeout=5):
        pass
    pids = list((ROOT / "var" / "prod").glob("*.pid"))
    assert sorted(p.name for p in pids) == ["gunicorn.pid", "nginx.pid"]


def test_a_long_pasted_chinese_search_answers_the_search_page(site):
    query = urllib.parse.quote("应急管理部门" * 334)  # 2,004 characters, 18 KB encoded
    response = fetch(site, f"{HTTPS}/search/?q={query}")
    assert response.status == 200
    assert b"<h1" in response.read()


def test_an_oversize_request_gets_the_sites_own_page(site):
    response = fetch(site, f"{HTTPS}/search/?q={'x' * 40000}")
    assert response.status == 414
    assert b"This request is too large" in response.read()


def test_metrics_are_read_from_gunicorn_on_loopback_never_through_nginx(site):
    assert fetch(site, f"{HTTPS}/metrics").status == 404
    assert fetch(site, f"{HTTPS}/metrics?format=text").status == 404
    app = f"http://127.0.0.1:{PORTS['EMGOV_APP_PORT']}/metrics"
    # Straight to gunicorn, as the operator's Prometheus: every worker's counts added up.
    for _ in range(4):
        fetch(site, f"{HTTPS}/healthz")
    text = fetch(site, app).read().decode()
    assert 'django_http_requests_total_by_method_total{method="GET"}' in text
    # Through nginx but past its rule (an address nginx does not stop): still refused.
    assert fetch(site, f"{HTTPS}/metrics/").status == 404


def lines_of(log, wanted, seconds=5):
    """The lines of a log file that `wanted` accepts, once there are any: nginx writes
    its access line after the response has gone, so a quick client can look first."""
    deadline = time.monotonic() + seconds
    while True:
        lines = [
            line for line in (ROOT / "var" / "prod" / log).read_text().splitlines() if wanted(line)
        ]
        if lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def test_each_request_is_one_json_line_carrying_nginxs_request_id(site):
    # A query of this run's own: the logs are kept from one `make test-prod` to the next.
    query = f"from=test-prod-{uuid.uuid4().hex}"
    fetch(site, f"{HTTPS}/healthz?{query}")
    (nginx_line,) = lines_of("nginx-access.log", lambda line: f"/healthz?{query}" in line)
    request_id = nginx_line.rsplit(" ", 1)[1]
    records = [
        json.loads(line)
        for line in lines_of(
            "gunicorn.log", lambda line: line.startswith("{") and request_id in line
        )
    ]
    (record,) = [record for record in records if record.get("request_id") == request_id]
    assert record["path"] == "/healthz" and record["query"] == query
    assert record["status"] == 200 and record["client"] == "127.0.0.1"


def test_an_export_is_built_once_then_sent_by_nginx(site):
    first = fetch(site, f"{HTTPS}/export/themes.csv")
    assert first.status == 200
    content = first.read()
    assert content.startswith(b"id,slug,")
    kept = list((ROOT / "var" / "exports").rglob("*-themes.csv"))
    assert kept, "the first download kept its file"
    again = fetch(site, f"{HTTPS}/export/themes.csv")
    assert again.status == 200
    assert again.read() == content
    assert "X-Accel-Redirect" not in again.headers  # nginx acts on it, never passes it on
    assert again.headers["Content-Disposition"] == 'attachment; filename="emgov-themes.csv"'
    # The internal location answers no one directly.
    relative = kept[0].relative_to(ROOT / "var" / "exports").as_posix()
    assert fetch(site, f"{HTTPS}/_exports/{relative}").status == 404


def test_the_mdn_http_observatory_grades_it_a_plus(site):
    scanned = subprocess.run(
        [
            "node",
            ROOT / "scripts" / "observatory.mjs",
            "localhost",
            PORTS["EMGOV_HTTP_PORT"],
            PORTS["EMGOV_HTTPS_PORT"],
        ],
        env={**os.environ, "NODE_EXTRA_CA_CERTS": str(ROOT / "var" / "tls" / "ca.pem")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert scanned.returncode == 0, scanned.stdout + scanned.stderr
    report = json.loads(scanned.stdout)
    failed = {name: test["result"] for name, test in report["tests"].items() if not test["pass"]}
    assert failed == {}
    assert report["grade"] == "A+", report
