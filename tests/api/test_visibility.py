"""Nobody sees or touches an application outside their jurisdiction or organisation."""
import pytest

from ..factories import application_payload, make_application

pytestmark = pytest.mark.django_db


def test_a_sarawak_officer_cannot_list_see_or_act_on_a_sabah_application(api, proponent, sarawak_approver):
    application = make_application(proponent, state="loa_review")
    client = api(sarawak_approver)
    assert client.get("/api/v1/applications/").json()["results"] == []
    assert client.get(f"/api/v1/applications/{application.reference}/").status_code == 404
    response = client.post(f"/api/v1/applications/{application.reference}/transitions/", {"transition": "issue_loa", "authorized_quantity": 1}, format="json")
    assert response.status_code == 404
    assert client.get("/api/v1/applications/", {"jurisdiction": "MY-12"}).json()["results"] == []


def test_the_sabah_officers_and_the_federal_ministry_list_a_submitted_sabah_application(api, proponent, sabah_reviewer, federal_supervisor):
    application = make_application(proponent, state="loa_review")
    for persona in (sabah_reviewer, federal_supervisor):
        references = [a["reference"] for a in api(persona).get("/api/v1/applications/").json()["results"]]
        assert references == [application.reference]


def test_officers_do_not_see_a_proponents_draft(api, proponent, sabah_approver):
    draft = make_application(proponent)
    assert api(sabah_approver).get(f"/api/v1/applications/{draft.reference}/").status_code == 404


def test_another_organisation_does_not_see_the_proponents_applications(api, proponent):
    from ..factories import OrganisationFactory, UserFactory

    stranger = UserFactory()
    OrganisationFactory().members.add(stranger)
    application = make_application(proponent, state="loa_review")
    assert api(stranger).get(f"/api/v1/applications/{application.reference}/").status_code == 404
    assert api(stranger).get("/api/v1/applications/").json()["results"] == []


def test_a_user_without_an_organisation_cannot_create_applications(api, sabah_approver):
    response = api(sabah_approver).post("/api/v1/applications/", application_payload(), format="json")
    assert response.status_code == 403
    assert "proponent organisation" in response.json()["detail"]


def test_the_list_filters_by_state_jurisdiction_and_overdue(api, proponent, federal_approver):
    from datetime import timedelta

    from django.utils import timezone

    from apps.authorizations.models import Stage

    in_sabah = make_application(proponent, state="loa_review")
    in_kl = make_application(proponent, state="loa_review", jurisdiction="MY-14")
    Stage.objects.filter(application=in_kl).update(due_at=timezone.now() - timedelta(hours=1))
    client = api(federal_approver)

    def references(**params):
        return {a["reference"] for a in client.get("/api/v1/applications/", params).json()["results"]}

    assert references(jurisdiction="MY-12") == {in_sabah.reference}
    assert references(state="loa_review") == {in_sabah.reference, in_kl.reference}
    assert references(state="authorized") == set()
    assert references(overdue="true") == {in_kl.reference}
    assert references(overdue="false") == {in_sabah.reference}
    assert client.get(f"/api/v1/applications/{in_kl.reference}/").json()["current_stage"]["overdue"] is True


def test_a_user_removed_from_an_authority_loses_access_at_once(api, proponent, sabah_approver):
    from apps.governance.models import Membership

    application = make_application(proponent, state="loa_review")
    assert api(sabah_approver).get(f"/api/v1/applications/{application.reference}/").status_code == 200
    Membership.objects.filter(user=sabah_approver).delete()
    assert api(sabah_approver).get(f"/api/v1/applications/{application.reference}/").status_code == 404


def test_a_draft_withdrawn_before_it_was_ever_submitted_stays_the_proponents(api, proponent, sabah_approver):
    from ..factories import make_application as make

    never_sent = make(proponent)
    assert api(proponent).post(f"/api/v1/applications/{never_sent.reference}/transitions/", {"transition": "withdraw"},
                               format="json").status_code == 200
    sent = make(proponent, state="loa_review")
    api(proponent).post(f"/api/v1/applications/{sent.reference}/transitions/", {"transition": "withdraw"}, format="json")
    listed = {a["reference"] for a in api(sabah_approver).get("/api/v1/applications/", {"page_size": 200}).json()["results"]}
    assert never_sent.reference not in listed and sent.reference in listed
    assert api(sabah_approver).get(f"/api/v1/applications/{never_sent.reference}/").status_code == 404
    assert api(proponent).get(f"/api/v1/applications/{never_sent.reference}/").status_code == 200
