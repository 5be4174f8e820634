"""The sessions a user has open, so they can see and end them from their account page."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserSession(models.Model):
    """One signed-in browser: created at login, removed at logout or revocation (the Session row goes with it)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tierflow_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M} · {self.ip_address or '?'}"


class Profile(models.Model):
    """What a person chose for themselves (the language of their pages, notifications and emails) and their job title."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    # "" until the person (or their first sign-in) chooses: an administrator may set a job title before that.
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE, blank=True)
    # Printed under the officer's name on the letters they sign; set by an administrator.
    title = models.CharField(_("job title"), max_length=120, blank=True)

    def __str__(self) -> str:
        return f"{self.user} · {self.language or '—'}"
