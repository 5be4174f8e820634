"""Webhook endpoints of proponent organisations, and the outbox of deliveries to them."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.governance.models import ProponentOrganisation


class Endpoint(models.Model):
    """Where an organisation wants its applications' events POSTed, signed with its secret."""

    organisation = models.ForeignKey(ProponentOrganisation, on_delete=models.CASCADE, related_name="webhook_endpoints")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # The HMAC key: it must be readable to sign, so it is kept, and shown to the owner only on creation.
    secret = models.CharField(max_length=80, editable=False)
    events = models.JSONField(default=list, blank=True, help_text=_("Event types to send; empty means all."))
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return not self.events or event_type in self.events


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed (gave up)")


class Delivery(models.Model):
    """One event for one endpoint: written in the event's transaction, sent by Celery until delivered or a day passed."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=80)
    event_type = models.CharField(max_length=60)
    application_reference = models.CharField(max_length=32, blank=True)
    payload = models.JSONField()
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    log = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # Never twice for the same event to the same endpoint.
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once_per_endpoint"),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="pending"), name="webhook_delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id}"
