"""The ledger and report endpoints, as a registry operator, a report approver and outsiders use them."""
from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from apps.ledger.models import Action, Block
from apps.reporting.aef import headings

from ..factories import verified_report
from ..ledger.conftest import authorized, korea_operator  # noqa: F401 (fixture)

YEAR = timezone.now().year


@pytest.fixture
def application(proponent):
    return authorized(proponent, mitigation_type="Removals", sector="Forestry and land use")


def _issue(api, persona, application, **body):
    body = {"vintage": 2026, "quantity": 1000, **body}
    if isinstance(body["quantity"], int) and body["quantity"] > 0 and isinstance(body["vintage"], int):
        verified_report(application, vintage=body["vintage"], quantity=body["quantity"])
    return api(persona).post(f"/api/v1/applications/{application.reference}/issuances/",
                             {"vintage": 2026, "quantity": 1000, **body}, format="json")


def test_the_ca_holders_approver_issues_and_transfers_and_the_ledger_shows_the_ca(api, application, federal_approver):
    response = _issue(api, federal_approver, application)
    assert response.status_code == 201
    assert response.json()["actions"][0]["action_type"] == "Issuance"
    response = api(federal_approver).post("/api/v1/transfers/", {
        "application": application.reference, "vintage": 2026, "quantity": 400, "to_party": "KOR"}, format="json")
    assert response.status_code == 201
    assert response.json()["actions"][0]["action_type"] == "First transfer"
    body = api(federal_approver).get(f"/api/v1/ledger/MYS/{YEAR}/").json()
    assert (body["first_transferred"], body["used"], body["corresponding_adjustment"]) == (400, 0, 400)
    assert [a["quantity"] for a in body["first_transfer_actions"]] == [400]


def test_issuance_by_the_loa_issuer_is_forbidden_and_writes_nothing(api, application, sabah_approver):
    response = _issue(api, sabah_approver, application)
    assert response.status_code == 403
    assert not Action.objects.exists()


def test_over_issuance_is_a_400_naming_the_quantity_left(api, application, federal_approver):
    response = _issue(api, federal_approver, application, quantity=100_001)
    assert response.status_code == 400
    assert "at most 100000 more" in response.json()["quantity"][0]
    assert not Block.objects.exists()


def test_bad_input_names_the_field(api, application, federal_approver):
    response = api(federal_approver).post("/api/v1/transfers/", {
        "application": application.reference, "vintage": 2026, "quantity": 0, "to_party": "XXX"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"code", "detail", "quantity", "to_party"}


def test_uses_and_cancellations(api, application, federal_approver, korea_operator):
    _issue(api, federal_approver, application)
    api(federal_approver).post("/api/v1/transfers/", {
        "application": application.reference, "vintage": 2026, "quantity": 400, "to_party": "KOR"}, format="json")
    response = api(korea_operator).post("/api/v1/uses/", {
        "application": application.reference, "vintage": 2026, "quantity": 150, "party": "KOR", "year_used": YEAR}, format="json")
    assert response.status_code == 201 and response.json()["actions"][0]["action_type"] == "Use"
    response = api(federal_approver).post("/api/v1/cancellations/", {
        "application": application.reference, "vintage": 2026, "quantity": 10, "voluntary": True}, format="json")
    assert response.status_code == 201 and response.json()["actions"][0]["action_type"] == "Voluntary Cancellation"
    assert api(korea_operator).get(f"/api/v1/ledger/KOR/{YEAR}/").json()["corresponding_adjustment"] == -150


def test_the_ledger_of_a_party_is_not_shown_to_another_partys_staff(api, application, indonesia_approver):
    assert api(indonesia_approver).get(f"/api/v1/ledger/MYS/{YEAR}/").status_code == 403
    assert api(None).get(f"/api/v1/ledger/MYS/{YEAR}/").status_code == 401


def test_report_journey_over_the_api(api, application, federal_approver, sabah_approver):
    _issue(api, federal_approver, application)
    response = api(federal_approver).post("/api/v1/reports/", {"party": "MYS", "year": YEAR}, format="json")
    assert response.status_code == 201
    report = response.json()
    assert (report["state"], report["version"], report["available_transitions"]) == ("draft", "1.0", ["submit_for_review"])
    url = f"/api/v1/reports/{report['id']}/transitions/"
    assert api(federal_approver).post(url, {"transition": "approve"}, format="json").status_code == 409
    assert api(federal_approver).post(url, {"transition": "submit_for_review"}, format="json").json()["state"] == "in_review"
    assert api(sabah_approver).post(url, {"transition": "approve"}, format="json").status_code == 404
    assert api(federal_approver).post(url, {"transition": "approve"}, format="json").json()["state"] == "approved"

    aef = json.loads(b"".join(api(federal_approver).get(f"/api/v1/reports/{report['id']}/aef.json").streaming_content))
    assert list(aef) == ["Submission", "Authorizations", "Actions", "Holdings", "Authorized entities"]
    assert aef["Submission"][0]["Party"] == "MYS" and aef["Actions"][0]["Action type"] == "Authorization"
    xlsx = b"".join(api(federal_approver).get(f"/api/v1/reports/{report['id']}/aef.xlsx").streaming_content)
    assert load_workbook(io.BytesIO(xlsx), read_only=True).sheetnames[2] == "Actions"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(api(federal_approver).get(f"/api/v1/reports/{report['id']}/aef.csv.zip").streaming_content)))
    assert archive.read("Holdings.csv").decode().splitlines()[0].split(",")[:2] == headings("Holdings")[:2]


def test_a_report_with_validation_errors_is_refused_with_the_cell_named(api, proponent, federal_approver):
    application = authorized(proponent)
    _issue(api, federal_approver, application, quantity=5)
    report = api(federal_approver).post("/api/v1/reports/", {"party": "MYS", "year": YEAR}, format="json").json()
    response = api(federal_approver).post(f"/api/v1/reports/{report['id']}/transitions/", {"transition": "submit_for_review"}, format="json")
    assert response.status_code == 400
    assert any("Authorizations, row 1, column 'Sector(s)'" in m for m in response.json()["aef"])
    response = api(federal_approver).post(f"/api/v1/reports/{report['id']}/corrections/", {
        "table": "Authorizations", "row_key": application.loa.number, "column": "Sector(s)", "value": "Forestry and land use"},
        format="json")
    assert response.status_code == 201


@pytest.mark.parametrize("route", ["/api/v1/transfers/", "/api/v1/uses/", "/api/v1/cancellations/"])
def test_a_reference_the_caller_may_not_see_answers_as_an_unknown_one(api, application, federal_approver,
                                                                      indonesia_approver, route):
    assert _issue(api, federal_approver, application).status_code == 201
    body = {"vintage": 2026, "quantity": 10, "to_party": "KOR"}
    hidden = api(indonesia_approver).post(route, {**body, "application": application.reference}, format="json")
    unknown = api(indonesia_approver).post(route, {**body, "application": "MYS-MY12-2099-9999"}, format="json")
    assert (hidden.status_code, unknown.status_code) == (404, 404)
    assert hidden.json()["code"] == unknown.json()["code"]
    assert Action.objects.count() == 1  # the issuance only


def test_a_year_no_calendar_holds_and_a_negative_report_id_answer_in_the_apis_shape(api, application, federal_approver):
    far = api(federal_approver).get("/api/v1/ledger/MYS/99999/")
    assert far.status_code == 404 and far.json()["code"]  # no year any figure can concern: not found, in the API's shape
    response = api(federal_approver).get("/api/v1/reports/-5/")
    assert response.status_code == 404 and response.json()["code"]
