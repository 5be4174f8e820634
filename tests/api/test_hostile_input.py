"""Input an attacker or a clumsy client sends: every case answers 4xx in the API's error body, never a 500,
and no request can make the server do work in proportion to a list it was sent."""
from __future__ import annotations

import base64
import json

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit.models import AuditEvent
from apps.authorizations.models import Application
from apps.governance.models import Party

from ..factories import application_payload
from ..ledger.conftest import authorized

pytestmark = pytest.mark.django_db


def _error_body(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) >= {"code", "detail"}, body
    return body


NUL_CREATE = ["host_party", "jurisdiction", "title", "sector"]


@pytest.mark.parametrize("field", NUL_CREATE)
def test_a_nul_byte_in_a_create_field_is_a_400_naming_it(api, proponent, field):
    response = api(proponent).post("/api/v1/applications/", application_payload(**{field: "MY\x00S"}), format="json")
    body = _error_body(response, 400)
    assert field in body and body["code"] == "invalid"
    assert not Application.objects.exists()


def test_a_nul_byte_in_a_list_entry_is_a_400_naming_the_list(api, proponent):
    response = api(proponent).post("/api/v1/applications/", application_payload(acquiring_parties=["KOR", "J\x00PN"]), format="json")
    assert "acquiring_parties" in _error_body(response, 400)


def test_a_nul_byte_in_a_multipart_field_is_a_400_naming_it(api, proponent, sabah_application):
    response = api(proponent).patch(f"/api/v1/applications/{sabah_application.reference}/",
                                    {"jurisdiction": "MY\x00-12"}, format="multipart")
    assert "jurisdiction" in _error_body(response, 400)


@pytest.mark.parametrize("route,field", [("/api/v1/transfers/", "to_party"), ("/api/v1/uses/", "party"),
                                         ("/api/v1/cancellations/", "party"), ("/api/v1/transfers/", "application")])
def test_a_nul_byte_in_a_ledger_field_is_a_400_naming_it(api, proponent, federal_approver, route, field):
    application = authorized(proponent)
    body = {"application": application.reference, "vintage": 2026, "quantity": 1, "to_party": "KOR", field: "K\x00OR"}
    assert field in _error_body(api(federal_approver).post(route, body, format="json"), 400)


@pytest.mark.parametrize("path", ["/api/v1/parties/M%00S/", "/api/v1/applications/A%00B/", "/api/v1/applications/A%00B/transitions/",
                                  "/api/v1/jurisdictions/MY%0012/"])
def test_a_nul_byte_in_the_path_is_a_404(api, proponent, path):
    _error_body(api(proponent).get(path), 404)


def test_a_nul_byte_in_a_query_parameter_is_a_400_naming_it(api, proponent):
    assert "state" in _error_body(api(proponent).get("/api/v1/applications/?state=dr%00aft"), 400)
    assert "party" in _error_body(api(proponent).get("/api/v1/tiers/?party=M%00YS"), 400)


@pytest.mark.parametrize("year", ["0", "99999", "2147483648", "99999999999999999999"])
def test_a_ledger_year_out_of_range_is_a_404(api, federal_approver, year):
    _error_body(api(federal_approver).get(f"/api/v1/ledger/MYS/{year}/"), 404)


@pytest.mark.parametrize("path", ["/api/v1/reports/2147483648/", "/api/v1/reports/99999999999999999999/",
                                  "/api/v1/tiers/99999999999999999999/",
                                  "/api/v1/applications/X/documents/99999999999999999999/"])
def test_an_identifier_out_of_range_is_a_404(api, federal_approver, path):
    _error_body(api(federal_approver).get(path), 404)


@pytest.mark.parametrize("cursor", ["cD1hYmM=", "not-base64!", base64.b64encode(b"r=yes").decode(),
                                    base64.b64encode(b"o=-1").decode()])
def test_a_malformed_cursor_is_a_400_naming_it(api, proponent, sabah_application, cursor):
    assert "cursor" in _error_body(api(proponent).get("/api/v1/applications/", {"cursor": cursor}), 400)


def test_a_malformed_cursor_on_the_queue_is_a_400(api, sabah_approver):
    assert "cursor" in _error_body(api(sabah_approver).get("/api/v1/queue/", {"cursor": "cD1hYmM="}), 400)


def test_a_valid_cursor_still_walks_the_pages(api, proponent):
    for number in range(3):
        api(proponent).post("/api/v1/applications/", application_payload(title=f"A{number}"), format="json")
    first = api(proponent).get("/api/v1/applications/", {"page_size": 2}).json()
    second = api(proponent).get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1


def test_a_list_of_20000_acquiring_parties_is_refused_in_a_bounded_number_of_queries(api, proponent):
    with CaptureQueriesContext(connection) as queries:
        response = api(proponent).post("/api/v1/applications/", application_payload(acquiring_parties=["KOR"] * 20_000),
                                       format="json")
    body = _error_body(response, 400)
    assert "acquiring_parties" in body
    assert len(queries) < 15, [q["sql"][:80] for q in queries]
    assert not Application.objects.exists()


def test_a_list_longer_than_the_number_of_parties_is_refused_naming_the_field(api, proponent):
    codes = [f"X{n:04d}" for n in range(Party.objects.count() + 1)]
    body = _error_body(api(proponent).post("/api/v1/applications/", application_payload(acquiring_parties=codes), format="json"), 400)
    assert "acquiring_parties" in body and "at most" in body["acquiring_parties"][0].lower()


def test_duplicate_acquiring_parties_are_refused(api, proponent):
    response = api(proponent).post("/api/v1/applications/", application_payload(acquiring_parties=["KOR", "KOR"]), format="json")
    assert "more than once" in _error_body(response, 400)["acquiring_parties"][0]


def test_several_acquiring_parties_are_resolved_in_one_query(api, proponent):
    with CaptureQueriesContext(connection) as queries:
        response = api(proponent).post("/api/v1/applications/", application_payload(acquiring_parties=["KOR", "JPN", "CHE"]), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["acquiring_parties"] == ["CHE", "JPN", "KOR"]
    party_lookups = [q for q in queries if 'FROM "governance_party"' in q["sql"] and '"code" IN' in q["sql"]]
    assert len(party_lookups) == 1, [q["sql"][:120] for q in queries]


@pytest.mark.parametrize("value", ["  12  ", "12.0", 12.5, True, "1e3", "١٢"])
def test_an_integer_field_accepts_only_an_integer(api, proponent, value):
    response = api(proponent).post("/api/v1/applications/", application_payload(requested_quantity=value), format="json")
    assert "requested_quantity" in _error_body(response, 400)


def test_an_integer_as_digits_is_still_accepted(api, proponent):
    response = api(proponent).post("/api/v1/applications/", application_payload(requested_quantity="1200"), format="json")
    assert response.status_code == 201 and response.json()["requested_quantity"] == 1200


def test_a_quantity_past_the_database_range_is_a_400(api, proponent, federal_approver):
    application = authorized(proponent)
    response = api(federal_approver).post(f"/api/v1/applications/{application.reference}/issuances/",
                                          {"vintage": 2026, "quantity": 2**70}, format="json")
    assert "quantity" in _error_body(response, 400)


def test_a_report_year_out_of_range_is_a_400(api, federal_approver):
    response = api(federal_approver).post("/api/v1/reports/", {"party": "MYS", "year": 99999}, format="json")
    assert "year" in _error_body(response, 400)


def test_an_unknown_route_under_the_api_is_a_json_404(api, proponent):
    body = _error_body(api(proponent).get("/api/v1/no-such-thing/"), 404)
    assert body["code"] == "not_found"
    _error_body(api(None).get("/api/v2/"), 404)


def test_a_download_error_keeps_its_message_as_json_whatever_the_client_accepts(api, proponent, sabah_application):
    response = api(proponent).get(f"/api/v1/applications/{sabah_application.reference}/documents/12345/",
                                  HTTP_ACCEPT="application/pdf")
    assert "no such document" in _error_body(response, 404)["detail"]


def test_the_wrong_method_is_a_json_405(api, proponent):
    _error_body(api(proponent).delete("/api/v1/parties/"), 405)


def test_a_body_over_the_size_limit_is_a_json_413(api, proponent):
    body = json.dumps(application_payload(description="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)))
    events = AuditEvent.objects.count()
    response = api(proponent).generic("POST", "/api/v1/applications/", body, content_type="application/json")
    assert _error_body(response, 413)["code"] == "too_large"
    assert AuditEvent.objects.count() == events


def test_a_form_body_over_the_size_limit_is_a_json_413(api, proponent, sabah_application):
    response = api(proponent).patch(f"/api/v1/applications/{sabah_application.reference}/",
                                    {"description": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}, format="multipart")
    _error_body(response, 413)


def test_the_schema_says_approved_by_may_be_null(api, proponent):
    schema = api(proponent).get("/api/schema/", {"format": "json"}).json()
    assert schema["components"]["schemas"]["Report"]["properties"]["approved_by"].get("nullable") is True


def test_a_crash_under_the_api_is_a_json_500_without_the_traceback(proponent, monkeypatch):
    from rest_framework.test import APIClient

    from apps.api.reference_views import PartyViewSet

    def crash(self, request, *args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(PartyViewSet, "list", crash)  # stands for any unforeseen bug in a view
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(proponent)
    response = client.get("/api/v1/parties/")
    assert _error_body(response, 500) == {"code": "server_error", "detail": "Server error."}
