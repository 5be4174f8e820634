"""The Bangkok e-bus journey through the API: Thailand authorizes, Switzerland authorizes its acquisition, ITMOs move."""
import pytest
from django.contrib.auth import get_user_model

from apps.governance.models import CooperativeApproach, ProponentOrganisation

from ..factories import application_payload, verified_report

pytestmark = pytest.mark.django_db


def user(name):
    return get_user_model().objects.get(username=name)


@pytest.fixture
def thai_proponent(db):
    person = get_user_model().objects.create_user("bangkok.operator", password="x-long-password")
    organisation = ProponentOrganisation.objects.create(name="Bangkok E-Bus Operator Co", country="THA")
    organisation.members.add(person)
    return person


def bangkok_payload(**overrides):
    fields = {"title": "Bangkok E-Bus Programme", "host_party": "THA", "jurisdiction": "TH-10", "acquiring_parties": ["CHE"],
              "purposes": "NDC"}
    return application_payload(**{**fields, **overrides})


def act(api, persona, reference, transition, **body):
    return api(persona).post(f"/api/v1/applications/{reference}/transitions/", {"transition": transition, **body}, format="json")


def test_the_bangkok_e_bus_journey_needs_switzerland_before_the_first_transfer(api, thai_proponent):
    thailand, switzerland, sarawak = user("thailand.approver"), user("switzerland.approver"), user("sarawak.approver")
    created = api(thai_proponent).post("/api/v1/applications/", bangkok_payload(), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    reference = body["reference"]
    approach = body["cooperative_approach"]
    assert approach["code"] == "tha-che-bangkok-e-bus" and approach["acquirer_authorization_required"] is True
    assert approach["identifier_provisional"] is True and approach["unfccc_id"] is None
    assert api(switzerland).get(f"/api/v1/applications/{reference}/").status_code == 404  # a draft is the proponent's

    assert act(api, thai_proponent, reference, "submit").status_code == 200
    seen = api(switzerland).get(f"/api/v1/applications/{reference}/")
    assert seen.status_code == 200 and seen.json()["available_transitions"] == []
    assert reference in [row["reference"] for row in api(switzerland).get("/api/v1/applications/").json()["results"]]
    assert act(api, switzerland, reference, "issue_loa", authorized_quantity=1000).status_code == 403
    assert api(sarawak).get(f"/api/v1/applications/{reference}/").status_code == 404
    assert act(api, sarawak, reference, "issue_loa", authorized_quantity=1000).status_code == 404

    assert act(api, thailand, reference, "issue_loa", authorized_quantity=5000).status_code == 200
    approved = act(api, thailand, reference, "approve_ca")
    assert approved.status_code == 200, approved.json()
    assert approved.json()["state"] == "acquirer_review"
    assert approved.json()["current_stage"]["duty"] == "acquiring_authorization"
    assert approved.json()["current_stage"]["authority"].startswith("Federal Office for the Environment")
    assert act(api, thailand, reference, "authorize_acquisition").status_code == 403
    assert api(switzerland).get(f"/api/v1/applications/{reference}/").json()["available_transitions"] == [
        "authorize_acquisition", "refuse_acquisition"]

    # Thailand may issue into its registry, under the approach's own code until the UNFCCC identifier is recorded.
    from apps.authorizations.models import Application

    application = Application.objects.get(reference=reference)
    verified_report(application, vintage=2026, quantity=1000)
    issued = api(thailand).post(f"/api/v1/applications/{reference}/issuances/", {"vintage": 2026, "quantity": 1000}, format="json")
    assert issued.status_code == 201, issued.json()
    early = api(thailand).post("/api/v1/transfers/", {"application": reference, "vintage": 2026, "quantity": 400,
                                                      "to_party": "CHE"}, format="json")
    assert early.status_code == 409, early.json()
    assert "acquiring Party's authorization" in early.json()["detail"] and "CHE" in early.json()["detail"]

    authorized = act(api, switzerland, reference, "authorize_acquisition", comment="FOEN authorizes the transfer.")
    assert authorized.status_code == 200, authorized.json()
    assert authorized.json()["state"] == "authorized" and authorized.json()["current_stage"] is None
    assert act(api, switzerland, reference, "authorize_acquisition").status_code == 409

    moved = api(thailand).post("/api/v1/transfers/", {"application": reference, "vintage": 2026, "quantity": 400,
                                                      "to_party": "CHE"}, format="json")
    assert moved.status_code == 201, moved.json()
    assert moved.json()["actions"][0]["action_type"] == "First transfer"
    from apps.ledger.models import Block

    assert set(Block.objects.filter(application=application).values_list("cooperative_approach_id", flat=True)) == {
        "tha-che-bangkok-e-bus"}


def test_switzerland_refusing_rejects_the_application_and_lapses_the_letter(api, thai_proponent):
    thailand, switzerland = user("thailand.approver"), user("switzerland.approver")
    reference = api(thai_proponent).post("/api/v1/applications/", bangkok_payload(), format="json").json()["reference"]
    act(api, thai_proponent, reference, "submit")
    act(api, thailand, reference, "issue_loa", authorized_quantity=5000)
    act(api, thailand, reference, "approve_ca")
    assert act(api, switzerland, reference, "refuse_acquisition").status_code == 400  # a reason is required
    refused = act(api, switzerland, reference, "refuse_acquisition", comment="Not additional under our rules.")
    assert refused.status_code == 200, refused.json()
    assert refused.json()["state"] == "rejected" and refused.json()["loa"]["status"] == "lapsed"


def test_without_an_approach_requiring_it_approve_ca_ends_the_process(api, thai_proponent):
    CooperativeApproach.objects.filter(code="tha-che-bangkok-e-bus").update(acquirer_authorization_required=False)
    thailand = user("thailand.approver")
    reference = api(thai_proponent).post("/api/v1/applications/", bangkok_payload(), format="json").json()["reference"]
    act(api, thai_proponent, reference, "submit")
    act(api, thailand, reference, "issue_loa", authorized_quantity=5000)
    assert act(api, thailand, reference, "approve_ca").json()["state"] == "authorized"


def test_an_unknown_approach_named_is_a_400_naming_the_field(api, thai_proponent):
    response = api(thai_proponent).post("/api/v1/applications/", bangkok_payload(cooperative_approach="nope"), format="json")
    assert response.status_code == 400
    assert "cooperative_approach" in response.json()


def test_the_cooperative_approaches_are_listed_read_only(api, proponent):
    listed = api(proponent).get("/api/v1/cooperative-approaches/")
    assert listed.status_code == 200
    bangkok = next(row for row in listed.json() if row["code"] == "tha-che-bangkok-e-bus")
    assert (bangkok["host_party"], bangkok["acquiring_parties"], bangkok["identifier"]) == ("THA", ["CHE"], "tha-che-bangkok-e-bus")
    assert bangkok["agreements"] == ["Bilateral A6.2 implementing agreement"]
    assert api(proponent).post("/api/v1/cooperative-approaches/", {}, format="json").status_code == 405


def test_the_swiss_officer_decides_on_the_same_pages(api, thai_proponent):
    from django.test import Client
    from django.urls import reverse

    thailand, switzerland = user("thailand.approver"), user("switzerland.approver")
    reference = api(thai_proponent).post("/api/v1/applications/", bangkok_payload(), format="json").json()["reference"]
    act(api, thai_proponent, reference, "submit")
    act(api, thailand, reference, "issue_loa", authorized_quantity=5000)
    act(api, thailand, reference, "approve_ca")
    client = Client()
    client.force_login(switzerland)
    assert reference in client.get(reverse("queue")).content.decode()
    page = client.get(reverse("application", kwargs={"reference": reference})).content.decode()
    assert "Authorize the acquisition" in page and "Refuse the acquisition" in page
    client.post(reverse("application-transition", kwargs={"reference": reference, "name": "authorize_acquisition"}),
                {"authorize_acquisition-seen_state": "acquirer_review", "authorize_acquisition-comment": ""})
    from apps.authorizations.models import Application

    assert Application.objects.get(reference=reference).state == "authorized"


def test_with_two_acquiring_parties_each_authorizes_on_its_own_stage(api, thai_proponent):
    from apps.governance.models import Authority, Membership, Role

    CooperativeApproach.objects.get(code="tha-che-bangkok-e-bus").acquiring_parties.add("SGP")
    thailand, switzerland = user("thailand.approver"), user("switzerland.approver")
    singapore = get_user_model().objects.create_user("singapore.approver")
    authority, _ = Authority.objects.get_or_create(jurisdiction_id="SG", defaults={"name": "Singapore test authority"})
    Membership.objects.create(user=singapore, authority=authority, role=Role.APPROVER)
    created = api(thai_proponent).post("/api/v1/applications/", bangkok_payload(acquiring_parties=["CHE", "SGP"]), format="json")
    reference = created.json()["reference"]
    assert act(api, thai_proponent, reference, "submit").status_code == 200, api(thai_proponent).get(
        f"/api/v1/applications/{reference}/").json()
    act(api, thailand, reference, "issue_loa", authorized_quantity=5000)
    assert act(api, thailand, reference, "approve_ca").json()["state"] == "acquirer_review"
    from apps.authorizations.models import Stage

    assert sorted(Stage.objects.filter(application__reference=reference, closed_at__isnull=True)
                  .values_list("acquiring_party_id", flat=True)) == ["CHE", "SGP"]
    own = api(singapore).get(f"/api/v1/applications/{reference}/").json()["current_stage"]
    assert (own["duty"], own["acquiring_party"], own["authority"]) == ("acquiring_authorization", "SGP", "Singapore test authority")
    assert api(switzerland).get(f"/api/v1/applications/{reference}/").json()["current_stage"]["acquiring_party"] == "CHE"
    assert act(api, singapore, reference, "authorize_acquisition").json()["state"] == "acquirer_review"
    assert act(api, singapore, reference, "authorize_acquisition").status_code == 403  # its own stage is decided
    assert act(api, switzerland, reference, "authorize_acquisition").json()["state"] == "authorized"
    assert user("korea.approver") and api(user("korea.approver")).get(f"/api/v1/applications/{reference}/").status_code == 404
