"""The request log (emgov.request_log): one JSON line a request, with what an operator
needs to find it again and nothing a client could hide a secret in."""

import io
import json
import logging
import re

import pytest
from django.test import Client

from emgov import request_log as request_log_module
from emgov.request_log import JsonLineFormatter
from emgov.settings import base

pytestmark = pytest.mark.django_db

FIELDS = {"method", "path", "query", "status", "duration_ms", "client", "user_id", "request_id"}


@pytest.fixture
def request_log(monkeypatch):
    """The request log turned on, as in production, and read back line by line: the
    middleware's logger replaced, for the test, by one of its own at INFO, so that no
    logging set-up left by other tests can change what it records (the settings'
    own configuration is tested below)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLineFormatter())
    logger = logging.Logger("emgov.requests", logging.INFO)
    logger.addHandler(handler)
    monkeypatch.setattr(request_log_module, "logger", logger)
    return lambda: [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_request_writes_one_json_line_with_its_fields(request_log):
    response = Client(REMOTE_ADDR="203.0.113.9").get(
        "/healthz?probe=1",
        HTTP_COOKIE="sessionid=cookie-secret; csrftoken=token-secret",
        HTTP_AUTHORIZATION="Bearer header-secret",
    )
    assert response.status_code == 200

    (record,) = request_log()
    assert set(record) >= FIELDS
    assert record["level"] == "INFO" and record["logger"] == "emgov.requests"
    assert record["method"] == "GET"
    assert record["path"] == "/healthz"
    assert record["query"] == "probe=1"
    assert record["status"] == 200
    assert isinstance(record["duration_ms"], float) and record["duration_ms"] >= 0
    assert record["client"] == "203.0.113.9"
    assert record["user_id"] is None
    assert re.fullmatch(r"[0-9a-f]{32}", record["request_id"])
    assert re.match(r"\d{4}-\d\d-\d\dT", record["timestamp"])
    # No cookie, no header: neither their names nor their values.
    line = json.dumps(record)
    for secret in ("cookie-secret", "token-secret", "header-secret", "sessionid", "Bearer"):
        assert secret not in line


def test_each_request_gets_its_own_id_and_its_status(request_log, client):
    client.get("/healthz")
    client.get("/no-such-page/")
    first, second = request_log()
    assert first["request_id"] != second["request_id"]
    assert second["status"] == 404 and second["path"] == "/no-such-page/"


def test_a_logged_in_user_is_named_by_id(request_log, editor_client, editor):
    editor_client.get("/healthz")
    (record,) = request_log()
    assert record["user_id"] == editor.pk


def test_the_trusted_proxy_gives_the_request_id_and_the_client(request_log, settings):
    settings.EMGOV_TRUSTED_PROXIES = ["127.0.0.1"]
    proxy_id = "5f1c0a3e9b7d4c2a8e6f1b3d5c7a9e0f"
    Client(REMOTE_ADDR="127.0.0.1").get(
        "/healthz", HTTP_X_REQUEST_ID=proxy_id, HTTP_X_FORWARDED_FOR="198.51.100.4"
    )
    # A client that sends its own, straight to the site, is not believed; nor is a
    # value no proxy would make, whoever sends it.
    Client(REMOTE_ADDR="203.0.113.9").get("/healthz", HTTP_X_REQUEST_ID=proxy_id)
    Client(REMOTE_ADDR="127.0.0.1").get("/healthz", HTTP_X_REQUEST_ID='x" "forged')

    proxied, direct, odd = request_log()
    assert proxied["request_id"] == proxy_id
    assert proxied["client"] == "198.51.100.4"
    assert direct["request_id"] != proxy_id and direct["client"] == "203.0.113.9"
    assert re.fullmatch(r"[0-9a-f]{32}", odd["request_id"])


def test_on_in_production_and_quiet_in_the_suite():
    assert base.EMGOV_REQUEST_LOG  # debug is off here, as in production
    assert base.LOGGING["loggers"]["emgov.requests"]["level"] == "INFO"
    assert not logging.getLogger("emgov.requests").isEnabledFor(logging.INFO)
