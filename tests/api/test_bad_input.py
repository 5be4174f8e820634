"""Bad input is refused with the field named, and nothing is written."""
import pytest

from apps.audit.models import AuditEvent
from apps.authorizations.models import Application, LetterOfAuthorization

from ..factories import application_payload, make_application

pytestmark = pytest.mark.django_db

BAD_CREATE = [
    ("title", {"title": ""}),
    ("requested_quantity", {"requested_quantity": 0}),
    ("requested_quantity", {"requested_quantity": "lots"}),
    ("vintage_from", {"vintage_from": 1990}),
    ("vintage_to", {"vintage_from": 2030, "vintage_to": 2026}),
    ("purposes", {"purposes": "Voluntary"}),
    ("first_transfer_definition", {"first_transfer_definition": "Whenever"}),
    ("host_party", {"host_party": "XXX"}),
    ("host_party", {"host_party": "JPN", "jurisdiction": "JP"}),
    ("jurisdiction", {"jurisdiction": "MY-99"}),
    ("jurisdiction", {"jurisdiction": "ID-KT"}),
    ("acquiring_parties", {"acquiring_parties": ["MYS"]}),
    ("acquiring_parties", {"acquiring_parties": ["ZZZ"]}),
    ("acquiring_parties", {"acquiring_parties": ["THA"]}),
    ("sector", {"sector": None}),
]


@pytest.mark.parametrize("field,change", BAD_CREATE, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_CREATE)])
def test_creating_with_bad_input_names_the_field_and_writes_nothing(api, proponent, field, change):
    before = (Application.objects.count(), AuditEvent.objects.count())
    response = api(proponent).post("/api/v1/applications/", application_payload(**change), format="json")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert field in body and body[field], body
    assert body["code"] == "invalid"
    assert (Application.objects.count(), AuditEvent.objects.count()) == before


def test_a_missing_field_is_named(api, proponent):
    payload = application_payload()
    del payload["requested_quantity"]
    response = api(proponent).post("/api/v1/applications/", payload, format="json")
    assert response.status_code == 400
    assert "requested_quantity" in response.json()


BAD_TRANSITIONS = [
    ("transition", {"transition": "approve_everything"}),
    ("transition", {}),
    ("authorized_quantity", {"transition": "issue_loa"}),
    ("authorized_quantity", {"transition": "issue_loa", "authorized_quantity": 100_001}),
    ("authorized_quantity", {"transition": "issue_loa", "authorized_quantity": -5}),
    ("authorized_quantity", {"transition": "issue_loa", "authorized_quantity": "ten"}),
    ("vintage_from", {"transition": "issue_loa", "authorized_quantity": 10, "vintage_from": 2025}),
    ("vintage_to", {"transition": "issue_loa", "authorized_quantity": 10, "vintage_to": 2031}),
    ("vintage_to", {"transition": "issue_loa", "authorized_quantity": 10, "vintage_from": 2029, "vintage_to": 2027}),
    ("comment", {"transition": "reject"}),
    ("comment", {"transition": "reject", "comment": "   "}),
    ("comment", {"transition": "request_changes"}),
]


@pytest.mark.parametrize("field,body", BAD_TRANSITIONS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_TRANSITIONS)])
def test_a_transition_with_bad_input_names_the_field_and_changes_nothing(api, proponent, sabah_approver, field, body):
    application = make_application(proponent, state="loa_review")
    events = AuditEvent.objects.count()
    response = api(sabah_approver).post(f"/api/v1/applications/{application.reference}/transitions/", body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()
    assert Application.objects.get(pk=application.pk).state == "loa_review"
    assert AuditEvent.objects.count() == events
    assert not LetterOfAuthorization.objects.filter(application=application).exists()


def test_revoke_without_a_comment_is_refused(api, proponent, federal_approver):
    application = make_application(proponent, state="authorized")
    response = api(federal_approver).post(f"/api/v1/applications/{application.reference}/transitions/", {"transition": "revoke"}, format="json")
    assert response.status_code == 400 and "comment" in response.json()
    assert Application.objects.get(pk=application.pk).state == "authorized"


def test_revoking_marks_the_letter_revoked(api, proponent, sabah_approver):
    application = make_application(proponent, state="authorized")
    response = api(sabah_approver).post(
        f"/api/v1/applications/{application.reference}/transitions/", {"transition": "revoke", "comment": "Permit cancelled."}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "revoked"
    assert response.json()["loa"]["in_force"] is False


def test_an_api_url_no_route_matches_is_a_404_in_the_error_body(api, proponent):
    response = api(proponent).get("/api/v1/jurisdictions/Not%20a.code/", HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found" and response.json()["detail"]
    assert "text/html" in api(proponent).get("/no-such-page/")["Content-Type"]
