"""Read-only reference data a developer needs to know who will decide and how long it may take; and my queue."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, viewsets

from apps.authorizations.selectors import actionable_stages
from apps.governance.models import Authority, DutyAssignment, Jurisdiction, Party, Tier

from .serializers import (
    AuthoritySerializer, DutyAssignmentSerializer, JurisdictionSerializer, PartySerializer, QueueEntrySerializer,
    TierSerializer,
)
from .views import NewestFirstCursor


class DueFirstCursor(NewestFirstCursor):
    ordering = ("due_at", "id")


@extend_schema(summary="My queue: open stages I may act on, soonest due first")
class QueueView(generics.ListAPIView):
    """For officers: every open stage of their authorities (and those they may step into after escalation)."""

    serializer_class = QueueEntrySerializer
    pagination_class = DueFirstCursor
    filter_backends = []

    def get_queryset(self):
        return actionable_stages(self.request.user).select_related("application", "authority")


@extend_schema_view(list=extend_schema(summary="Parties"), retrieve=extend_schema(summary="One Party"))
class PartyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PartySerializer
    queryset = Party.objects.order_by("code")
    pagination_class = None
    filterset_fields = ["is_host", "is_acquiring"]


@extend_schema_view(list=extend_schema(summary="Tiers of each Party (1 is the top)"), retrieve=extend_schema(summary="One tier"))
class TierViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TierSerializer
    queryset = Tier.objects.order_by("party_id", "order", "id")
    pagination_class = None
    filterset_fields = ["party"]


@extend_schema_view(list=extend_schema(summary="Jurisdictions (ISO 3166-2)"), retrieve=extend_schema(summary="One jurisdiction"))
class JurisdictionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = JurisdictionSerializer
    queryset = Jurisdiction.objects.select_related("tier").order_by("code")
    pagination_class = None
    filterset_fields = ["party", "parent"]


@extend_schema_view(list=extend_schema(summary="Authorities"), retrieve=extend_schema(summary="One authority"))
class AuthorityViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AuthoritySerializer
    queryset = Authority.objects.order_by("id")
    pagination_class = None
    filterset_fields = ["jurisdiction"]


@extend_schema_view(list=extend_schema(summary="Which tier holds each duty, its SLA and escalation policy"),
                    retrieve=extend_schema(summary="One duty assignment"))
class DutyAssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DutyAssignmentSerializer
    queryset = DutyAssignment.objects.select_related("tier").order_by("party_id", "duty")
    pagination_class = None
    filterset_fields = ["party", "duty"]
