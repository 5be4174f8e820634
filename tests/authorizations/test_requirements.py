"""Each Party's requirements: refused with their message, accepted once met."""
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from apps.authorizations.models import Application
from apps.governance.models import AgreementKind, BilateralAgreement, Requirement

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


def test_thailand_refuses_a_standard_t_ver_activity_and_accepts_a_premium_one(api, proponent):
    reference, response = create_and_submit(api, proponent, host_party="THA", jurisdiction="TH-50", acquiring_parties=["CHE"],
                                            programme="t_ver")
    assert response.status_code == 400
    assert "Premium T-VER" in response.json()["programme"][0]
    assert Application.objects.get(reference=reference).state == "draft"
    _, premium = create_and_submit(api, proponent, host_party="THA", jurisdiction="TH-50", acquiring_parties=["CHE"],
                                   programme="premium_t_ver")
    assert premium.status_code == 200, premium.json()


def test_the_t_ver_rule_does_not_catch_an_activity_under_a_cooperative_approach_of_its_own(api, proponent):
    reference, response = create_and_submit(api, proponent, host_party="THA", jurisdiction="TH-10", acquiring_parties=["CHE"],
                                            title="Bangkok e-bus fleet")
    assert response.status_code == 200, response.json()
    assert api(proponent).get(f"/api/v1/applications/{reference}/").json()["programme"] == ""


def test_a_pattern_requirement_refuses_a_value_in_the_wrong_format(api, proponent, indonesia_approver):
    Requirement.objects.create(party_id="IDN", kind=Requirement.Kind.FIELD_PATTERN, field="host_registry_id",
                               pattern=r"SRN-PPI-[0-9]{4}-[0-9]{4}", message="Write the SRN-PPI number as SRN-PPI-YYYY-NNNN.")
    reference, response = create_and_submit(api, proponent, host_party="IDN", jurisdiction="ID-KT", acquiring_parties=["JPN"],
                                            host_registry_id="42")
    assert response.status_code == 400
    assert response.json()["host_registry_id"] == ["Write the SRN-PPI number as SRN-PPI-YYYY-NNNN."]
    patch_application(reference, host_registry_id="SRN-PPI-2026-0042")
    accepted = api(proponent).post(f"/api/v1/applications/{reference}/transitions/", {"transition": "submit"}, format="json")
    assert accepted.status_code == 200, accepted.json()


def test_an_acquiring_partys_requirement_applies_only_to_applications_that_name_it(api, proponent):
    Requirement.objects.create(party_id="KOR", side=Requirement.Side.ACQUIRING, kind=Requirement.Kind.FIELD_REQUIRED,
                               field="local_partner", message="Korea asks for the local partner of every activity it acquires from.")
    _, naming_korea = create_and_submit(api, proponent, acquiring_parties=["KOR"])
    assert naming_korea.status_code == 400
    assert naming_korea.json()["local_partner"] == ["Korea asks for the local partner of every activity it acquires from."]
    _, not_naming_it = create_and_submit(api, proponent, acquiring_parties=[], purposes="OIMP", first_transfer_definition="Authorization")
    assert not_naming_it.status_code == 200, not_naming_it.json()
    # Korea's rule does not apply when Korea hosts nothing: it is an acquiring-side rule, not Korea's host rule.
    assert not Requirement.objects.filter(party_id="MYS", field="local_partner").exists()


def test_switzerland_asks_for_an_implementing_agreement_not_a_memorandum(api, proponent):
    BilateralAgreement.objects.create(acquiring_party_id="CHE", host_party_id="VNM", instrument="MoU on climate cooperation",
                                      kind=AgreementKind.MOU, date_signed=date(2024, 1, 10))
    reference, response = create_and_submit(api, proponent, host_party="VNM", jurisdiction="VN-HN", acquiring_parties=["CHE"])
    assert response.status_code == 400
    [message] = response.json()["acquiring_parties"]
    assert "implementing agreement" in message and "CHE" in message
    assert Application.objects.get(reference=reference).state == "draft"
    BilateralAgreement.objects.create(acquiring_party_id="CHE", host_party_id="VNM", instrument="Implementing agreement",
                                      kind=AgreementKind.IMPLEMENTING_AGREEMENT, date_signed=date(2025, 3, 1))
    accepted = api(proponent).post(f"/api/v1/applications/{reference}/transitions/", {"transition": "submit"}, format="json")
    assert accepted.status_code == 200, accepted.json()


def test_indonesia_may_authorize_ndc_use_by_korea_under_their_2024_memorandum(api, proponent):
    _, response = create_and_submit(api, proponent, host_party="IDN", jurisdiction="ID-KT", acquiring_parties=["KOR"],
                                    host_registry_id="SRN-PPI-2026-0042")
    assert response.status_code == 200, response.json()


@pytest.mark.parametrize(("programme", "registry_id"), [("verra_vcs", "VCS-ABC"), ("gold_standard", "GS 12a"), ("", "1477")])
def test_a_registry_id_in_the_wrong_format_for_its_programme_is_refused(api, proponent, programme, registry_id):
    before = Application.objects.count()
    response = api(proponent).post("/api/v1/applications/", application_payload(programme=programme, programme_registry_id=registry_id),
                                   format="json")
    assert response.status_code == 400
    assert set(response.json()) - {"code", "detail"} == {"programme_registry_id"}
    assert Application.objects.count() == before


def test_the_programme_and_its_registry_id_are_kept_and_shown(api, proponent):
    created = api(proponent).post("/api/v1/applications/", application_payload(programme="verra_vcs", programme_registry_id="VCS 1477"),
                                  format="json")
    assert created.status_code == 201, created.json()
    body = api(proponent).get(f"/api/v1/applications/{created.json()['reference']}/").json()
    assert (body["programme"], body["programme_registry_id"]) == ("verra_vcs", "VCS 1477")
    patched = api(proponent).patch(f"/api/v1/applications/{body['reference']}/", {"programme": "gold_standard",
                                                                               "programme_registry_id": "GS7539"}, format="json")
    assert patched.status_code == 200, patched.json()
    assert patched.json()["programme"] == "gold_standard"


@pytest.mark.parametrize(("fields", "error_field"), [
    ({"kind": "field_pattern", "field": "host_registry_id", "pattern": "SRN-(["}, "pattern"),
    ({"kind": "field_pattern", "field": "host_registry_id", "pattern": ""}, "pattern"),
    ({"kind": "programme_in", "programmes": []}, "programmes"),
    ({"kind": "programme_excluded", "programmes": ["not_a_programme"]}, "programmes"),
    ({"kind": "agreement_kind"}, "agreement_kind"),
])
def test_an_administrator_cannot_save_a_requirement_that_cannot_be_checked(fields, error_field):
    requirement = Requirement(party_id="IDN", message="A rule", **fields)
    with pytest.raises(ValidationError) as refused:
        requirement.full_clean()
    assert error_field in refused.value.message_dict


@pytest.mark.parametrize(("fields", "named"), [
    ({"programme": "t-ver"}, "programme"), ({"programme": ["verra_vcs"]}, "programme"),
    ({"programme": "verra_vcs", "programme_registry_id": "1" * 61}, "programme_registry_id"),
    ({"mechanism": "article_6_4", "cdm_reference": "C" * 41}, "cdm_reference"),
])
def test_a_malformed_programme_or_cdm_field_is_a_400_naming_it(api, proponent, fields, named):
    before = Application.objects.count()
    response = api(proponent).post("/api/v1/applications/", application_payload(**fields), format="json")
    assert response.status_code == 400 and named in response.json()
    assert Application.objects.count() == before
