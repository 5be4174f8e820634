"""The schema is generated from the views, and no /api/ view is missing from it."""
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db


def _api_routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _api_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
            yield route, pattern


def _normalise(route: str) -> str:
    """`api/v1/applications/(?P<reference>[^/.]+)/$` and `/api/v1/applications/{reference}/` -> one form."""
    route = route.lstrip("^/").rstrip("$")
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    route = route.replace("\\.", ".").replace("{format}", "").replace("^", "")
    route = re.sub(r"\{\w+\}", "{}", route)  # the router names it pk, the schema the field (id, code)
    return "/" + route.rstrip(".").replace("//", "/")


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_api_view_is_in_the_schema(schema):
    documented = {re.sub(r"\{\w+\}", "{}", path).rstrip("/") for path in schema["paths"]}
    missing, checked = [], 0
    for route, pattern in _api_routes(get_resolver().url_patterns):
        if "format" in route or route.rstrip("$").endswith("api/v1/"):
            continue  # the router's format-suffix twins and its browsable index
        path = _normalise(route).rstrip("/")
        checked += 1
        if path not in documented:
            missing.append(path)
    assert checked >= 25  # the walk found the API's routes
    assert not missing, f"views missing from the OpenAPI schema: {missing}"


def test_every_operation_documents_its_errors_with_examples(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            responses = operation["responses"]
            for code in ("401", "403", "429"):
                assert code in responses, (method, path, code)
                content = responses[code]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}
                assert content["examples"], (method, path, code)
            if "{" in path:
                assert "404" in responses, (method, path)
            if method in ("post", "put", "patch"):
                assert {"400", "409"} <= set(responses), (method, path)


def test_the_error_component_carries_field_message_lists(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["code", "detail"]
    assert error["additionalProperties"] == {"type": "array", "items": {"type": "string"}}


def test_creation_documents_the_idempotency_key_and_an_example(schema):
    create = schema["paths"]["/api/v1/applications/"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in create["parameters"])
    assert create["requestBody"]["content"]["application/json"]["examples"]
    assert "422" in create["responses"]


def test_the_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/applications/{reference}/transitions/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
