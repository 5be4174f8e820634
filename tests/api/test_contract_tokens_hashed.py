"""The contract's API token is stored only as a digest: a copy of the database authenticates nobody, the
endpoint still answers with the same token each time, and tokens handed out before hashing keep working."""
from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


@pytest.fixture
def known_password(proponent):
    proponent.set_password(PASSWORD)
    proponent.save()


def obtain(api) -> str:
    response = api(None).post("/api/v1/auth/token/", {"username": "proponent", "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["token"]


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_stored_key_is_not_the_token_and_does_not_authenticate(api, known_password, proponent):
    raw = obtain(api)
    stored = Token.objects.get(user=proponent).key
    assert stored != raw and raw not in stored
    assert with_token(raw).get("/api/v1/applications/").status_code == 200
    assert with_token(stored).get("/api/v1/applications/").status_code == 401


def test_asking_again_answers_the_same_token_as_drf_does(api, known_password):
    assert obtain(api) == obtain(api)


def test_after_revoking_a_new_token_is_made_and_the_old_one_is_refused(api, known_password, client, proponent):
    first = obtain(api)
    client.force_login(proponent)
    client.post("/account/tokens/api/revoke/")
    second = obtain(api)
    assert second != first
    assert with_token(first).get("/api/v1/applications/").status_code == 401
    assert with_token(second).get("/api/v1/applications/").status_code == 200


def test_a_token_stored_in_plain_text_before_keeps_working_after_the_migration(proponent):
    legacy = Token.objects.create(user=proponent).key  # as DRF stored it: the token itself
    importlib.import_module("apps.api.migrations.0002_contract_tokens_hashed").keep_only_digests(django_apps, None)
    assert not Token.objects.filter(key=legacy).exists()
    assert with_token(legacy).get("/api/v1/applications/").status_code == 200
