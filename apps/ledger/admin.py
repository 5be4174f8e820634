"""Read-only views of the ledger in the admin: it changes only through the services."""
from django.contrib import admin

from .models import Action, Block, MonitoringReport, RegistryAccount, Verification


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RegistryAccount)
class RegistryAccountAdmin(ReadOnlyAdmin):
    list_display = ["key", "kind", "party", "organisation"]
    list_filter = ["kind", "party"]


@admin.register(Block)
class BlockAdmin(ReadOnlyAdmin):
    list_display = ["registry_id", "first_id", "last_id", "quantity", "account", "vintage", "first_transferred"]
    list_filter = ["registry_id", "vintage", "first_transferred"]
    list_select_related = ["account"]


@admin.register(Action)
class ActionAdmin(ReadOnlyAdmin):
    list_display = ["id", "at", "action_type", "subtype", "party", "registry_id", "first_id", "last_id", "quantity", "vintage"]
    list_filter = ["action_type", "party", "vintage"]


@admin.register(MonitoringReport)
class MonitoringReportAdmin(ReadOnlyAdmin):
    list_display = ["id", "application", "vintage", "period_from", "period_to", "quantity", "submitted_at"]
    list_filter = ["vintage"]
    list_select_related = ["application"]


@admin.register(Verification)
class VerificationAdmin(ReadOnlyAdmin):
    list_display = ["id", "monitoring_report", "verifier", "accreditation", "verified_quantity", "recorded_at"]
