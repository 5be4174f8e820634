"""Each Party's requirements: refused with their message, accepted once met."""
import pytest

from apps.authorizations.models import Application

from ..factories import OrganisationFactory, UserFactory, application_payload

pytestmark = pytest.mark.django_db


def create_and_submit(api, persona, **fields):
    created = api(persona).post("/api/v1/applications/", application_payload(**fields), format="json")
    assert created.status_code == 201, created.json()
    reference = created.json()["reference"]
    return reference, api(persona).post(f"/api/v1/applications/{reference}/transitions/", {"transition": "submit"}, format="json")


def patch_application(reference: str, **fields) -> None:
    Application.objects.filter(reference=reference).update(**fields)


def test_indonesia_refuses_submission_without_the_srn_ppi_number(api, proponent):
    reference, response = create_and_submit(api, proponent, host_party="IDN", jurisdiction="ID-KT", acquiring_parties=["JPN"])
    assert response.status_code == 400
    assert "SRN-PPI" in response.json()["host_registry_id"][0]
    assert Application.objects.get(reference=reference).state == "draft"


def test_indonesia_accepts_submission_with_the_srn_ppi_number(api, proponent, indonesia_approver):
    reference, response = create_and_submit(
        api, proponent, host_party="IDN", jurisdiction="ID-KT", acquiring_parties=["JPN"], host_registry_id="SRN-PPI-2026-0042")
    assert response.status_code == 200, response.json()
    assert response.json()["current_stage"]["authority"].startswith("Ministry of Environment")
    assert reference.startswith("IDN-IDKT-")


def test_zimbabwe_asks_a_foreign_proponent_for_a_local_partner_and_a_benefit_sharing_plan(api, proponent):
    reference, response = create_and_submit(api, proponent, host_party="ZWE", jurisdiction="ZW-MA", acquiring_parties=[], purposes="OIMP",
                                       first_transfer_definition="Authorization")
    assert response.status_code == 400
    body = response.json()
    assert "local cooperative" in body["local_partner"][0]
    assert "benefit-sharing" in body["benefit_sharing_plan"][0]
    patch_application(reference, local_partner="Chimanimani Farmers Cooperative", benefit_sharing_plan="40% of proceeds to ward projects")
    accepted = api(proponent).post(f"/api/v1/applications/{reference}/transitions/", {"transition": "submit"}, format="json")
    assert accepted.status_code == 200, accepted.json()


def test_zimbabwe_does_not_ask_a_zimbabwean_proponent_for_a_local_partner(api):
    local = UserFactory()
    OrganisationFactory(country="ZWE").members.add(local)
    _, response = create_and_submit(api, local, host_party="ZWE", jurisdiction="ZW-MA", acquiring_parties=[], purposes="OIMP",
                                       first_transfer_definition="Authorization")
    assert response.status_code == 200, response.json()


def test_ndc_use_by_a_party_without_a_bilateral_agreement_is_refused(api, proponent):
    reference, response = create_and_submit(api, proponent, host_party="THA", jurisdiction="TH-50", acquiring_parties=["CAN"])
    assert response.status_code == 400
    assert "CAN" in response.json()["acquiring_parties"][0]
    assert Application.objects.get(reference=reference).state == "draft"


def test_ndc_use_by_switzerland_under_its_agreement_with_thailand_is_accepted(api, proponent):
    _, response = create_and_submit(api, proponent, host_party="THA", jurisdiction="TH-50", acquiring_parties=["CHE"])
    assert response.status_code == 200, response.json()


def test_oimp_use_needs_no_bilateral_agreement(api, proponent):
    _, response = create_and_submit(api, proponent, host_party="THA", jurisdiction="TH-50", acquiring_parties=["CAN"], purposes="OIMP",
                                       first_transfer_definition="Authorization")
    assert response.status_code == 200, response.json()


def test_a_resubmission_must_still_meet_the_requirements(api, proponent, indonesia_approver):
    reference, _ = create_and_submit(api, proponent, host_party="IDN", jurisdiction="ID-KT", acquiring_parties=["JPN"], host_registry_id="SRN-1")
    api(indonesia_approver).post(f"/api/v1/applications/{reference}/transitions/", {"transition": "request_changes", "comment": "Fix the map."}, format="json")
    patch_application(reference, host_registry_id="")
    response = api(proponent).post(f"/api/v1/applications/{reference}/transitions/", {"transition": "resubmit"}, format="json")
    assert response.status_code == 400 and "host_registry_id" in response.json()
    assert Application.objects.get(reference=reference).state == "changes_requested"


def test_an_administrator_can_switch_a_requirement_off_as_data(api, proponent):
    from apps.governance.models import Requirement

    Requirement.objects.filter(party_id="IDN", field="host_registry_id").delete()
    _, response = create_and_submit(api, proponent, host_party="IDN", jurisdiction="ID-KT", acquiring_parties=["JPN"])
    assert response.status_code == 200, response.json()
