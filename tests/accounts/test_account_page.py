"""A user's own page lists their sessions and tokens and ends them; staff sessions are short."""
import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from rest_framework.authtoken.models import Token

from apps.accounts.contract_tokens import token_for
from apps.accounts.models import UserSession
from apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


@pytest.fixture
def signed_in_twice(proponent):
    proponent.set_password(PASSWORD)
    proponent.save()
    laptop, phone = Client(HTTP_USER_AGENT="Laptop browser"), Client(HTTP_USER_AGENT="Phone browser")
    for client in (laptop, phone):
        assert client.post("/accounts/login/", {"username": "proponent", "password": PASSWORD}).status_code == 302
    return laptop, phone


def test_the_page_lists_both_sessions_and_marks_this_one(signed_in_twice):
    laptop, _ = signed_in_twice
    page = laptop.get("/account/").content.decode()
    assert "Laptop browser" in page and "Phone browser" in page
    assert "this one" in page


def test_ending_the_other_session_signs_that_browser_out(signed_in_twice, proponent):
    laptop, phone = signed_in_twice
    other = UserSession.objects.get(user=proponent, user_agent="Phone browser")
    response = laptop.post(f"/account/sessions/{other.pk}/revoke/")
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=other.session_key).exists()
    assert phone.get("/account/").status_code == 302  # back to the login page
    assert laptop.get("/account/").status_code == 200
    assert AuditEvent.objects.filter(event="auth.session_revoked", subject_id="proponent").exists()


def test_nobody_ends_someone_elses_session(signed_in_twice, client, sabah_approver):
    other = UserSession.objects.filter(user__username="proponent").first()
    client.force_login(sabah_approver)
    client.post(f"/account/sessions/{other.pk}/revoke/")
    assert Session.objects.filter(session_key=other.session_key).exists()


def test_the_api_token_is_listed_by_its_first_characters_and_revoked(client, proponent):
    raw, _ = token_for(proponent)
    client.force_login(proponent)
    page = client.get("/account/").content.decode()
    assert raw[:6] in page and raw not in page
    client.post("/account/tokens/api/revoke/")
    assert not Token.objects.filter(user=proponent).exists()
    assert AuditEvent.objects.filter(event="token.revoked", subject_id="proponent").exists()


def test_a_staff_session_expires_after_the_staff_timeout(client, admin_user, settings):
    settings.TIERFLOW_STAFF_SESSION_SECONDS = 900
    client.force_login(admin_user)
    client.get("/admin/")
    assert client.session.get_expiry_age() == 900


def test_a_proponent_session_keeps_the_ordinary_age(client, proponent, settings):
    client.force_login(proponent)
    client.get("/account/")
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_password_validators_refuse_a_weak_password():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("password")
    with pytest.raises(ValidationError):
        validate_password("12345678901")
