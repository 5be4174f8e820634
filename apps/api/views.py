"""REST endpoints of the public contract. Each one parses, calls a service, and renders."""
from __future__ import annotations

from collections import defaultdict

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from apps.audit.models import AuditEvent
from apps.authorizations.models import Application, Stage
from apps.authorizations.permissions import visible_applications
from apps.authorizations.services import TRANSITION_PARAMETERS, TRANSITION_SERVICES, create_application
from apps.notifications.api import NotificationViewSet  # noqa: F401  (the notification endpoints live with the outbox)

from .filters import ApplicationFilter
from .serializers import (
    ApplicationInputSerializer, ApplicationSerializer, TransitionSerializer,
)


class NewestFirstCursor(CursorPagination):
    """Cursor pages: a client walking every page sees each row once even while others are added."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def history_by_reference(references: list[str]) -> dict[str, list[AuditEvent]]:
    """Transition events for the given applications, oldest first, in one query."""
    history: dict[str, list[AuditEvent]] = defaultdict(list)
    events = AuditEvent.objects.filter(subject_type="application", subject_id__in=references, data__has_key="transition")
    for event in events.order_by("seq"):
        history[event.subject_id].append(event)
    return history


class ApplicationViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Applications the caller may see: their organisation's, or those in their authorities' jurisdictions."""

    serializer_class = ApplicationSerializer
    lookup_field = "reference"
    filterset_class = ApplicationFilter
    pagination_class = NewestFirstCursor

    def get_queryset(self):
        stages = Stage.objects.select_related("authority")
        queryset = Application.objects.select_related(
            "organisation", "loa__issuing_authority", "loa__issued_by"
        ).prefetch_related("acquiring_parties", Prefetch("stages", queryset=stages))
        return visible_applications(self.request.user, queryset)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["history"] = getattr(self, "_history", {})
        return context

    def _render(self, applications, **kwargs):
        self._history = history_by_reference([a.reference for a in applications])
        return self.get_serializer(applications, **kwargs).data

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._render(page, many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._render([self.get_object()], many=True)[0])

    def _reload(self, reference: str) -> dict:
        return self._render([self.get_queryset().get(reference=reference)], many=True)[0]

    @extend_schema(request=ApplicationInputSerializer, responses={201: ApplicationSerializer})
    def create(self, request, *args, **kwargs):
        organisations = list(request.user.organisations.all()[:2])
        if not organisations:
            raise PermissionDenied(_("Only members of a proponent organisation may create applications."))
        parsed = ApplicationInputSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        application = create_application(acting_user=request.user, organisation=organisations[0], data=parsed.to_input())
        return Response(self._reload(application.reference), status=status.HTTP_201_CREATED)

    @extend_schema(request=TransitionSerializer, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"])
    def transitions(self, request, reference=None):
        """Run a transition: `{"transition": NAME, "comment": ..., ...parameters}`."""
        application = self.get_object()
        parsed = TransitionSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        name = parsed.validated_data["transition"]
        parameters = {key: parsed.validated_data.get(key) for key in TRANSITION_PARAMETERS.get(name, ())}
        TRANSITION_SERVICES[name](application, acting_user=request.user, comment=parsed.validated_data["comment"], **parameters)
        return Response(self._reload(application.reference))
