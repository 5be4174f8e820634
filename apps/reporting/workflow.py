"""The report's states and its transition table (see `apps.workflow.table`): every fact about a transition, in one row."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps import permissions
from apps.workflow.table import Transition, Workflow


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    SUBMITTED = "submitted", _("Submitted")


OPEN_STATES = (ReportState.DRAFT, ReportState.IN_REVIEW)

REPORT = Workflow(
    "report",
    (
        Transition("submit_for_review", (ReportState.DRAFT,), ReportState.IN_REVIEW, permissions.prepares_report,
                   _("Submit for review"), _("Submitted for review"),
                   "The preparer sends a draft whose AEF validates to the report approver."),
        Transition("approve", (ReportState.IN_REVIEW,), ReportState.APPROVED, permissions.approves_report,
                   _("Approve"), _("Approved"), "The `report_approval` holder approves: the report is frozen."),
        Transition("return_to_draft", (ReportState.IN_REVIEW,), ReportState.DRAFT, permissions.approves_report,
                   _("Return to draft"), _("Returned to draft"), "The approver sends it back, saying what to fix.",
                   comment_required=True, comment_label=_("What must be fixed"),
                   missing_comment=_("Say what must be fixed when returning the report.")),
        Transition("mark_submitted", (ReportState.APPROVED,), ReportState.SUBMITTED, permissions.approves_report,
                   _("Mark submitted to the UNFCCC"), _("Submitted to the UNFCCC"),
                   "The approved AEF was exported and submitted to the UNFCCC."),
    ),
    unavailable=_("'%(transition)s' is not available while the report is %(state)s."),
    refused=_("You may not %(transition)s this report."),
    lost_race=_("Another decision on this report was recorded first; reload it."),
)
