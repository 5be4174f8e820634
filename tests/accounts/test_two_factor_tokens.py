"""With the second factor enforced, API tokens of a user who must have one are refused until they confirm a
device, however old the token (personal or contract); tokens of users who need none keep working."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.accounts.contract_tokens import token_for
from apps.api.models import PersonalToken
from apps.api.services import create_personal_token

pytestmark = pytest.mark.django_db


def bearer(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {create_personal_token(user=user, name='old script')[1]}")
    return client


def contract(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)[0]}")
    return client


@pytest.mark.parametrize("make_client", [bearer, contract], ids=["personal", "contract"])
@pytest.mark.parametrize("path", ["/api/v1/applications/", "/api/v1/queue/"])
def test_an_approvers_old_token_without_a_device_is_refused(two_factor_on, sabah_approver, sabah_application, make_client, path):
    response = make_client(sabah_approver).get(path)
    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_required" and "second factor" in response.json()["detail"]


def test_the_old_token_cannot_mint_a_new_one(two_factor_on, sabah_approver):
    client = bearer(sabah_approver)
    response = client.post("/api/v1/tokens/", {"name": "fresh"}, format="json")
    assert response.status_code == 403
    assert PersonalToken.objects.filter(user=sabah_approver).count() == 1


@pytest.mark.parametrize("make_client", [bearer, contract], ids=["personal", "contract"])
def test_once_a_device_is_confirmed_the_token_works(two_factor_on, sabah_approver, confirmed_device, make_client):
    client = make_client(sabah_approver)
    confirmed_device(sabah_approver)
    assert client.get("/api/v1/queue/").status_code == 200


def test_a_proponents_token_needs_no_second_factor(two_factor_on, proponent, sabah_application):
    assert bearer(proponent).get("/api/v1/applications/").status_code == 200


def test_with_enforcement_off_an_approvers_token_works(sabah_approver):
    assert bearer(sabah_approver).get("/api/v1/queue/").status_code == 200
