"""Who has a case in hand, and what officers note for each other about it (never shown to the proponent)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseAssignment(models.Model):
    """The officer working a stage. One per stage: a decision that opens the next stage leaves it with nobody."""

    stage = models.OneToOneField("authorizations.Stage", on_delete=models.CASCADE, related_name="assignment")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    assigned_at = models.DateTimeField(_("assigned at"))

    def __str__(self) -> str:
        return f"{self.stage} → {self.assignee}"


class InternalNote(models.Model):
    """A note between officers on an application; the proponent's pages and the API never show it."""

    application = models.ForeignKey("authorizations.Application", on_delete=models.CASCADE, related_name="internal_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written at"))

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.author}"
