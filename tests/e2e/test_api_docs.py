"""The API docs page in a real browser, under the site's Content-Security-Policy:
Swagger UI must start, read /api/v1/schema/ and list the operations, with no
script or style refused and nothing fetched from another site."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_docs_render_under_the_sites_csp(page, live_server):
    problems, requests = [], []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    response = page.goto(live_server.url + "/api/v1/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock-summary-path", timeout=15000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/directives/" in paths
    assert "/api/v1/countries/{code}/" in paths
    assert problems == []
    assert all(url.startswith(live_server.url) for url in requests), requests
