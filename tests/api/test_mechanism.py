"""The proponent says under which Article 6 route an activity runs; the API shows it and PACM issuance follows it."""
from __future__ import annotations

import pytest

from apps.authorizations.models import Application

from ..factories import application_payload

pytestmark = pytest.mark.django_db


def test_an_application_is_article_6_2_unless_the_proponent_says_otherwise(api, proponent):
    response = api(proponent).post("/api/v1/applications/", application_payload(), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["mechanism"] == "article_6_2"


def test_the_proponent_creates_an_article_6_4_activity(api, proponent):
    response = api(proponent).post("/api/v1/applications/", application_payload(mechanism="article_6_4"), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["mechanism"] == "article_6_4"
    assert Application.objects.get(reference=response.json()["reference"]).article_6_4


def test_the_proponent_changes_the_mechanism_of_a_draft_with_patch(api, proponent):
    reference = api(proponent).post("/api/v1/applications/", application_payload(), format="json").json()["reference"]
    response = api(proponent).patch(f"/api/v1/applications/{reference}/", {"mechanism": "article_6_4"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["mechanism"] == "article_6_4"
    assert response.json()["title"] == application_payload()["title"]


def test_an_unknown_mechanism_is_400_naming_the_field_and_creates_nothing(api, proponent):
    before = Application.objects.count()
    response = api(proponent).post("/api/v1/applications/", application_payload(mechanism="cdm"), format="json")
    assert response.status_code == 400
    assert "mechanism" in response.json() and response.json()["code"]
    assert Application.objects.count() == before
