"""/metrics (emgov.metrics): Prometheus' text for the operator's own addresses, and
the site's 404 for everyone else, above all for whoever comes through the proxy."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

OUTSIDE = "203.0.113.5"


def counter(text, name, **labels):
    """The value of one sample in Prometheus' text format (0 if absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    match = re.search(rf"^{name}\{{{re.escape(wanted)}\}} ([0-9.e+]+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def scrape(**headers):
    return Client(**headers).get("/metrics")


def test_loopback_reads_the_metrics_with_request_counters(client):
    before = scrape(REMOTE_ADDR="127.0.0.1").content.decode()
    client.get("/healthz")
    client.get("/healthz")

    response = scrape(REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-cache" in response["Cache-Control"]
    text = response.content.decode()
    assert "# TYPE django_http_requests_total_by_method_total counter" in text
    name = "django_http_requests_total_by_method_total"
    assert counter(text, name, method="GET") >= counter(before, name, method="GET") + 2
    assert counter(text, "django_http_responses_total_by_status_total", status="200") >= 2
    # The database wrapper's statement counts, per connection alias and engine.
    assert re.search(r'^django_db_execute_total\{alias="default",vendor="\w+"\} ', text, re.M)
    # IPv6 loopback too.
    assert scrape(REMOTE_ADDR="::1").status_code == 200


def test_another_address_gets_the_sites_404():
    response = scrape(REMOTE_ADDR=OUTSIDE)
    assert response.status_code == 404
    assert b"django_http" not in response.content
    assert scrape(REMOTE_ADDR="10.0.0.7").status_code == 404


@pytest.mark.parametrize("forwarded_client", [OUTSIDE, "127.0.0.1"])
def test_a_request_through_the_trusted_proxy_gets_404_whoever_it_forwards(
    settings, forwarded_client
):
    settings.EMGOV_TRUSTED_PROXIES = ["127.0.0.1"]
    # nginx on loopback, passing on an outside client (or a loopback one: still the
    # public proxy, which never serves /metrics).
    response = scrape(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_client)
    assert response.status_code == 404
    assert scrape(REMOTE_ADDR="127.0.0.1", HTTP_FORWARDED=f"for={OUTSIDE}").status_code == 404


def test_the_allowed_addresses_are_the_operators_choice(settings):
    settings.EMGOV_METRICS_ALLOWED = ["10.0.0.0/8"]
    assert scrape(REMOTE_ADDR="10.20.30.40").status_code == 200
    assert scrape(REMOTE_ADDR="127.0.0.1").status_code == 404
    settings.EMGOV_METRICS_ALLOWED = []
    assert scrape(REMOTE_ADDR="127.0.0.1").status_code == 404


def test_the_public_proxy_never_passes_metrics():
    from django.conf import settings

    conf = (settings.BASE_DIR / "scripts" / "prod" / "nginx.conf.in").read_text()
    assert re.search(r"location = /metrics \{ return 404; \}", conf)


def test_a_login_lockout_is_counted_with_its_own_status(editor):
    # PrometheusAfterMiddleware sits outside django-axes, which replaces a locked-out
    # login's response: the metrics count the 429 the client got, not the form's 200.
    name = "django_http_responses_total_by_status_total"
    before = counter(scrape(REMOTE_ADDR="127.0.0.1").content.decode(), name, status="429")
    guesser = Client(REMOTE_ADDR="198.51.100.8")
    for _ in range(5):
        response = guesser.post("/admin/login/", {"username": "ed", "password": "wrong guess"})
    assert response.status_code == 429
    after = counter(scrape(REMOTE_ADDR="127.0.0.1").content.decode(), name, status="429")
    assert after == before + 1


def test_check_deploy_warns_when_public_addresses_may_read_the_metrics(settings):
    from django.core.checks import run_checks

    def warnings():
        checked = run_checks(include_deployment_checks=True)
        return [message.id for message in checked if message.id == "emgov.W005"]

    assert warnings() == []  # loopback
    settings.EMGOV_METRICS_ALLOWED = ["127.0.0.1", "10.0.0.0/8", "fd00::/8"]
    assert warnings() == []
    settings.EMGOV_METRICS_ALLOWED = ["127.0.0.1", "0.0.0.0/0"]
    assert warnings() == ["emgov.W005"]
    settings.EMGOV_METRICS_ALLOWED = ["::/0"]
    assert warnings() == ["emgov.W005"]
