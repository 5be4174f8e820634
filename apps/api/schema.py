"""OpenAPI generation: the one error body on every operation, with examples, added by the schema class.

Views describe their success responses; this class adds the failures each
operation can answer with, so the documentation cannot forget one.
"""
from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """Every failure: a machine-readable `code`, a human `detail`; on 400 also a list of messages per field."""

    code = serializers.CharField(help_text="Machine-readable: invalid, not_authenticated, authentication_failed, "
                                           "permission_denied, not_found, conflict, idempotency_key_reused, throttled, ...")
    detail = serializers.CharField(help_text="A sentence for a person.")


ERROR_DESCRIPTIONS = {
    "400": ("Bad input: one list of messages per field, and nothing was changed.", OpenApiExample(
        "Invalid field", value={"code": "invalid", "detail": "Ensure this value is greater than or equal to 1.",
                                "requested_quantity": ["Ensure this value is greater than or equal to 1."]})),
    "401": ("No valid credentials: send `Authorization: Token <token>` or `Authorization: Bearer <token>`.", OpenApiExample(
        "Not authenticated", value={"code": "not_authenticated", "detail": "Authentication credentials were not provided."})),
    "403": ("Authenticated, but not allowed to do this.", OpenApiExample(
        "Not allowed", value={"code": "permission_denied", "detail": "You may not issue loa this application."})),
    "404": ("Not found, or not visible to the caller (an object in the path or named in the body, or a stale cursor).", OpenApiExample(
        "Not visible", value={"code": "not_found", "detail": "No Application matches the given query."})),
    "409": ("Not available from the current state, a concurrent decision won, or an idempotent request is still running.",
            OpenApiExample("Conflict", value={"code": "conflict",
                                              "detail": "'approve_ca' is not available while the application is LoA review."})),
    "422": ("The `Idempotency-Key` was already used with a different request.", OpenApiExample(
        "Key reused", value={"code": "idempotency_key_reused",
                             "detail": "This Idempotency-Key was used for a different request."})),
    "429": ("Too many requests: wait the `Retry-After` seconds.", OpenApiExample(
        "Throttled", value={"code": "throttled", "detail": "Request was throttled. Expected available in 42 seconds."})),
}


class TierflowAutoSchema(AutoSchema):
    def _error_codes(self) -> list[str]:
        codes = ["401", "403", "429"]
        if self.method in ("POST", "PUT", "PATCH") or self._is_list_view() or self.method == "GET":
            codes.append("400")
        if "{" in self.path or self._is_list_view() or self.method == "POST":
            codes.append("404")  # a hidden object (in the path or named in the body), or a stale pagination cursor
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.append("409")
        if self.method == "POST" and self._is_create_operation():
            codes.append("422")
        return sorted(codes)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            if code not in responses:
                description, example = ERROR_DESCRIPTIONS[code]
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description, examples=[example]), code, direction=direction)
        return responses


def error_body_accepts_field_lists(result, generator, request, public):
    """Postprocessing hook: the error component carries any field's message list."""
    schema = result.get("components", {}).get("schemas", {}).get("Error")
    if schema is not None:
        schema["additionalProperties"] = {"type": "array", "items": {"type": "string"}}
    return result
