"""Every change to the governance configuration is kept with who, when, before and after (django-pghistory)."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.governance.models import Authority, Membership, Role, Tier
from apps.history.models import EVENT_MODELS
from apps.history.selectors import held_role_at, membership_grants

from ..factories import UserFactory, make_application

pytestmark = pytest.mark.django_db


def grant_in_admin(client, admin_user, user, jurisdiction: str, role: str) -> None:
    client.force_login(admin_user)
    authority = Authority.objects.get(jurisdiction_id=jurisdiction)
    response = client.post("/admin/governance/membership/add/", {"user": user.pk, "authority": authority.pk, "role": role})
    assert response.status_code == 302


def test_who_gave_this_person_approver_rights_in_sabah_and_when(client, admin_user):
    newcomer = UserFactory(username="new.sabah.approver")
    grant_in_admin(client, admin_user, newcomer, "MY-12", Role.APPROVER)
    grant_in_admin(client, admin_user, newcomer, "MY-13", Role.APPROVER)  # Sarawak: not asked about
    [grant] = membership_grants(user=newcomer, jurisdiction_code="MY-12", role=Role.APPROVER)
    assert (grant.action, grant.by, grant.via, grant.jurisdiction) == ("granted", "admin", "/admin/governance/membership/add/", "MY-12")
    out = StringIO()
    call_command("who_granted", "new.sabah.approver", "--jurisdiction", "MY-12", "--role", "approver", stdout=out)
    assert f"{grant.at:%Y-%m-%d %H:%M:%S} UTC  approver at" in out.getvalue()
    assert "granted for new.sabah.approver by admin via /admin/governance/membership/add/" in out.getvalue()


def test_a_role_changed_and_then_removed_shows_each_step(client, admin_user):
    newcomer = UserFactory()
    grant_in_admin(client, admin_user, newcomer, "MY-12", Role.REVIEWER)
    membership = Membership.objects.get(user=newcomer)
    response = client.post(f"/admin/governance/membership/{membership.pk}/change/",
                           {"user": newcomer.pk, "authority": membership.authority_id, "role": Role.APPROVER})
    assert response.status_code == 302
    response = client.post(f"/admin/governance/membership/{membership.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    steps = [(g.action, g.role, g.by) for g in membership_grants(user=newcomer)]
    assert steps == [("granted", "reviewer", "admin"), ("removed", "reviewer", "admin"),
                     ("granted", "approver", "admin"), ("removed", "approver", "admin")]


def test_a_tier_rename_keeps_before_and_after():
    tier = Tier.objects.get(party_id="MYS", order=2)
    old_name = tier.name
    tier.name = "State government"
    tier.save()
    events = list(EVENT_MODELS["Tier"].objects.filter(pgh_obj_id=tier.pk).order_by("pgh_id"))
    assert [e.name for e in events[-2:]] == [old_name, "State government"]
    assert events[-1].pgh_label == "update"


@pytest.mark.parametrize("model", sorted(EVENT_MODELS))
def test_every_configuration_model_is_tracked(model):
    assert EVENT_MODELS[model].objects.exists(), f"{model}: the seed data should have left insert events"


def test_held_role_at_answers_for_the_moment_not_for_now(proponent, sabah_approver):
    application = make_application(proponent, state="ca_review")
    decided_at = application.loa.issued_at
    sabah = Authority.objects.get(jurisdiction_id="MY-12")
    Membership.objects.filter(user=sabah_approver, authority=sabah, role=Role.APPROVER).delete()
    assert held_role_at(user_id=sabah_approver.pk, authority_id=sabah.pk, role=Role.APPROVER, at=decided_at) is True
    from django.utils import timezone

    assert held_role_at(user_id=sabah_approver.pk, authority_id=sabah.pk, role=Role.APPROVER, at=timezone.now()) is False


def test_verify_decisions_confirms_every_loa_and_ca_approval(proponent):
    make_application(proponent, state="authorized")
    out = StringIO()
    call_command("verify_decisions", stdout=out)
    assert out.getvalue().count("ok      #") == 2
    assert "2 decisions checked against the membership history" in out.getvalue()


def test_verify_decisions_names_a_decision_by_someone_without_the_duty(proponent, sabah_approver):
    from apps.audit.models import AuditEvent

    application = make_application(proponent, state="ca_review")
    event = AuditEvent.objects.get(event="application.issue_loa", subject_id=application.reference)
    # Rewrite history as a forger would: the approver's membership row never existed.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM history_membershipevent WHERE user_id = %s", [sabah_approver.pk])
    with pytest.raises(CommandError, match=f"first: event #{event.seq}"):
        call_command("verify_decisions", stdout=StringIO())


def test_the_verification_setting_of_a_party_is_in_its_admin_page_and_its_history(client, admin_user):
    from apps.governance.models import Party

    client.force_login(admin_user)
    page = client.get("/admin/governance/party/THA/change/")
    assert page.status_code == 200 and b'name="issuance_requires_verification"' in page.content
    party = Party.objects.get(code="THA")
    party.issuance_requires_verification = False
    party.save()
    latest = EVENT_MODELS["Party"].objects.filter(pgh_obj_id="THA").order_by("-pgh_id").first()
    assert latest.issuance_requires_verification is False


def test_config_history_lists_each_change_field_by_field_with_who_made_it(client, admin_user):
    from io import StringIO

    from django.core.management import call_command

    newcomer = UserFactory()
    grant_in_admin(client, admin_user, newcomer, "MY-12", Role.REVIEWER)
    membership = Membership.objects.get(user=newcomer)
    client.post(f"/admin/governance/membership/{membership.pk}/change/",
                {"user": newcomer.pk, "authority": membership.authority_id, "role": Role.APPROVER})
    Membership.objects.get(pk=membership.pk).save()  # a save that changes nothing is not a change
    out = StringIO()
    call_command("config_history", "Membership", str(membership.pk), stdout=out)
    lines = out.getvalue().splitlines()
    assert [line for line in lines if line.startswith("    role")] == ["    role: — → reviewer", "    role: reviewer → approver"]
    assert sum(" update by " in line for line in lines) == 1
    assert f"update by admin via /admin/governance/membership/{membership.pk}/change/" in out.getvalue()
