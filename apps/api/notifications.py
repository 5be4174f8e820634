"""The notification endpoints of the API and the health check: parse, call a service, render."""
from __future__ import annotations

from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.notifications import services
from apps.notifications.models import Notification

from .pagination import CheckedCursorPagination


class NotificationSerializer(serializers.ModelSerializer):
    application = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    read = serializers.BooleanField()

    class Meta:
        model = Notification
        fields = ["id", "event", "application", "subject", "body", "created_at", "read"]


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications changed from unread to read.")
    unread = serializers.IntegerField()


class NewestFirstCursor(CheckedCursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's in-app notifications, newest first; nobody sees or marks another person's."""

    serializer_class = NotificationSerializer
    pagination_class = NewestFirstCursor

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Notification.objects.none()
        return services.inbox_for(self.request.user)

    @extend_schema(responses={200: UnreadCountSerializer})
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        """`{"unread": n}`: what the badge shows."""
        return Response({"unread": services.unread_count(request.user)})

    @extend_schema(request=None, responses={200: MarkedSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one of the caller's notifications read (404 for anyone else's)."""
        notification = self.get_object()
        marked = services.mark_read(user=request.user, notification_ids=[notification.pk])
        return Response({"marked": marked, "unread": services.unread_count(request.user)})

    @extend_schema(request=None, responses={200: MarkedSerializer})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark all of the caller's notifications read."""
        marked = services.mark_all_read(user=request.user)
        return Response({"marked": marked, "unread": 0})


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_broker() -> str:
    from config.celery import app

    with app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, timeout=2)
    return "ok"


class HealthView(APIView):
    """Database, broker and the age of the oldest undelivered notification; 503 when a service is down."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: inline_serializer("Health", {
        "status": serializers.CharField(), "database": serializers.CharField(), "broker": serializers.CharField(),
        "oldest_pending_notification_seconds": serializers.FloatField(allow_null=True),
    })})
    def get(self, request):
        body: dict = {}
        healthy = True
        for name, check in (("database", _check_database), ("broker", _check_broker)):
            try:
                body[name] = check()
            except Exception as exc:
                body[name] = f"unavailable: {type(exc).__name__}"
                healthy = False
        try:
            age = services.oldest_pending_age()
        except Exception:
            age = None
        body["oldest_pending_notification_seconds"] = None if age is None else round(age, 1)
        body["status"] = "ok" if healthy else "unavailable"
        return Response(body, status=status.HTTP_200_OK if healthy else status.HTTP_503_SERVICE_UNAVAILABLE)
