"""Schemathesis against the live schema (GET /api/v1/openapi.json, as served): generated
requests for every operation, with an editor's token, must find no server error and no response
that breaks the schema. In-process (WSGI), a bounded number of examples per operation."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from storyboard.api.actions import create_token

# Fetched from the app as served (no database needed for the schema itself).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_tests_connection():
    """Django's test client stops each request from closing the database connection; this WSGI
    caller does not, and on PostgreSQL (connection health checks) the request closed the very
    connection the test's transaction runs in. Done here as the test client does it."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def editor_token(cast, settings):
    settings.STORYBOARD_API_REQUESTS_PER_MINUTE = 1_000_000
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    from authz import _board, _clip

    _board(cast), _clip(cast)  # something to find at the small ids
    return create_token(cast.member(cast.editor), "fuzz")[1]


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_schema(case, editor_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {editor_token}"},
                           checks=[not_a_server_error, response_schema_conformance])
