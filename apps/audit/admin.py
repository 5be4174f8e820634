from django.contrib import admin

from .models import AuditEvent, ChainHead, ChainVersion, VerificationRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "actor_username", "event", "subject_type", "subject_id", "party"]
    list_filter = ["event", "party"]
    search_fields = ["subject_id", "actor_username"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]


@admin.register(ChainVersion)
class ChainVersionAdmin(ReadOnlyAdmin):
    """Where each version of the chain's hashing begins, and the head it was anchored to."""

    list_display = ["version", "first_seq", "anchor_seq", "anchor_hash", "started_at"]
    readonly_fields = [f.name for f in ChainVersion._meta.fields]


@admin.register(VerificationRun)
class VerificationRunAdmin(ReadOnlyAdmin):
    """The chain head and every `verify_audit` run, newest first."""

    list_display = ["started_at", "checked", "head_seq", "ok", "broken_seq", "reason", "requested_by"]
    list_filter = ["ok"]
    readonly_fields = [f.name for f in VerificationRun._meta.fields]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "head": ChainHead.objects.filter(pk=1).first(),
            "last_run": VerificationRun.objects.order_by("-started_at", "-id").first(),
        }
        return super().changelist_view(request, extra_context)
