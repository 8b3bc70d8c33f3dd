"""Security by default: headers on every page type, login for the admin, a clean
deploy check, and editors' text escaped on public pages."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.builders import make_directive, make_provision
from tests.test_pages import MECHANISM, PAPER, XI

pytestmark = pytest.mark.django_db

PAGE_TYPES = [
    "/",
    "/themes/",
    "/themes/belt-and-road/",
    "/directives/",
    XI,
    XI + "p3/",
    "/agreements/",
    "/mechanisms/",
    MECHANISM,
    "/countries/",
    "/countries/cn/",
    PAPER,
    "/tags/rescue-teams/",
    "/healthz",
    "/no-such-page/",
    "/admin/login/",
]


@pytest.mark.parametrize("path", PAGE_TYPES)
def test_every_page_type_sends_the_security_headers(client, seeded, path):
    response = client.get(path, secure=True)
    csp = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "max-age=31536000" in response["Strict-Transport-Security"]


def test_session_and_csrf_cookies_are_secure_and_httponly(client, editor):
    response = client.post(
        "/admin/login/", {"username": "ed", "password": "correct horse battery"}, secure=True
    )
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    page = client.get("/admin/login/", secure=True)
    csrf = page.cookies.get("csrftoken") or client.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"]


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 20 + "y7$Qz" * 10,
        "DJANGO_ALLOWED_HOSTS": "emgov.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path}/d",
    }
    env.pop("DJANGO_SECURE_SSL_REDIRECT", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the site's own settings, not the suite's
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def run_without_secret_key(*command):
    # The site's own settings (not the suite's, which have a key), without a key.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    env["DJANGO_DEBUG"] = "0"
    return subprocess.run(
        [sys.executable, *command],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_missing_secret_key_stops_a_production_start():
    served = run_without_secret_key("-c", "import emgov.wsgi")
    assert served.returncode != 0
    assert "The SECRET_KEY setting must not be empty" in served.stderr
    checked = run_without_secret_key("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert checked.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in checked.stderr


def test_commands_that_sign_nothing_run_without_a_secret_key():
    result = run_without_secret_key("manage.py", "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout
    assert "DJANGO_SECRET_KEY must be set" in result.stderr  # said, as a warning


def test_editors_text_is_escaped_on_public_pages(client, db):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    directive = make_directive(title=f"Title {payload}", summary=payload)
    make_provision(directive, heading=payload, text=payload, text_original=payload)
    for url in [directive.get_absolute_url(), directive.get_absolute_url() + "p1/", "/directives/"]:
        content = client.get(url).content.decode()
        assert "<script>alert" not in content and "<img src=x" not in content, url
        assert "&lt;script&gt;" in content
