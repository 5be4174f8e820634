"""Webhook endpoints of the caller's organisation: register (secret shown once), list, delete, test, delivery log."""
from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from apps.webhooks.models import Delivery, Endpoint
from apps.webhooks.services import EVENT_TYPES, create_endpoint, delete_endpoint, send_test_event

from .idempotency import PARAMETER as IDEMPOTENCY_KEY
from .idempotency import idempotent
from .views import NewestFirstCursor


class EndpointSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Endpoint
        fields = ["id", "url", "description", "events", "is_active", "organisation", "created_at"]


class NewEndpointSerializer(EndpointSerializer):
    secret = serializers.CharField(help_text="The HMAC-SHA256 signing key. Shown only in this response: store it now.")

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]


class EndpointInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500, help_text="https, on a public address (http and private addresses only when DEBUG).")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPES), required=False, default=list,
                                   max_length=len(EVENT_TYPES),
                                   help_text="Event types to receive; empty for all.")


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = ["id", "event_id", "event_type", "application_reference", "status", "attempts", "last_status_code",
                  "last_error", "next_attempt_at", "delivered_at", "created_at", "log", "payload"]


@extend_schema_view(
    list=extend_schema(summary="My organisation's webhook endpoints"),
    retrieve=extend_schema(summary="One webhook endpoint"),
    destroy=extend_schema(summary="Delete a webhook endpoint (and its delivery log)"),
)
class EndpointViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Events of the organisation's applications, POSTed as JSON and signed (`Tierflow-Signature: t=...,v1=...`)."""

    queryset = Endpoint.objects.none()  # the schema's model; requests use get_queryset
    serializer_class = EndpointSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return Endpoint.objects.filter(organisation__members=self.request.user).select_related("organisation")

    @extend_schema(summary="Register a webhook endpoint", request=EndpointInputSerializer,
                   responses={201: NewEndpointSerializer}, parameters=[IDEMPOTENCY_KEY],
                   examples=[OpenApiExample("All events", request_only=True,
                                            value={"url": "https://erp.example.com/tierflow", "events": []})])
    def create(self, request, *args, **kwargs):
        organisation = request.user.organisations.first()
        if organisation is None:
            raise PermissionDenied(_("Only members of a proponent organisation may register webhooks."))

        def create_once() -> Response:
            parsed = EndpointInputSerializer(data=request.data)
            parsed.is_valid(raise_exception=True)
            endpoint, secret = create_endpoint(acting_user=request.user, organisation=organisation, **parsed.validated_data)
            endpoint.secret = secret
            return Response(NewEndpointSerializer(endpoint).data, status=status.HTTP_201_CREATED)

        return idempotent(request, create_once)

    def perform_destroy(self, instance):
        delete_endpoint(acting_user=self.request.user, endpoint=instance)

    @extend_schema(summary="Send a test event (`ping`)", request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        delivery = send_test_event(acting_user=request.user, endpoint=self.get_object())
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="Delivery log: status code and attempts of each event sent to this endpoint",
                   responses={200: DeliverySerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=NewestFirstCursor)
    def deliveries(self, request, pk=None):
        endpoint = self.get_object()
        page = self.paginate_queryset(Delivery.objects.filter(endpoint=endpoint))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)
