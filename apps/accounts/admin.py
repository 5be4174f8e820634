"""Users and groups in the admin, audited like the governance configuration (who made whom staff, when)."""
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.audit.admin_mixins import AuditedAdmin

from .models import Profile, UserSession

User = get_user_model()


class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    pass


class AuditedGroupAdmin(AuditedAdmin, GroupAdmin):
    pass


admin.site.unregister(User)
admin.site.register(User, AuditedUserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, AuditedGroupAdmin)


class AuditedTOTPDeviceAdmin(AuditedAdmin, TOTPDeviceAdmin):
    """Resetting someone's second factor is as sensitive as granting a role: it is audited too."""


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, AuditedTOTPDeviceAdmin)


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "ip_address", "user_agent"]
    search_fields = ["user__username", "ip_address"]
    readonly_fields = ["user", "session_key", "created_at", "ip_address", "user_agent"]


@admin.register(Profile)
class ProfileAdmin(AuditedAdmin):
    """A person's language (pages, notifications, emails); they set it themselves on /account/."""

    list_display = ["user", "language"]
    list_filter = ["language"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]
