"""The Malaysian journey through the contract API: proponent → state approver → federal approver."""
import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from apps.audit.models import AuditEvent
from apps.authorizations.models import Application, LetterOfAuthorization, Stage

from ..factories import application_payload

pytestmark = pytest.mark.django_db


def test_a_proponent_gets_a_token_with_username_and_password(proponent):
    proponent.set_password("a-long-test-password")
    proponent.save()
    response = APIClient().post("/api/v1/auth/token/", {"username": "proponent", "password": "a-long-test-password"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/applications/").status_code == 200


def test_an_anonymous_caller_gets_401(api):
    assert api(None).get("/api/v1/applications/").status_code == 401
    assert api(None).post("/api/v1/applications/", application_payload(), format="json").status_code == 401


def test_the_sabah_path_ends_authorized_with_a_letter(api, proponent, sabah_approver, federal_approver):
    created = api(proponent).post("/api/v1/applications/", application_payload(), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    reference = body["reference"]
    assert reference.startswith("MYS-MY12-")
    assert body["state"] == "draft"
    assert body["host_party"] == "MYS" and body["jurisdiction"] == "MY-12" and body["acquiring_parties"] == ["KOR"]
    assert body["available_transitions"] == ["submit", "withdraw"]
    assert body["current_stage"] is None and body["loa"] is None

    submitted = api(proponent).post(f"/api/v1/applications/{reference}/transitions/", {"transition": "submit"}, format="json")
    assert submitted.status_code == 200, submitted.json()
    stage = submitted.json()["current_stage"]
    assert submitted.json()["state"] == "loa_review"
    assert stage["duty"] == "loa_issuance" and stage["authority"] == "Sabah Forestry Department"
    assert stage["overdue"] is False and stage["escalation_level"] == 0

    seen_by_approver = api(sabah_approver).get(f"/api/v1/applications/{reference}/").json()
    assert set(seen_by_approver["available_transitions"]) == {"issue_loa", "request_changes", "reject"}

    issued = api(sabah_approver).post(
        f"/api/v1/applications/{reference}/transitions/",
        {"transition": "issue_loa", "authorized_quantity": 80_000, "vintage_from": 2027, "vintage_to": 2029, "comment": "Within the state cap."},
        format="json",
    )
    assert issued.status_code == 200, issued.json()
    assert issued.json()["state"] == "ca_review"
    assert issued.json()["current_stage"]["authority"].startswith("Ministry of Natural Resources")
    letter = issued.json()["loa"]
    assert letter["number"] == f"LOA-{reference}"
    assert (letter["authorized_quantity"], letter["vintage_from"], letter["vintage_to"]) == (80_000, 2027, 2029)
    # The state's letter is not in force until the federal tier approves the corresponding adjustment.
    assert letter["issuing_authority"] == "Sabah Forestry Department" and letter["in_force"] is False
    assert (letter["version"], letter["status"]) == (1, "pending_corresponding_adjustment")

    approved = api(federal_approver).post(f"/api/v1/applications/{reference}/transitions/", {"transition": "approve_ca"}, format="json")
    assert approved.status_code == 200, approved.json()
    final = approved.json()
    assert final["state"] == "authorized" and final["current_stage"] is None
    assert [(h["transition"], h["from"], h["to"], h["actor"]) for h in final["history"]] == [
        ("submit", "draft", "loa_review", "proponent"),
        ("issue_loa", "loa_review", "ca_review", "sabah.approver"),
        ("approve_ca", "ca_review", "authorized", "federal.approver"),
    ]
    assert final["history"][1]["comment"] == "Within the state cap."
    assert (final["loa"]["status"], final["loa"]["in_force"]) == ("in_force", True)
    assert final["loa"]["ca_approved_by"].startswith("Ministry of Natural Resources")
    assert api(proponent).get(f"/api/v1/applications/{reference}/").json()["state"] == "authorized"


def test_a_federal_territory_application_is_handled_by_the_federal_ministry(api, proponent, federal_approver, sabah_approver):
    created = api(proponent).post("/api/v1/applications/", application_payload(jurisdiction="MY-14"), format="json").json()
    reference = created["reference"]
    assert reference.startswith("MYS-MY14-")
    submitted = api(proponent).post(f"/api/v1/applications/{reference}/transitions/", {"transition": "submit"}, format="json").json()
    assert submitted["current_stage"]["duty"] == "loa_issuance"
    assert submitted["current_stage"]["authority"].startswith("Ministry of Natural Resources")
    assert api(sabah_approver).get(f"/api/v1/applications/{reference}/").status_code == 404

    issued = api(federal_approver).post(
        f"/api/v1/applications/{reference}/transitions/", {"transition": "issue_loa", "authorized_quantity": 100_000}, format="json"
    )
    assert issued.status_code == 200, issued.json()
    assert issued.json()["loa"]["issuing_authority"].startswith("Ministry of Natural Resources")
    approved = api(federal_approver).post(f"/api/v1/applications/{reference}/transitions/", {"transition": "approve_ca"}, format="json")
    assert approved.json()["state"] == "authorized"


def test_every_transition_writes_one_audit_event_and_one_stage_per_duty(api, proponent, sabah_approver, federal_approver):
    reference = api(proponent).post("/api/v1/applications/", application_payload(), format="json").json()["reference"]
    url = f"/api/v1/applications/{reference}/transitions/"
    api(proponent).post(url, {"transition": "submit"}, format="json")
    api(sabah_approver).post(url, {"transition": "issue_loa", "authorized_quantity": 5}, format="json")
    api(federal_approver).post(url, {"transition": "approve_ca"}, format="json")
    events = list(AuditEvent.objects.filter(subject_id=reference).values_list("event", flat=True))
    assert events == ["application.created", "application.submit", "application.issue_loa", "application.approve_ca"]
    stages = Stage.objects.filter(application__reference=reference).order_by("opened_at")
    assert [(s.duty, s.closed_at is not None) for s in stages] == [("loa_issuance", True), ("ca_approval", True)]


def test_the_proponent_and_the_next_holder_are_notified(api, proponent, sabah_approver, sabah_reviewer, sarawak_approver, deliver_outbox):
    reference = api(proponent).post("/api/v1/applications/", application_payload(), format="json").json()["reference"]
    api(proponent).post(f"/api/v1/applications/{reference}/transitions/", {"transition": "submit"}, format="json")
    deliver_outbox()
    for persona in (sabah_approver, sabah_reviewer, proponent):
        inbox = api(persona).get("/api/v1/notifications/").json()["results"]
        assert inbox[0]["application"] == reference and inbox[0]["event"] == "submit" and inbox[0]["read"] is False
    assert api(sarawak_approver).get("/api/v1/notifications/").json()["results"] == []


def test_references_are_numbered_per_jurisdiction_and_year_and_never_reused(api, proponent):
    first = api(proponent).post("/api/v1/applications/", application_payload(), format="json").json()["reference"]
    api(proponent).post(f"/api/v1/applications/{first}/transitions/", {"transition": "withdraw"}, format="json")
    second = api(proponent).post("/api/v1/applications/", application_payload(), format="json").json()["reference"]
    assert int(second.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1
    assert Application.objects.filter(reference=first).exists()


def test_a_letter_cannot_be_edited_once_issued(api, proponent, sabah_approver):
    from django.db import DatabaseError, transaction

    from ..factories import make_application

    application = make_application(proponent, state="ca_review")
    with pytest.raises(DatabaseError), transaction.atomic():
        LetterOfAuthorization.objects.filter(application=application).update(authorized_quantity=1)
    assert LetterOfAuthorization.objects.get(application=application).authorized_quantity == application.requested_quantity
