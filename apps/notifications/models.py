"""The notification outbox: rows written in the change's transaction, delivered after commit."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Channel(models.TextChoices):
    IN_APP = "in_app", "In-app"
    EMAIL = "email", "Email"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class Notification(models.Model):
    """One message to one person on one channel; `idempotency_key` makes a second write a no-op."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(max_length=40)
    application = models.ForeignKey("authorizations.Application", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.IN_APP)
    idempotency_key = models.CharField(max_length=120, unique=True)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # A pending row is (re)published once this moment is a minute old; a failed attempt moves it to after the backoff.
    available_at = models.DateTimeField(default=timezone.now)
    # Set when a worker claims the row (pending → sending); a claim older than the timeout may be taken over.
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "channel", "-created_at"], name="notification_inbox_idx"),
            models.Index(fields=["created_at"], condition=Q(status="pending"), name="notification_pending_idx"),
            # The republish sweep and the health check read only undelivered rows.
            models.Index(fields=["available_at"], condition=Q(status__in=["pending", "sending"]), name="notification_undelivered_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient} ({self.channel})"

    @property
    def read(self) -> bool:
        return self.read_at is not None
