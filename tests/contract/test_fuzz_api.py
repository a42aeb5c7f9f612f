"""Schemathesis against /api/v1/openapi.json: bounded examples per operation, as an
admin (who may call everything): never a 500, and responses match the documented
schemas."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

pytestmark = pytest.mark.slow


# Bounded: the fuzzing phase only (the coverage phase would try every case the schema
# defines), a fixed seed, a few examples per operation.
CONFIG = {"phases": {"examples": {"enabled": False}, "coverage": {"enabled": False},
                     "stateful": {"enabled": False}, "fuzzing": {"enabled": True}}}


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app,
                                          config=schemathesis.Config.from_dict(CONFIG))


@pytest.fixture
def admin_headers(factory):
    return factory.headers(factory.admin())


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_never_fails_on_generated_input(case, admin_headers):
    from portal.extensions import db

    response = case.call(headers=admin_headers)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
    db.session.rollback()
