"""Schemathesis fuzzes every operation of the generated schema against the real WSGI app, as a proponent and as an
approver: no response may be a 5xx, and every response must match the schema (status, content type, body, headers)."""
from __future__ import annotations

import time

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_headers_conformance, response_schema_conformance, status_code_conformance,
)

from apps.api.throttling import PerTokenThrottle

from ..factories import make_application

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
EXAMPLES_PER_OPERATION = 5
# Operations whose only inputs are the path: a couple of cases say all (the LoA PDF alone takes ~1 s to render).
EXAMPLES_WITHOUT_INPUTS = 2


@pytest.fixture
def wsgi_app(monkeypatch):
    """The real WSGI app, serving requests inside the test's transaction (as Django's own test client does)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    # Fuzzed webhook URLs must not reach the network's resolver: every name resolves to a public documentation address.
    monkeypatch.setattr("apps.webhooks.urls_safety.resolve", lambda host, port: ["93.184.216.34"])
    monkeypatch.setattr(PerTokenThrottle, "THROTTLE_RATES", {**PerTokenThrottle.THROTTLE_RATES, "api": "1000000/min"})
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_every_operation_survives_fuzzing_and_answers_as_documented(wsgi_app, proponent, sabah_approver, token_for, capsys):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    drafts = make_application(proponent)
    authorized = make_application(proponent, state="authorized")
    under_review = make_application(proponent, state="loa_review")
    personas = {
        "proponent": ({"Authorization": f"Bearer {token_for(proponent)}"}, [drafts.reference, authorized.reference]),
        "approver": ({"Authorization": f"Bearer {token_for(sabah_approver)}"}, [under_review.reference, authorized.reference]),
    }
    cases = 0
    operations = 0
    spent: dict[str, float] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        started = time.perf_counter()
        has_inputs = operation.body or operation.query or operation.method.upper() not in ("GET", "DELETE")
        examples = EXAMPLES_PER_OPERATION if has_inputs else EXAMPLES_WITHOUT_INPUTS
        if operation.path.endswith("/pdf/"):
            examples = 1  # one render per persona and application is the whole input space
        for headers, references in personas.values():
            variants = [{"reference": ref} for ref in references] if "{reference}" in operation.path else [None]
            for path_parameters in variants:
                strategy = operation.as_strategy(path_parameters=path_parameters) if path_parameters else operation.as_strategy()

                @given(case=strategy)
                @hypothesis_settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                                     phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
                def fuzz(case):
                    nonlocal cases
                    cases += 1
                    response = case.call(headers=headers)
                    case.validate_response(response, checks=CHECKS)

                fuzz()
        spent[f"{operation.method.upper()} {operation.path}"] = time.perf_counter() - started
    with capsys.disabled():
        slowest = sorted(spent.items(), key=lambda item: -item[1])[:3]
        print(f"\nschemathesis: {cases} cases over {operations} operations; slowest: "
              + ", ".join(f"{name} {seconds:.1f}s" for name, seconds in slowest))
    assert operations >= 30 and cases >= operations * 2
