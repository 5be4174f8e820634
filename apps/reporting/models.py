"""The Party's annual report to the UNFCCC (AEF), its approval state machine, and the approver's corrections."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField

from apps.governance.models import Party

from .workflow import OPEN_STATES, REPORT, ReportState  # noqa: F401  (re-exported for callers)


class Report(REPORT.fsm_methods("state"), ConcurrentTransitionMixin, models.Model):
    """One version of a Party's AEF for one reported year.

    The content is built from the ledger and the LoAs; from `submit_for_review` on, only
    actions up to `frozen_through_action_id` count, so what the approver saw is what is
    approved. Once approved the report never changes: a correction is a new version (1.1, ...).
    """

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="reports")
    year = models.PositiveSmallIntegerField(_("reported year"))
    version = models.CharField(_("version"), max_length=10, default="1.0")
    state = FSMField(default=ReportState.DRAFT, choices=ReportState.choices, protected=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    frozen_through_action_id = models.BigIntegerField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, help_text=_("SHA-256 of the approved AEF (JSON)."))
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "party_id", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["party", "year", "version"], name="report_version_unique"),
            models.UniqueConstraint(fields=["party", "year"], condition=Q(state__in=["draft", "in_review"]),
                                    name="one_open_report_per_party_year"),
        ]

    def __str__(self) -> str:
        return f"{self.party_id} {self.year} v{self.version}"


class ReportCorrection(models.Model):
    """A value the preparer or approver set for one AEF cell, in place of what the data gave."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="corrections")
    table = models.CharField(max_length=40)
    row_key = models.CharField(max_length=80)
    column = models.CharField(max_length=120)
    value = models.CharField(max_length=300, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "table", "row_key", "column"], name="one_correction_per_cell")]
