"""Reports are read-only in the admin: their state moves through the services (audited)."""
from django.contrib import admin

from .models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["party", "year", "version", "state", "approved_by", "approved_at"]
    list_filter = ["state", "party", "year"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
