"""Personal API tokens: shown once, hashed at rest, usable as Bearer or Token, revocable; audited; throttled."""
import hashlib

import pytest

from apps.api.models import PersonalToken
from apps.api.throttling import PerTokenThrottle
from apps.api.auth import ObtainTokenView
from apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_token_is_shown_once_and_stored_only_as_its_hash(api, proponent):
    created = api(proponent).post("/api/v1/tokens/", {"name": "ERP sync"}, format="json")
    assert created.status_code == 201
    raw = created.json()["token"]
    row = PersonalToken.objects.get(pk=created.json()["id"])
    assert row.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {row.key_hash, row.prefix} and raw.startswith(row.prefix)
    listed = api(proponent).get("/api/v1/tokens/").json()
    assert [t["name"] for t in listed] == ["ERP sync"] and "token" not in listed[0]
    event = AuditEvent.objects.get(event="token.created", data__kind="personal")
    assert event.actor_username == "proponent" and raw not in str(event.data)


@pytest.mark.parametrize("keyword", ["Bearer", "Token"])
def test_the_token_authenticates(api, proponent, token_for, keyword):
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {token_for(proponent)}")
    assert client.get("/api/v1/applications/").status_code == 200
    assert PersonalToken.objects.get().last_used_at is not None


def test_a_revoked_or_unknown_token_is_401(api, proponent, token_for):
    raw = token_for(proponent)
    token = PersonalToken.objects.get()
    assert api(proponent).delete(f"/api/v1/tokens/{token.pk}/").status_code == 204
    assert AuditEvent.objects.filter(event="token.revoked", data__kind="personal").count() == 1
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.get("/api/v1/applications/")
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"
    client.credentials(HTTP_AUTHORIZATION="Bearer tfp_nonsense")
    assert client.get("/api/v1/applications/").status_code == 401
    assert api(proponent).get("/api/v1/tokens/").json()[0]["active"] is False


def test_a_token_without_a_name_is_refused(api, proponent):
    response = api(proponent).post("/api/v1/tokens/", {"name": "  "}, format="json")
    assert response.status_code == 400 and "name" in response.json()
    assert not PersonalToken.objects.exists()


def test_nobody_revokes_or_sees_anothers_token(api, proponent, sabah_approver, token_for):
    token_for(proponent)
    token = PersonalToken.objects.get()
    assert api(sabah_approver).delete(f"/api/v1/tokens/{token.pk}/").status_code == 404
    assert api(sabah_approver).get("/api/v1/tokens/").json() == []
    assert PersonalToken.objects.get().revoked_at is None


def test_requests_beyond_the_per_token_rate_get_429_with_retry_after(api, proponent, token_for, monkeypatch):
    monkeypatch.setattr(PerTokenThrottle, "THROTTLE_RATES", {**PerTokenThrottle.THROTTLE_RATES, "api": "3/min"})
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(proponent)}")
    statuses = [client.get("/api/v1/parties/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = client.get("/api/v1/parties/")
    assert throttled.json()["code"] == "throttled" and int(throttled["Retry-After"]) > 0
    other = api(None)
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(proponent, name='second')}")
    assert other.get("/api/v1/parties/").status_code == 200  # the rate is per token


def test_the_token_endpoint_is_throttled(api, proponent, monkeypatch, settings):
    settings.TIERFLOW_LOGIN_DELAY_SECONDS = 0  # the third try is refused by the rate, not by the delay after a failure
    assert ObtainTokenView.throttle_scope == "token"
    monkeypatch.setattr("rest_framework.throttling.ScopedRateThrottle.THROTTLE_RATES", {"token": "2/min"})
    client = api(None)
    statuses = [client.post("/api/v1/auth/token/", {"username": "proponent", "password": "wrong"}, format="json").status_code
                for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_a_locked_out_token_request_gets_the_json_error_body(api, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.TIERFLOW_LOGIN_DELAY_SECONDS = 0
    client = api(None)
    responses = [client.post("/api/v1/auth/token/", {"username": "proponent", "password": "wrong"}, format="json")
                 for _ in range(3)]
    locked = responses[-1]
    assert locked.status_code == 429 and locked["Content-Type"] == "application/json"
    assert locked.json()["code"] == "locked_out"
