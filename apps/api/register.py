"""The public register as open data: anyone may read it, at the anonymous rate, a keyset page at a time."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.authorizations.models import FirstTransferDefinition, LetterStatus, Mechanism, Purpose
from apps.register import selectors
from apps.register.conditional import not_modified, stamp, validators

PAGE_SIZE = 100


class RegisterLetterSerializer(serializers.Serializer):
    number = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=LetterStatus.choices)
    host_party = serializers.CharField(help_text="ISO 3166-1 alpha-3 code of the host Party.")
    host_party_name = serializers.CharField()
    issuing_authority = serializers.CharField(help_text="The authority that issued the letter (never a person).")
    title = serializers.CharField(help_text="The activity's title.")
    mechanism = serializers.ChoiceField(choices=Mechanism.choices)
    cooperative_approach_id = serializers.CharField(
        allow_blank=True, help_text="The cooperative approach: its UNFCCC identifier, or its own code until one is recorded.")
    acquiring_parties = serializers.ListField(child=serializers.CharField())
    authorized_quantity = serializers.IntegerField(help_text="tCO2e.")
    vintage_from = serializers.IntegerField()
    vintage_to = serializers.IntegerField()
    purposes = serializers.ChoiceField(choices=Purpose.choices)
    first_transfer_definition = serializers.ChoiceField(choices=FirstTransferDefinition.choices)
    issued_at = serializers.DateTimeField()
    ca_approved_at = serializers.DateTimeField(allow_null=True)
    status_changed_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    fingerprint = serializers.CharField(help_text="SHA-256 of the letter; check it at check_url.")
    check_url = serializers.CharField()


class RegisterPageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True, help_text="The next page's URL; null on the last page.")
    results = RegisterLetterSerializer(many=True)


FILTERS = [
    OpenApiParameter("party", str, description="Host Party (alpha-3)."),
    OpenApiParameter("status", str, enum=LetterStatus.values),
    OpenApiParameter("acquiring", str, description="An acquiring Party (alpha-3)."),
    OpenApiParameter("year", int, description="Year the letter was issued (UTC)."),
    OpenApiParameter("mechanism", str, enum=Mechanism.values),
    OpenApiParameter("q", str, description="Words of the title, or part of the letter number."),
    OpenApiParameter("sort", str, enum=list(selectors.SORTS), description="Default -issued (newest first)."),
    OpenApiParameter("cursor", str, description="The opaque position from `next`."),
]


class RegisterView(APIView):
    """Every published Letter of Authorization: its terms and status, never a person, a document or a comment."""

    permission_classes = [AllowAny]  # the default throttle counts an anonymous caller per address

    @extend_schema(operation_id="register_list", parameters=FILTERS, responses={200: RegisterPageSerializer, 304: OpenApiTypes.NONE},
                   auth=[{}], tags=["register"],
                   description="The public register of authorizations, newest first, in keyset pages of 100. "
                               "Sends ETag and Last-Modified: poll with If-None-Match or If-Modified-Since for a 304.")
    def get(self, request):
        filters, errors = selectors.parse_filters(request.query_params)
        if errors:
            raise ValidationError(errors)
        fresh = selectors.freshness(selectors.filtered(filters))
        etag, last_modified = validators(request._request, fresh, "json")
        if early := not_modified(request._request, etag, last_modified):
            return early
        try:
            page = selectors.register_page(filters, request.query_params.get("cursor", ""), size=PAGE_SIZE)
        except selectors.BadCursor:
            raise ValidationError({"cursor": ["This cursor is not valid; start again from the first page."]}) from None
        next_url = None
        if page.next_cursor:
            query = request.query_params.copy()
            query["cursor"] = page.next_cursor
            next_url = request.build_absolute_uri(request.path + "?" + query.urlencode())
        body = {"next": next_url, "results": [selectors.public_record(letter) for letter in page.letters]}
        return stamp(Response(RegisterPageSerializer(body).data), etag, last_modified, request)
