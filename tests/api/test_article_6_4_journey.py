"""Zimbabwe's Article 6.4 cookstoves through the API: approved, authorized, monitored, verified, issued once; and
mitigation contribution units, approved without authorization, that are never first-transferred."""
import pytest
from django.contrib.auth import get_user_model

from apps.authorizations.models import Application
from apps.ledger.models import Block

from ..factories import application_payload

pytestmark = pytest.mark.django_db

ZIMBABWE = dict(
    title="Manicaland efficient cookstoves", host_party="ZWE", jurisdiction="ZW-MA", acquiring_parties=[],
    sector="Energy generation", mitigation_type="Emission reductions", activity_type="Efficient cookstoves",
    requested_quantity=20_000, vintage_from=2026, vintage_to=2030, purposes="OIMP", first_transfer_definition="Issuance",
    local_partner="Mutare community cooperative", benefit_sharing_plan="A share of proceeds to the households.",
    mechanism="article_6_4",
)
MONITORING = {"vintage": 2026, "period_from": "2026-01-01", "period_to": "2026-06-30", "quantity": 1_000}
VERIFICATION = {"verifier": "Carbon Check (India) Pvt Ltd", "accreditation": "DOE-REF-1", "verified_quantity": 1_000}


@pytest.fixture
def zimbabwe_approver(db):
    return get_user_model().objects.get(username="zimbabwe.approver")


def _post(api, persona, path, body):
    return api(persona).post(f"/api/v1/{path}", body, format="json")


def _monitored_and_verified(api, proponent, officer, reference) -> int:
    report = _post(api, proponent, f"applications/{reference}/monitoring-reports/", MONITORING)
    assert report.status_code == 201, report.json()
    verified = _post(api, officer, f"monitoring-reports/{report.json()['id']}/verification/", VERIFICATION)
    assert verified.status_code == 201, verified.json()
    return report.json()["id"]


def test_an_article_6_4_activity_issues_930_to_the_activity_50_to_the_adaptation_fund_and_cancels_20(
        api, proponent, zimbabwe_approver):
    created = _post(api, proponent, "applications/", application_payload(**ZIMBABWE))
    assert created.status_code == 201, created.json()
    assert created.json()["mechanism"] == "article_6_4"
    reference = created.json()["reference"]
    for persona, body in ((proponent, {"transition": "submit"}),
                          (zimbabwe_approver, {"transition": "approve_participation"}),
                          (zimbabwe_approver, {"transition": "issue_loa", "authorized_quantity": 20_000}),
                          (zimbabwe_approver, {"transition": "approve_ca"})):
        response = _post(api, persona, f"applications/{reference}/transitions/", body)
        assert response.status_code == 200, response.json()
    assert response.json()["state"] == "authorized"
    report_id = _monitored_and_verified(api, proponent, zimbabwe_approver, reference)

    issued = _post(api, zimbabwe_approver, f"applications/{reference}/issuances/",
                   {"vintage": 2026, "quantity": 1_000, "cooperative_approach_id": "CA0002", "monitoring_report": report_id})
    assert issued.status_code == 201, issued.json()
    actions = [(a["action_type"], a["subtype"], a["quantity"]) for a in issued.json()["actions"]]
    assert actions[:3] == [
        ("Issuance", "", 1_000),
        ("Transfer", "Mandatory transfer to the Adaptation Fund (A6.4 ERs)", 50),
        ("Cancellation", "Mandatory cancellation to deliver OMGE", 20),
    ]
    assert ("Forwarding", "", 930) in actions and ("First transfer", "Issuance", 930) in actions
    application = Application.objects.get(reference=reference)
    held = dict(Block.objects.filter(application=application).values_list("account__kind", "quantity"))
    assert held == {"entity": 930, "adaptation_fund": 50, "omge": 20}

    again = _post(api, zimbabwe_approver, f"applications/{reference}/issuances/",
                  {"vintage": 2026, "quantity": 1_000, "monitoring_report": report_id})
    assert again.status_code == 409, again.json()
    unnamed = _post(api, zimbabwe_approver, f"applications/{reference}/issuances/", {"vintage": 2026, "quantity": 1_000})
    assert unnamed.status_code == 400 and "quantity" in unnamed.json()


def test_mitigation_contribution_units_cannot_be_first_transferred_and_leave_the_ca_alone(api, proponent, zimbabwe_approver):
    year_before = api(zimbabwe_approver).get("/api/v1/ledger/ZWE/2026/").json()
    created = _post(api, proponent, "applications/", application_payload(**{**ZIMBABWE, "title": "Masvingo biogas"}))
    reference = created.json()["reference"]
    submitted = _post(api, proponent, f"applications/{reference}/transitions/", {"transition": "submit"})
    assert submitted.json()["state"] == "participation_review"
    assert submitted.json()["current_stage"]["duty"] == "mechanism_approval"
    approved = _post(api, zimbabwe_approver, f"applications/{reference}/transitions/",
                     {"transition": "approve_without_authorization", "comment": "Letter of approval ZW-A64-0007"})
    assert approved.status_code == 200, approved.json()
    assert approved.json()["state"] == "approved_for_mechanism" and approved.json()["loa"] is None
    assert approved.json()["host_approved_at"] is not None
    _monitored_and_verified(api, proponent, zimbabwe_approver, reference)
    issued = _post(api, zimbabwe_approver, f"applications/{reference}/issuances/", {"vintage": 2026, "quantity": 1_000})
    assert issued.status_code == 201, issued.json()
    assert [a["quantity"] for a in issued.json()["actions"]] == [1_000, 50, 20]

    transfer = _post(api, zimbabwe_approver, "transfers/",
                     {"application": reference, "vintage": 2026, "quantity": 100, "to_party": "CHE"})
    assert transfer.status_code == 409, transfer.json()
    assert "mitigation contribution" in transfer.json()["detail"]
    year_after = api(zimbabwe_approver).get("/api/v1/ledger/ZWE/2026/").json()
    for figure in ("first_transferred", "used", "corresponding_adjustment"):
        assert year_after[figure] == year_before[figure]


def _fire(api, persona, reference, transition, **body):
    return _post(api, persona, f"applications/{reference}/transitions/", {"transition": transition, **body})


def test_a_cdm_activity_requesting_transition_waits_for_the_hosts_approval_of_it(api, proponent, zimbabwe_approver):
    created = _post(api, proponent, "applications/", application_payload(**{**ZIMBABWE, "title": "Kariba REDD+ (CDM)",
                                                                            "cdm_reference": "CDM 10219"}))
    assert created.status_code == 201, created.json()
    reference = created.json()["reference"]
    submitted = _fire(api, proponent, reference, "submit")
    assert submitted.json()["state"] == "cdm_transition_review"
    assert submitted.json()["current_stage"]["duty"] == "cdm_transition_approval"
    assert submitted.json()["current_stage"]["authority"].startswith("Zimbabwe Carbon Markets Authority")
    assert _fire(api, proponent, reference, "approve_participation").status_code == 403
    refused = _fire(api, zimbabwe_approver, reference, "reject", comment="Transition requested after the deadline.")
    assert refused.status_code == 200, refused.json()
    body = api(proponent).get(f"/api/v1/applications/{reference}/").json()
    assert body["state"] == "rejected" and body["cdm_reference"] == "CDM 10219" and body["host_approved_at"] is None
    assert [(h["transition"], h["from"], h["to"]) for h in body["history"]][-1] == ("reject", "cdm_transition_review", "rejected")


def test_the_hosts_approval_is_given_once_and_fixes_the_mechanism(api, proponent, zimbabwe_approver):
    reference = _post(api, proponent, "applications/", application_payload(**{**ZIMBABWE, "title": "Gokwe cookstoves"})).json()["reference"]
    _fire(api, proponent, reference, "submit")
    returned = _fire(api, zimbabwe_approver, reference, "request_changes", comment="Attach the stakeholder consultation.")
    assert returned.json()["state"] == "changes_requested"
    assert _fire(api, proponent, reference, "resubmit").json()["state"] == "participation_review"
    assert _fire(api, zimbabwe_approver, reference, "approve_participation").json()["state"] == "loa_review"
    _fire(api, zimbabwe_approver, reference, "request_changes", comment="The vintages do not match the monitoring plan.")
    changed = api(proponent).patch(f"/api/v1/applications/{reference}/", {"mechanism": "article_6_2"}, format="json")
    assert changed.status_code == 400 and "mechanism" in changed.json()
    assert _fire(api, proponent, reference, "resubmit").json()["state"] == "loa_review"  # approved once, not asked again


def test_only_an_article_6_4_activity_may_name_a_cdm_reference(api, proponent):
    response = _post(api, proponent, "applications/", application_payload(cdm_reference="CDM 1234"))
    assert response.status_code == 400 and "cdm_reference" in response.json()
