"""`GET /api/v1/applications/{reference}/` in at most 3 statements (2 with a `Token`), with the same body the list gives."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.accounts.contract_tokens import token_for

from ..conftest import user
from ..factories import make_application

pytestmark = pytest.mark.django_db
BUDGET = 3  # at most: the credential, the caller's organisations and memberships, the application with everything shown
TOKEN_BUDGET = 2  # a `Token` credential brings the caller's organisations and memberships with it


def token_client(persona) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(persona)[0]}")
    return client


def listed(client, reference: str) -> dict:
    page = client.get("/api/v1/applications/", {"page_size": 100}).json()
    return next(item for item in page["results"] if item["reference"] == reference)


@pytest.mark.parametrize("state, officer", [
    ("loa_review", "sabah.approver"),   # an open LoA stage the officer acts on
    ("ca_review", "federal.approver"),  # the LoA issued, the CA stage open
    ("authorized", "federal.approver"),  # no open stage; revoke depends on the closed CA stage
])
def test_the_detail_read_takes_three_statements_for_the_proponent_and_the_officer(state, officer, proponent,
                                                                                  django_assert_max_num_queries):
    application = make_application(proponent, state=state)
    for persona in (proponent, user(officer)):
        client = token_client(persona)
        client.get(f"/api/v1/applications/{application.reference}/")  # the token exists; nothing else is warmed
        fresh = token_client(persona)  # a new client: no session, the token looked up again
        with django_assert_max_num_queries(TOKEN_BUDGET):
            response = fresh.get(f"/api/v1/applications/{application.reference}/")
        assert response.status_code == 200
        assert response.json() == listed(client, application.reference)


def test_the_detail_shows_the_history_the_stage_and_the_letter(proponent):
    application = make_application(proponent, state="ca_review")
    body = token_client(user("federal.approver")).get(f"/api/v1/applications/{application.reference}/").json()
    assert body["acquiring_parties"] == ["KOR"]
    assert [(entry["from"], entry["to"]) for entry in body["history"]] == [("draft", "loa_review"), ("loa_review", "ca_review")]
    assert body["current_stage"]["duty"] == "ca_approval" and body["current_stage"]["overdue"] is False
    assert body["loa"]["issued_by"] == "sabah.approver" and body["loa"]["in_force"] is False  # CA not yet approved
    assert [v["status"] for v in body["loa"]["versions"]] == ["pending_corresponding_adjustment"]
    assert "approve_ca" in body["available_transitions"]


def test_an_application_the_caller_may_not_see_is_a_404_within_the_budget(proponent, django_assert_max_num_queries):
    draft = make_application(proponent)  # officers never see a draft
    client = token_client(user("sabah.approver"))
    with django_assert_max_num_queries(BUDGET):
        response = client.get(f"/api/v1/applications/{draft.reference}/")
    assert response.status_code == 404


def test_a_read_sends_no_history_context_to_the_database(proponent):
    application = make_application(proponent, state="loa_review")
    with CaptureQueriesContext(connection) as queries:
        assert token_client(proponent).get(f"/api/v1/applications/{application.reference}/").status_code == 200
    assert not [q for q in queries.captured_queries if "pghistory" in q["sql"]]


def test_a_personal_token_read_stays_within_three_and_a_session_read_gives_the_same_body(proponent, token_for, client,
                                                                       django_assert_max_num_queries):
    application = make_application(proponent, state="ca_review")
    personal = APIClient()
    personal.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(proponent)}")
    personal.get(f"/api/v1/applications/{application.reference}/")  # its last-used stamp is written once a minute
    with django_assert_max_num_queries(BUDGET):
        assert personal.get(f"/api/v1/applications/{application.reference}/").status_code == 200
    client.force_login(proponent)
    client.get(f"/api/v1/applications/{application.reference}/")
    response = client.get(f"/api/v1/applications/{application.reference}/")
    assert response.status_code == 200 and response.json() == listed(token_client(proponent), application.reference)


def test_an_unknown_or_inactive_token_is_refused_as_before(proponent):
    application = make_application(proponent, state="loa_review")
    client = token_client(proponent)
    proponent.is_active = False
    proponent.save(update_fields=["is_active"])
    response = client.get(f"/api/v1/applications/{application.reference}/")
    assert response.status_code == 401 and "inactive" in response.json()["detail"]
    response = APIClient(HTTP_AUTHORIZATION="Token " + "0" * 40).get(f"/api/v1/applications/{application.reference}/")
    assert response.status_code == 401 and response.json()["detail"] == "Invalid token."


def test_the_detail_of_a_second_revoked_letter_version_is_the_body_the_list_gives(proponent):
    application = make_application(proponent, state="ca_review")
    federal, sabah = token_client(user("federal.approver")), token_client(user("sabah.approver"))
    url = f"/api/v1/applications/{application.reference}/transitions/"
    assert federal.post(url, {"transition": "request_changes", "comment": "Cap it."}, format="json").status_code == 200
    assert token_client(proponent).post(url, {"transition": "resubmit"}, format="json").status_code == 200
    assert sabah.post(url, {"transition": "issue_loa", "authorized_quantity": 60_000}, format="json").status_code == 200
    assert federal.post(url, {"transition": "approve_ca"}, format="json").status_code == 200
    assert federal.post(url, {"transition": "revoke", "comment": "Double claiming."}, format="json").status_code == 200
    body = federal.get(f"/api/v1/applications/{application.reference}/").json()
    assert body == listed(federal, application.reference)
    letter = body["loa"]
    assert (letter["version"], letter["status"], letter["in_force"]) == (2, "revoked", False)
    assert letter["revoked_at"] and letter["ca_approved_by"]
    assert [(v["version"], v["status"]) for v in letter["versions"]] == [(1, "superseded"), (2, "revoked")]
