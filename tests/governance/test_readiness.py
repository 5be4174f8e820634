"""A misconfigured Party is caught in the admin and by `manage.py check`, not by a proponent's 500."""
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from apps.governance.admin import PartyForm
from apps.governance.models import Authority, Duty, DutyAssignment, Jurisdiction, Membership, Party, Role, Tier
from apps.governance.readiness import problems_of

from ..factories import make_application

pytestmark = pytest.mark.django_db


def test_a_time_zone_that_is_not_iana_cannot_be_saved():
    party = Party(code="XTZ", name="Zoneland", timezone="Manila")
    with pytest.raises(ValidationError) as error:
        party.full_clean()
    assert "Manila" in str(error.value.message_dict["timezone"])
    jurisdiction = Jurisdiction(code="MY-98", name="Nowhere", party_id="MYS", tier=Tier.objects.get(party_id="MYS", order=2),
                                parent_id="MY", timezone="Kota Kinabalu")
    with pytest.raises(ValidationError) as error:
        jurisdiction.full_clean()
    assert "timezone" in error.value.message_dict
    form = PartyForm(data={"code": "XTZ", "name": "Zoneland", "timezone": "Manila", "ndc_accounting": "single_year",
                           "ndc_first_year": 2021, "ndc_last_year": 2030})
    assert not form.is_valid() and "timezone" in form.errors
    form = PartyForm(data={"code": "XTZ", "name": "Zoneland", "timezone": "Asia/Manila", "ndc_accounting": "single_year", "register_publication": "decided",
                           "ndc_first_year": 2021, "ndc_last_year": 2030})
    assert form.is_valid(), form.errors


def _admin_post_data(party: Party, **changes) -> dict:
    """The Party change form as the admin page posts it, with every inline's rows as saved."""
    data = {"name": party.name, "timezone": party.timezone, "ndc_accounting": party.ndc_accounting,
            "ndc_first_year": party.ndc_first_year, "ndc_last_year": party.ndc_last_year, "_save": "Save"}
    if party.is_host:
        data["is_host"] = "on"
    if party.is_acquiring:
        data["is_acquiring"] = "on"
    if party.issuance_requires_verification:
        data["issuance_requires_verification"] = "on"
    data["letter_language"] = party.letter_language
    data["register_publication"] = party.register_publication
    # The translations inline (a generic inline): posted with no rows, it leaves the Party's translations as they are.
    data.update({"translations-translation-content_type-object_id-TOTAL_FORMS": 0,
                 "translations-translation-content_type-object_id-INITIAL_FORMS": 0})
    inlines = {
        "tiers": (party.tiers.all(), ["name", "order"]),
        "duty_assignments": (party.duty_assignments.all(), ["duty", "tier", "sla_days", "calendar", "reminder_percent",
                                                            "escalation_grace_days"]),
        "requirements": (party.requirements.all(), ["side", "transition", "kind", "field", "pattern", "programmes",
                                                    "agreement_kind", "applies_to", "message", "source", "source_verified"]),
        "jurisdictions": (party.jurisdictions.all(), ["code", "name", "tier", "parent", "timezone"]),
    }
    for prefix, (rows, fields) in inlines.items():
        rows = list(rows)
        data.update({f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": len(rows),
                     f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-{row._meta.pk.attname}"] = row.pk
            data[f"{prefix}-{i}-party"] = party.pk
            for field in fields:
                value = getattr(row, row._meta.get_field(field).attname)
                if value is False:
                    continue  # an unticked checkbox is not posted
                data[f"{prefix}-{i}-{field}"] = "" if value is None else ("on" if value is True else value)
    data.update(changes)
    return data


def _holderless_party() -> Party:
    """A Party with every duty at its one tier, a jurisdiction, and no authority at all."""
    party = Party.objects.create(code="XHL", name="Holderless", timezone="Asia/Manila")
    tier = Tier.objects.create(party=party, name="National", order=1)
    Jurisdiction.objects.create(code="XH", name="Holderless", party=party, tier=tier)
    for duty in Duty.values:
        DutyAssignment.objects.create(party=party, duty=duty, tier=tier, sla_days=30)
    return party


def test_a_party_without_duty_holders_cannot_be_made_host(client, admin_user):
    party = _holderless_party()
    client.force_login(admin_user)
    url = f"/admin/governance/party/{party.pk}/change/"
    page = client.get(url).content.decode()
    assert "Readiness" in page and "No authority holds Letter of Authorization issuance for XH" in page

    response = client.post(url, _admin_post_data(party, is_host="on"))
    assert response.status_code == 200
    assert "cannot be a host Party until its configuration is ready" in response.content.decode()
    party.refresh_from_db()
    assert not party.is_host

    # With an authority and its approver the same save makes it a host.
    authority = Authority.objects.create(jurisdiction_id="XH", name="Holderless Climate Office")
    Membership.objects.create(user=admin_user, authority=authority, role=Role.APPROVER)
    assert problems_of(party) == []
    response = client.post(url, _admin_post_data(party, is_host="on"))
    assert response.status_code == 302, response.content.decode()[:3000]
    party.refresh_from_db()
    assert party.is_host


def test_a_host_party_with_known_gaps_stays_editable_but_may_not_add_one(client, admin_user):
    malaysia = Party.objects.get(code="MYS")
    assert any(problem.code == "governance.W003" for problem in problems_of(malaysia))  # the demo's unstaffed States
    client.force_login(admin_user)
    url = "/admin/governance/party/MYS/change/"
    assert client.post(url, _admin_post_data(malaysia, name="Malaysia")).status_code == 302

    # An SLA of 0 days would put every LoA stage overdue the moment it opens: a new gap, refused.
    data = _admin_post_data(malaysia)
    index = list(malaysia.duty_assignments.all()).index(malaysia.duty_assignments.get(duty=Duty.LOA_ISSUANCE))
    data[f"duty_assignments-{index}-sla_days"] = 0
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Letter of Authorization issuance has no SLA" in response.content.decode()
    assert malaysia.duty_assignments.get(duty=Duty.LOA_ISSUANCE).sla_days > 0
def test_manage_py_check_reports_an_authority_without_an_approver():
    Membership.objects.filter(authority__jurisdiction_id="MY-13", role=Role.APPROVER).delete()
    out, err = StringIO(), StringIO()
    call_command("check", stdout=out, stderr=err)
    report = out.getvalue() + err.getvalue()
    assert "governance.W003" in report
    assert "Malaysia (MYS): (governance.W003) Forest Department Sarawak (MY-13) holds a duty but has no active approver" in report
    assert "/admin/governance/authority/" in report


def test_submit_for_a_jurisdiction_without_a_holder_is_a_400_not_a_500(api, client, proponent):
    party = _holderless_party()
    Party.objects.filter(pk=party.pk).update(is_host=True)  # as configured before the admin refused it
    application = make_application(proponent, host_party="XHL", jurisdiction="XH", acquiring_parties=[])
    response = api(proponent).post(f"/api/v1/applications/{application.reference}/transitions/", {"transition": "submit"},
                                   format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert "no authority in XH holds the duty Letter of Authorization issuance" in body["detail"]
    application.refresh_from_db()
    assert application.state == "draft"

    client.force_login(proponent)
    page = client.post(f"/applications/{application.reference}/transitions/submit/", {"seen_state": "draft"})
    assert page.status_code == 400
    assert "no authority in XH holds the duty" in page.content.decode()


def test_the_duty_and_jurisdiction_inlines_offer_only_the_party_s_own_tiers(client, admin_user):
    client.force_login(admin_user)
    new_party = client.get("/admin/governance/party/add/").content.decode()
    assert "MYS · Federal" not in new_party and "IDN · " not in new_party  # no other Party's tier before it has its own
    indonesia = client.get("/admin/governance/party/IDN/change/").content.decode()
    assert "IDN · " in indonesia and "MYS · " not in indonesia
    assert 'name="timezone"' in indonesia and '<option value="Asia/Jakarta" selected>' in indonesia


def test_a_party_saved_with_a_bad_zone_before_shows_it_and_must_choose_another(client, admin_user):
    Party.objects.filter(pk="VNM").update(timezone="Hanoi")  # as the free-text field allowed
    client.force_login(admin_user)
    page = client.get("/admin/governance/party/VNM/change/").content.decode()
    assert '<option value="Hanoi" selected>Hanoi (not an IANA time zone: choose one)</option>' in page
    assert "The time zone Hanoi is not an IANA time zone." in page  # the readiness panel says so too
    response = client.post("/admin/governance/party/VNM/change/", _admin_post_data(Party.objects.get(pk="VNM")))
    assert response.status_code == 200 and "Hanoi is not an IANA time zone" in response.content.decode()
    assert Party.objects.get(pk="VNM").timezone == "Hanoi"
