"""Setting up a Party on one admin page: everything it needs to take applications, saved together or not at all."""
import pytest
from django.contrib.auth import get_user_model

from apps.audit.models import AuditEvent
from apps.authorizations import services
from apps.authorizations.models import Application
from apps.governance.models import Authority, DutyAssignment, Jurisdiction, Membership, Party
from apps.governance.readiness import problems_of

from ..factories import application_input

pytestmark = pytest.mark.django_db
URL = "/admin/governance/party/setup/"


def setup_data(**overrides) -> dict:
    data = {
        "code": "NPL", "name": "Nepal", "timezone": "Asia/Kathmandu", "is_host": "on", "letter_language": "",
        "jurisdiction_code": "NP", "authority_name": "Ministry of Forests and Environment", "authority_short_name": "MoFE",
        "authority_email": "article6@example.test", "sla_days": "30", "takes_article_6_4": "on",
        "staff-TOTAL_FORMS": "3", "staff-INITIAL_FORMS": "0", "staff-MIN_NUM_FORMS": "0", "staff-MAX_NUM_FORMS": "50",
        "staff-0-username": "np.approver", "staff-0-first_name": "Maria", "staff-0-last_name": "Santos",
        "staff-0-email": "maria@example.test", "staff-0-role": "approver",
        "staff-1-username": "np.reviewer", "staff-1-role": "reviewer",
        "staff-2-username": "", "staff-2-role": "reviewer",  # an empty row, as the page posts it
    }
    data.update(overrides)
    return data


def test_one_save_sets_up_a_host_party_that_takes_an_application_at_once(admin_client, proponent):
    assert URL in admin_client.get("/admin/governance/party/").content.decode()
    page = admin_client.get(URL)
    assert page.status_code == 200 and 'name="staff-0-username"' in page.content.decode()
    response = admin_client.post(URL, setup_data())
    assert response.status_code == 302 and response.url == "/admin/governance/party/NPL/change/"
    party = Party.objects.get(code="NPL")
    assert party.is_host and problems_of(party) == []
    authority = Authority.objects.get(jurisdiction_id="NP")
    assert sorted(Membership.objects.filter(authority=authority).values_list("user__username", "role")) == [
        ("np.approver", "approver"), ("np.reviewer", "reviewer")]
    assert set(DutyAssignment.objects.filter(party=party).values_list("duty", flat=True)) == {
        "loa_issuance", "ca_approval", "report_approval", "mechanism_approval", "cdm_transition_approval"}
    assert not get_user_model().objects.get(username="np.approver").has_usable_password()
    assert AuditEvent.objects.filter(event="config.added", party="NPL").count() >= 8

    application = services.create_application(
        acting_user=proponent, organisation=proponent.organisations.first(),
        data=application_input(host_party="NPL", jurisdiction="NP", acquiring_parties=[], purposes="OIMP",
                               first_transfer_definition="Authorization"))
    submitted = services.submit_application(application, acting_user=proponent)
    assert submitted.state == "loa_review"
    assert Application.objects.get(pk=application.pk).stages.get(closed_at__isnull=True).authority == authority


def test_a_host_without_an_approver_is_refused_and_nothing_is_saved(admin_client):
    response = admin_client.post(URL, setup_data(**{"staff-0-role": "reviewer", "staff-0-username": "np.other"}))
    assert response.status_code == 400
    assert "would not be ready" in response.content.decode()
    assert not Party.objects.filter(code="NPL").exists() and not Jurisdiction.objects.filter(code="NP").exists()
    assert not get_user_model().objects.filter(username__in=["np.other", "np.reviewer"]).exists()


@pytest.mark.parametrize(("overrides", "message"), [
    ({"code": "MYS"}, "already set up"),
    ({"code": "np1"}, "three capital letters"),
    ({"jurisdiction_code": "MY"}, "exists already"),
    ({"timezone": "Kathmandu"}, "Select a valid choice"),
    ({"is_host": ""}, "hosts activities, acquires"),
    ({"staff-1-username": "np.approver", "staff-1-role": "approver"}, "listed twice"),
])
def test_bad_input_is_refused_beside_its_field(admin_client, overrides, message):
    before = Party.objects.count()
    response = admin_client.post(URL, setup_data(**overrides))
    assert response.status_code == 400 and message in response.content.decode()
    assert Party.objects.count() == before


def test_an_officer_without_admin_rights_cannot_open_it(client, sabah_approver):
    client.force_login(sabah_approver)
    assert client.get(URL).status_code == 302  # to the admin's sign-in
