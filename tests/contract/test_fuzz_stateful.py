"""Schemathesis, stateful (issue 22, Done when): sequences of calls chained by the links
schemathesis infers from the document (a claim created, then read, assigned, quoted …), made
with an insurer admin's API key holding every scope. Bounded: a few short scenarios with a
fixed seed. No 5xx, no answer outside its documented schema, no undocumented status code."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance  # noqa: E402

pytestmark = pytest.mark.slow
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


@pytest.fixture
def key_headers(api_as, factory):
    from portal.auth.api_keys import INSURER_SCOPES
    from tests.core.test_api_keys import make_key

    key = make_key(api_as, factory.admin(), name="fuzzer", scopes=sorted(INSURER_SCOPES))["key"]
    return {"Authorization": f"Bearer {key}"}


def test_chained_calls_with_an_api_key_hold_the_document(app, key_headers):
    from portal.extensions import db

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    calls = []

    class Scenario(schema.as_state_machine()):
        def before_call(self, case):
            case.headers = {**(case.headers or {}), **key_headers}   # the key, whatever was generated

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            calls.append((case.method, case.path, response.status_code))
            db.session.rollback()
            case.validate_response(response, checks=CHECKS)

    Scenario.run(settings=settings(max_examples=25, stateful_step_count=5, deadline=None, derandomize=True,
                                   suppress_health_check=list(HealthCheck)))
    assert len(calls) >= 12   # the scenarios ran
    assert any(status < 300 for _, _, status in calls), calls   # and reached the API, not only its guards
