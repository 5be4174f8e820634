from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """For operators: what was sent to whom, and what is stuck (read-only: the outbox is written by services)."""

    list_display = ["id", "created_at", "event", "recipient", "channel", "status", "attempts", "delivered_at", "read_at"]
    list_filter = ["status", "channel", "event"]
    search_fields = ["recipient__username", "application__reference", "idempotency_key"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
