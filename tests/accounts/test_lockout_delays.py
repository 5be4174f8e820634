"""Each failed sign-in of a username from an address earns a doubling wait before the next try, then the hard
lock; the answer says how long; an administrator can unlock; nobody else is held up."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings

from apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"
ADDRESS = "198.51.100.20"


@pytest.fixture
def known_password(proponent, admin_user, settings):
    settings.TIERFLOW_LOGIN_DELAY_SECONDS = 60
    for user in (proponent, admin_user):
        user.set_password(PASSWORD)
        user.save()


def sign_in(client, username: str, password: str = "wrong", address: str = ADDRESS):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def wait_out_the_delay(username: str = "proponent", seconds: int = 3600):
    """As if the user waited: the recorded failures move back in time (the delays are real minutes here)."""
    for attempt in AccessAttempt.objects.filter(username=username):
        attempt.attempt_time -= timedelta(seconds=seconds)
        attempt.save(update_fields=["attempt_time"])


def test_a_try_within_the_delay_is_refused_with_the_wait_and_is_not_counted(client, known_password):
    assert sign_in(client, "proponent").status_code == 200
    early = sign_in(client, "proponent", PASSWORD)
    assert early.status_code == 429 and int(early["Retry-After"]) in (59, 60)
    assert "wait 60 seconds" in early.content.decode() or "wait 59 seconds" in early.content.decode()
    assert AccessAttempt.objects.get(username="proponent").failures_since_start == 1  # the early try did not count
    assert not AuditEvent.objects.filter(event="auth.locked_out").exists()
    wait_out_the_delay(seconds=61)
    assert sign_in(client, "proponent", PASSWORD).status_code == 302


def test_the_delay_doubles_with_each_failure(client, known_password):
    waits = []
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "proponent").status_code == 200
        waits.append(int(sign_in(client, "proponent").headers["Retry-After"]))
        wait_out_the_delay(seconds=60 * 2 ** len(waits))
    assert [round(w / 60) for w in waits] == [1, 2, 4, 8]


def test_the_hard_lock_says_how_long_it_lasts_in_the_api_too(api, known_password, settings):
    client = api(None)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/api/v1/auth/token/", {"username": "proponent", "password": "wrong"}, format="json",
                               REMOTE_ADDR=ADDRESS)
        wait_out_the_delay(seconds=600)  # each delay waited out; the lock itself is 30 minutes from the last failure
    assert response.status_code == 429 and response.json()["code"] == "locked_out"
    assert "locked for 30 more minutes" in response.json()["detail"]
    response = client.post("/api/v1/auth/token/", {"username": "proponent", "password": PASSWORD}, format="json",
                           REMOTE_ADDR=ADDRESS)
    assert response.status_code == 429 and response.json()["code"] == "locked_out"
    minutes = settings.AXES_COOLOFF_TIME.total_seconds() / 60 - 10
    assert f"locked for {int(minutes)} more minutes" in response.json()["detail"]
    assert abs(int(response["Retry-After"]) - minutes * 60) <= 2


def test_the_delay_does_not_hold_up_another_user_at_the_same_address(client, known_password):
    assert sign_in(client, "admin").status_code == 200
    assert sign_in(client, "proponent", PASSWORD).status_code == 302


def test_an_administrator_unlocks_a_locked_user(client, known_password, proponent, admin_user):
    from django.test import Client

    admin_client = Client()
    admin_client.force_login(admin_user)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "proponent")
        wait_out_the_delay(seconds=600)
    assert sign_in(client, "proponent", PASSWORD).status_code == 429
    response = admin_client.post("/admin/auth/user/", {"action": "unlock_sign_in", "_selected_action": [proponent.pk]})
    assert response.status_code == 302 and response.url == "/admin/auth/user/"
    assert not AccessAttempt.objects.filter(username="proponent").exists()
    assert AuditEvent.objects.filter(event="auth.unlocked", subject_id="proponent").exists()
    assert sign_in(client, "proponent", PASSWORD).status_code == 302


def test_guessing_many_usernames_from_one_address_is_braked_for_a_minute_not_locked(client, known_password, settings):
    settings.TIERFLOW_SIGNIN_FAILURES_PER_ADDRESS_PER_MINUTE = 3
    if time.time() % 60 > 50:  # the count is per clock minute: start well inside one
        time.sleep(61 - time.time() % 60)
    assert [sign_in(client, f"guess{n}").status_code for n in range(3)] == [200, 200, 200]
    braked = sign_in(client, "proponent", PASSWORD)
    assert braked.status_code == 429 and 0 < int(braked["Retry-After"]) <= 60
    assert sign_in(client, "proponent", PASSWORD, address="192.0.2.50").status_code == 302  # elsewhere: unaffected
    assert not AccessAttempt.objects.filter(username="proponent").exists()  # nobody's account was locked
