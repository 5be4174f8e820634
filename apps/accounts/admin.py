"""Users and groups in the admin, audited like the governance configuration (who made whom staff, when)."""
from axes.utils import reset
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.audit.admin_mixins import AuditedAdmin
from apps.audit.events import Event
from apps.audit.services import record_event

from .models import Profile, UserSession

User = get_user_model()


class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    actions = ["unlock_sign_in"]

    @admin.action(description=_("Unlock sign-in (clear failed attempts from every address)"), permissions=["change"])
    def unlock_sign_in(self, request, queryset):
        for user in queryset:
            with transaction.atomic():
                cleared = reset(username=user.get_username())
                record_event(event=Event.AUTH_UNLOCKED, subject_type="user", subject_id=user.get_username(),
                             acting_user=request.user, data={"attempts_cleared": cleared})
        self.message_user(request, ngettext("Sign-in unlocked for %(count)d user.", "Sign-in unlocked for %(count)d users.",
                                            len(queryset)) % {"count": len(queryset)}, messages.SUCCESS)


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
    """A person's language (pages, notifications, emails), which they set themselves on /account/, and their job title."""

    list_display = ["user", "title", "language"]
    list_filter = ["language"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "title"]
    autocomplete_fields = ["user"]
