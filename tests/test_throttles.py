"""Throttles of the costliest public pages (core.throttle): search, exports, feeds and
sitemaps, citation downloads. Each client address gets its own count, kept in the
shared cache and keyed on the real client address, never on a header it sends."""

import threading

import pytest
from django.db import connection
from django.test import Client

from tests.builders import make_directive, make_theme

pytestmark = pytest.mark.django_db

CLIENT = "198.51.100.7"
OTHER_CLIENT = "198.51.100.8"

PAGES = {
    "search": "/search/?q=flood",
    "exports": "/export/directives.csv",
    "feeds": "/feeds/latest.atom",
    "citations": "/directives/fictional-directive/cite.ris",
}


def limit(settings, kind, rate):
    settings.EMGOV_THROTTLE_RATES = {**settings.EMGOV_THROTTLE_RATES, kind: rate}


def get(path, address=CLIENT, **headers):
    response = Client().get(path, REMOTE_ADDR=address, headers=headers)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


@pytest.fixture
def directive():
    return make_directive(slug="fictional-directive", themes=[make_theme()])


@pytest.mark.parametrize("kind", PAGES)
def test_past_its_limit_a_client_gets_the_429_page_and_others_do_not(settings, directive, kind):
    limit(settings, kind, "2/minute")
    path = PAGES[kind]
    assert [get(path).status_code for _ in range(2)] == [200, 200]
    refused = get(path)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "no-store" in refused["Cache-Control"]
    assert "Too many requests" in refused.content.decode()
    assert get(path, OTHER_CLIENT).status_code == 200


def test_kinds_are_counted_apart_and_unlimited_kinds_not_at_all(settings, directive):
    limit(settings, "search", "1/minute")
    assert get(PAGES["search"]).status_code == 200
    assert get(PAGES["search"]).status_code == 429
    for _ in range(3):
        assert get(PAGES["feeds"]).status_code == 200  # no limit in the suite's settings


def test_a_header_the_client_sends_does_not_start_a_new_count(settings, directive):
    limit(settings, "search", "1/minute")
    assert get(PAGES["search"]).status_code == 200
    for forged in ("203.0.113.1", "203.0.113.2"):
        assert get(PAGES["search"], x_forwarded_for=forged).status_code == 429


def test_behind_a_trusted_proxy_each_forwarded_client_is_counted(settings, directive):
    settings.EMGOV_TRUSTED_PROXIES = ["127.0.0.1"]
    limit(settings, "search", "1/minute")
    proxy = "127.0.0.1"
    assert get(PAGES["search"], proxy, x_forwarded_for=CLIENT).status_code == 200
    assert get(PAGES["search"], proxy, x_forwarded_for=CLIENT).status_code == 429
    assert get(PAGES["search"], proxy, x_forwarded_for=OTHER_CLIENT).status_code == 200


def test_requests_at_once_are_each_counted(settings, directive):
    limit(settings, "feeds", "5/minute")
    statuses = []

    def fetch():
        statuses.append(get(PAGES["feeds"]).status_code)
        connection.close()  # each thread's own: leave none open behind the test

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 5 + [429] * 3


def test_the_counts_are_in_redis_where_every_worker_sees_them(settings, directive, redis_cache):
    server, prefix = redis_cache
    limit(settings, "search", "2/minute")
    assert get(PAGES["search"]).status_code == 200
    keys = [key.decode() for key in server.scan_iter(match=f"{prefix}:*throttle:search:*")]
    assert len(keys) == 1 and CLIENT in keys[0]
    assert get(PAGES["search"]).status_code == 200
    assert get(PAGES["search"]).status_code == 429


def test_check_deploy_warns_while_the_throttles_are_off(settings):
    from django.core.checks import run_checks

    def warnings():
        checked = run_checks(include_deployment_checks=True)
        return [message.id for message in checked if message.id == "emgov.W003"]

    assert warnings() == []
    settings.THROTTLES_ON = False
    assert warnings() == ["emgov.W003"]


def test_the_site_settings_turn_every_throttle_off_only_when_asked():
    import os
    import subprocess
    import sys

    read = (
        "from django.conf import settings as s; "
        "print(sorted(s.EMGOV_THROTTLE_RATES.values(), key=str), "
        "s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMGOV_")}
    env["DJANGO_SETTINGS_MODULE"] = "emgov.settings"
    on = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {read}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "None" not in on.stdout and "'60/minute'" in on.stdout
    off = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {read}"],
        env={**env, "EMGOV_THROTTLES": "0"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert off.stdout.strip() == "[None, None, None, None] {'anon': None}"
