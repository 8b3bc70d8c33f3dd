"""schemathesis reads /api/v1/schema/ and throws generated requests at every
operation: no answer may be a 5xx, and every answer must match the schema (status
code, content type, body)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

# Loaded when the tests are collected: making the schema needs no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())


@pytest.fixture
def test_transaction_kept_open():
    """schemathesis calls the WSGI app directly, so Django would close the database
    connection after each request, and with it the test's transaction (PostgreSQL).
    Django's own test client unhooks the same handler for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("seeded", "test_transaction_kept_open")
@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(case):
    # Not positive_data_acceptance: a filter naming a theme, tag or body that does not
    # exist is a 400 by design, and the schema cannot list every slug there is.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
