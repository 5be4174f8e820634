"""django-axes locks a username from an address after N failed sign-ins: on the web login, the admin and the API.
The doubling delay between failures is switched off here (tests/accounts/test_lockout_delays.py covers it)."""
import pytest
from django.conf import settings

from apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"
LIMIT = settings.AXES_FAILURE_LIMIT


@pytest.fixture(autouse=True)
def _no_delay_between_failures(settings):
    settings.TIERFLOW_LOGIN_DELAY_SECONDS = 0


@pytest.fixture
def known_password(proponent, admin_user):
    for user in (proponent, admin_user):
        user.set_password(PASSWORD)
        user.save()


def fail(client, url: str, username: str, address: str = "10.0.0.1", times: int = LIMIT):
    return [client.post(url, {"username": username, "password": "wrong"}, REMOTE_ADDR=address) for _ in range(times)]


def test_the_web_login_locks_a_user_after_n_failures_even_with_the_right_password(client, known_password):
    responses = fail(client, "/accounts/login/", "proponent")
    assert [r.status_code for r in responses[:-1]] == [200] * (LIMIT - 1)  # the form again, with its error
    assert responses[-1].status_code == 429
    response = client.post("/accounts/login/", {"username": "proponent", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode() and "30 more minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(event="auth.locked_out", subject_id="proponent").exists()


def test_failures_from_one_address_do_not_lock_the_user_out_from_another(client, known_password):
    fail(client, "/accounts/login/", "proponent", address="10.0.0.1")
    response = client.post("/accounts/login/", {"username": "proponent", "password": PASSWORD}, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302  # anyone could otherwise lock any official out by guessing their password


def test_one_users_failures_do_not_lock_another_user_behind_the_same_address(client, known_password):
    fail(client, "/accounts/login/", "admin", address="198.51.100.9")
    assert client.post("/accounts/login/", {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="198.51.100.9").status_code == 429
    response = client.post("/accounts/login/", {"username": "proponent", "password": PASSWORD}, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 302  # a ministry behind one NAT address is not locked out together


def test_fewer_failures_than_the_limit_still_let_the_right_password_in(client, known_password):
    fail(client, "/accounts/login/", "proponent", times=LIMIT - 1)
    response = client.post("/accounts/login/", {"username": "proponent", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_the_admin_login_is_locked_too(client, known_password):
    fail(client, "/admin/login/", "admin")
    response = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_api_token_endpoint_is_locked_too_with_the_api_error_body(api, known_password):
    client = api(None)
    for _ in range(LIMIT - 1):
        response = client.post("/api/v1/auth/token/", {"username": "proponent", "password": "wrong"}, format="json")
        assert response.status_code == 400
    response = client.post("/api/v1/auth/token/", {"username": "proponent", "password": "wrong"}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"  # the failure that locks answers in the API's body, not a web page
    assert int(response["Retry-After"]) > 0
    response = client.post("/api/v1/auth/token/", {"username": "proponent", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert not AuditEvent.objects.filter(event="token.created").exists()


def test_the_api_token_endpoint_answers_like_drf_obtain_auth_token(api, known_password):
    response = api(None).post("/api/v1/auth/token/", {"username": "proponent", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert set(response.json()) == {"token"}
    again = api(None).post("/api/v1/auth/token/", {"username": "proponent", "password": PASSWORD}, format="json")
    assert again.json() == response.json()


def test_the_token_endpoint_is_throttled_per_address_as_well(api, known_password, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    # monkeypatch puts the class's rates back after the test, so later tests see the configured ones.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "token": "2/min"})
    codes = [api(None).post("/api/v1/auth/token/", {"username": "proponent", "password": PASSWORD}, format="json").status_code
             for _ in range(3)]
    assert codes == [200, 200, 429]
