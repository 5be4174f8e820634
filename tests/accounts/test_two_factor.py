"""TOTP is required of approvers, supervisors and staff (TIERFLOW_REQUIRE_2FA), optional for proponents."""
import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.audit.models import AuditEvent
from apps.authorizations.models import Application

from ..factories import make_application
from .conftest import current_code

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def transition(api, user, application, name, **extra):
    return api(user).post(f"/api/v1/applications/{application.reference}/transitions/",
                          {"transition": name, "comment": "ok", **extra}, format="json")


def test_an_approver_without_a_confirmed_device_cannot_issue_an_loa(api, two_factor_on, proponent, sabah_approver):
    application = make_application(proponent, state="loa_review")
    TOTPDevice.objects.create(user=sabah_approver, name="unconfirmed", confirmed=False)
    response = transition(api, sabah_approver, application, "issue_loa", authorized_quantity=10)
    assert response.status_code == 403
    assert "two-factor authentication" in response.json()["detail"]
    assert Application.objects.get(pk=application.pk).state == "loa_review"
    assert not AuditEvent.objects.filter(event="application.issue_loa").exists()


def test_an_approver_with_a_confirmed_device_issues_the_loa(api, two_factor_on, proponent, sabah_approver, confirmed_device):
    application = make_application(proponent, state="loa_review")
    confirmed_device(sabah_approver)
    assert transition(api, sabah_approver, application, "issue_loa", authorized_quantity=10).status_code == 200


@pytest.mark.parametrize("name", ["request_changes", "reject"])
def test_every_officer_decision_needs_the_second_factor(api, two_factor_on, proponent, sabah_approver, name):
    application = make_application(proponent, state="loa_review")
    assert transition(api, sabah_approver, application, name).status_code == 403


def test_decisions_the_service_would_refuse_for_want_of_a_device_are_not_offered(api, two_factor_on, proponent, sabah_approver,
                                                                                 confirmed_device):
    application = make_application(proponent, state="loa_review")
    offered = api(sabah_approver).get(f"/api/v1/applications/{application.reference}/").json()["available_transitions"]
    assert offered == []
    confirmed_device(sabah_approver)
    sabah_approver = get_user_model().objects.get(pk=sabah_approver.pk)
    offered = api(sabah_approver).get(f"/api/v1/applications/{application.reference}/").json()["available_transitions"]
    assert offered == ["issue_loa", "request_changes", "reject"]


def test_a_proponent_submits_without_a_second_factor(api, two_factor_on, proponent):
    application = make_application(proponent)
    assert transition(api, proponent, application, "submit").status_code == 200


def test_with_enforcement_off_no_device_is_needed(api, proponent, sabah_approver):
    application = make_application(proponent, state="loa_review")
    assert transition(api, sabah_approver, application, "issue_loa", authorized_quantity=10).status_code == 200


def test_a_signed_in_approver_is_sent_to_enrol_and_then_gets_in(client, two_factor_on, sabah_approver, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the wrong code below would otherwise make the right one wait a second
    client.force_login(sabah_approver)
    response = client.get("/applications/")
    assert response.status_code == 302
    assert response["Location"] == "/account/two-factor/?next=%2Fapplications%2F"
    page = client.get("/account/two-factor/?next=/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=sabah_approver, confirmed=False)
    wrong = client.post("/account/two-factor/", {"token": "000000" if current_code(device) != "000000" else "111111", "next": "/"})
    assert wrong.status_code == 400 and "did not match" in wrong.content.decode()
    right = client.post("/account/two-factor/", {"token": current_code(device), "next": "/"})
    assert right.status_code == 302 and right["Location"] == "/"
    assert client.get("/applications/").status_code == 200
    assert AuditEvent.objects.filter(event="auth.2fa_enrolled", subject_id="sabah.approver").exists()


def test_an_enrolled_approver_verifies_each_new_session(client, two_factor_on, sabah_approver, confirmed_device):
    device = confirmed_device(sabah_approver)
    client.force_login(sabah_approver)
    response = client.get("/applications/")
    assert response["Location"] == "/account/two-factor/verify/?next=%2Fapplications%2F"
    assert client.post("/account/two-factor/verify/", {"token": current_code(device), "next": "/"})["Location"] == "/"
    assert client.get("/applications/").status_code == 200


def test_a_staff_admin_must_verify_before_the_admin(client, two_factor_on, admin_user):
    client.force_login(admin_user)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/account/two-factor/")


def test_a_proponent_is_not_asked_for_a_second_factor(client, two_factor_on, proponent):
    client.force_login(proponent)
    assert client.get("/applications/").status_code == 200


def test_the_token_endpoint_asks_an_approver_for_the_current_code(api, two_factor_on, sabah_approver, confirmed_device):
    sabah_approver.set_password(PASSWORD)
    sabah_approver.save()
    device = confirmed_device(sabah_approver)
    without = api(None).post("/api/v1/auth/token/", {"username": "sabah.approver", "password": PASSWORD}, format="json")
    assert without.status_code == 400
    assert without.json()["code"] == "two_factor_required" and without.json()["otp"]
    with_code = api(None).post("/api/v1/auth/token/", {"username": "sabah.approver", "password": PASSWORD, "otp": current_code(device)}, format="json")
    assert with_code.status_code == 200 and with_code.json()["token"]


def test_the_setting_is_on_unless_debug():
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / "config" / "settings.py").read_text()
    assert 'TIERFLOW_REQUIRE_2FA = env.bool("TIERFLOW_REQUIRE_2FA", default=not DEBUG)' in source


def test_an_unverified_approver_session_gets_a_json_403_from_the_api(client, two_factor_on, sabah_approver):
    client.force_login(sabah_approver)
    response = client.get("/api/v1/applications/")
    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_required"


def test_a_wrong_code_at_verification_is_refused_and_recorded(client, two_factor_on, sabah_approver, confirmed_device):
    device = confirmed_device(sabah_approver)
    client.force_login(sabah_approver)
    wrong = "000000" if current_code(device) != "000000" else "111111"
    response = client.post("/account/two-factor/verify/", {"token": wrong, "next": "/"})
    assert response.status_code == 400 and "did not match" in response.content.decode()
    assert client.get("/")["Location"].startswith("/account/two-factor/verify/")
    assert AuditEvent.objects.filter(event="auth.2fa_failed", subject_id="sabah.approver").exists()


def test_an_admin_removing_someones_device_is_recorded(client, admin_user, sabah_approver, confirmed_device):
    device = confirmed_device(sabah_approver)
    client.force_login(admin_user)
    response = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    event = AuditEvent.objects.filter(event="config.deleted", subject_type="otp_totp.totpdevice").get()
    assert event.actor_username == "admin"
