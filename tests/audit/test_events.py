"""Every class of event the issue lists lands in the chain: logins, failures, tokens, admin changes, verifications."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from apps.audit.models import AuditEvent, VerificationRun
from apps.governance.models import Authority, Membership

from ..factories import UserFactory, make_application

pytestmark = pytest.mark.django_db


def events(name: str):
    return AuditEvent.objects.filter(event=name).order_by("seq")


def test_a_web_login_and_a_failed_one_are_recorded(client, proponent):
    proponent.set_password("correct horse battery"); proponent.save()
    client.post("/accounts/login/", {"username": "proponent", "password": "wrong"}, REMOTE_ADDR="10.1.1.1")
    failed = events("auth.login_failed").last()
    assert (failed.subject_id, failed.data["address"]) == ("proponent", "10.1.1.1")
    client.post("/accounts/login/", {"username": "proponent", "password": "correct horse battery"})
    login = events("auth.login").last()
    assert (login.subject_id, login.actor_username) == ("proponent", "proponent")


def test_creating_an_api_token_is_recorded_without_the_secret(api, proponent):
    proponent.set_password("correct horse battery"); proponent.save()
    response = api(None).post("/api/v1/auth/token/", {"username": "proponent", "password": "correct horse battery"}, format="json")
    assert response.status_code == 200
    created = events("token.created").get()
    assert created.subject_id == "proponent"
    assert response.json()["token"] not in str(created.data)


def test_granting_a_role_in_the_admin_is_recorded_with_who_did_it(client, admin_user):
    newcomer = UserFactory()
    sabah = Authority.objects.get(jurisdiction_id="MY-12")
    client.force_login(admin_user)
    response = client.post("/admin/governance/membership/add/", {"user": newcomer.pk, "authority": sabah.pk, "role": "approver"})
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(user=newcomer)
    event = events("config.added").last()
    assert (event.subject_type, event.subject_id, event.actor_username, event.party) == (
        "governance.membership", str(membership.pk), "admin", "MYS")


def test_a_verification_run_is_kept_and_shown_in_the_admin(client, admin_user, proponent):
    make_application(proponent, state="loa_review")
    client.force_login(admin_user)  # a login is an event too: sign in before verifying
    call_command("verify_audit", stdout=StringIO())
    run = VerificationRun.objects.get()
    assert run.ok and run.checked == AuditEvent.objects.count() == run.head_seq
    page = client.get("/admin/audit/verificationrun/").content.decode()
    assert run.head_hash in page
    assert f"intact, {run.checked} events verified" in page


def test_a_deleted_event_is_named_and_the_failed_run_kept(proponent):
    make_application(proponent, state="ca_review")
    victim = AuditEvent.objects.order_by("seq")[1]
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER ALL")
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER ALL")
    with pytest.raises(CommandError, match=f"broken at event #{victim.seq}: event #{victim.seq} is missing"):
        call_command("verify_audit")
    run = VerificationRun.objects.get()
    assert (run.ok, run.broken_seq) == (False, victim.seq)


def test_the_scheduled_verification_keeps_its_run(proponent):
    from apps.audit.tasks import verify_chain_task

    make_application(proponent, state="loa_review")
    assert verify_chain_task() == {"ok": True, "checked": AuditEvent.objects.count(), "broken_seq": None}
    assert VerificationRun.objects.get().requested_by == "scheduler"


def test_making_someone_staff_in_the_admin_is_recorded(client, admin_user, proponent):
    client.force_login(admin_user)
    response = client.post(f"/admin/auth/user/{proponent.pk}/change/", {
        "username": "proponent", "is_active": "on", "is_staff": "on", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    event = events("config.changed").last()
    assert (event.subject_type, event.subject_id, event.actor_username) == ("auth.user", str(proponent.pk), "admin")
    assert "Staff status" in str(event.data["change"]) or "is_staff" in str(event.data["change"])
