"""`manage.py check_links` against a local server answering 200, 301, 404, 500 and
a timeout: status and final URL stored, broken links flagged in the admin."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from core.models import LinkCheck
from editorial.linkcheck import USER_AGENT
from tests.builders import make_source

pytestmark = pytest.mark.django_db

seen_agents = []


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        seen_agents.append(self.headers.get("User-Agent"))
        if self.path == "/slow":
            time.sleep(1.0)
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
            self.end_headers()
            return
        status = {"/ok": 200, "/missing": 404, "/broken": 500}.get(self.path, 200)
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


def test_check_links_records_status_and_final_url_and_flags_broken_ones(server, editor, capsys):
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
