"""Bodies that are not one JSON object get a 400 in the API's error body and change nothing."""
import json

import pytest

from apps.authorizations.models import Application

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("body", ["[]", '["title"]', '"a string"', "null", "12"])
def test_a_patch_whose_body_is_not_an_object_is_refused(api, proponent, sabah_application, body):
    before = Application.objects.values().get(pk=sabah_application.pk)
    response = api(proponent).generic("PATCH", f"/api/v1/applications/{sabah_application.reference}/", body,
                                      content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert "must be an object" in response.json()["detail"]
    assert Application.objects.values().get(pk=sabah_application.pk) == before


def test_json_nested_past_the_recursion_limit_is_a_400_not_a_crash(api, proponent):
    body = '{"title": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = api(proponent).generic("POST", "/api/v1/applications/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
    assert not Application.objects.exists()


def test_an_array_posted_to_the_token_endpoint_is_a_400(api):
    response = api(None).generic("POST", "/api/v1/auth/token/", json.dumps([{"username": "proponent"}]),
                                 content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) >= {"code", "detail"}


@pytest.mark.parametrize("content_type", ["json", "multipart"])
def test_a_nul_byte_in_the_username_is_a_400_naming_the_field(api, content_type):
    response = api(None).post("/api/v1/auth/token/", {"username": "prop\x00onent", "password": "demo"}, format=content_type)
    assert response.status_code == 400
    assert "username" in response.json() and response.json()["code"] == "invalid"
