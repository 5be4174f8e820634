"""Read-only: the cooperative approaches an application may run under, with their Parties and identifiers."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from apps.governance.models import CooperativeApproach

from .serializers import approach_data


class CooperativeApproachSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unfccc_id = serializers.CharField(allow_null=True)
    identifier = serializers.CharField()
    identifier_provisional = serializers.BooleanField()
    host_party = serializers.CharField()
    acquiring_parties = serializers.ListField(child=serializers.CharField())
    agreements = serializers.ListField(child=serializers.CharField())
    initial_report_date = serializers.DateField(allow_null=True)
    status = serializers.CharField()
    acquirer_authorization_required = serializers.BooleanField()

    def to_representation(self, instance) -> dict:
        return approach_data(instance)


@extend_schema_view(list=extend_schema(summary="Cooperative approaches, their Parties and identifiers"),
                    retrieve=extend_schema(summary="One cooperative approach"))
class CooperativeApproachViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CooperativeApproachSerializer
    queryset = CooperativeApproach.objects.prefetch_related("acquiring_parties", "agreements").order_by("code")
    pagination_class = None
    lookup_field = "code"
    filterset_fields = ["host_party"]
