"""Every kind of audit event, spelled once: what `record_event` accepts.

Events outside the workflows are members of `Event`; each workflow table registers its
transitions' events (`<workflow>.<transition>`) when it is built, so the table stays the one
place a transition is named.
"""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    APPLICATION_CREATED = "application.created", _("Created")
    APPLICATION_UPDATED = "application.updated", _("Edited")
    DOCUMENT_ATTACHED = "document.attached", _("Document attached")
    STAGE_ESCALATED = "stage.escalated", _("Overdue: escalated")
    CASE_CLAIMED = "case.claimed", _("Case claimed")
    CASE_ASSIGNED = "case.assigned", _("Case assigned")
    CASE_RELEASED = "case.released", _("Case released")
    CASE_NOTED = "case.noted", _("Internal note added")
    CASE_NUDGED = "case.nudged", _("Staff nudged")
    LEDGER_MONITORING_REPORT = "ledger.monitoring_report", _("Monitoring report submitted")
    LEDGER_VERIFICATION = "ledger.verification", _("Verification recorded")
    LEDGER_HOST_APPROVAL = "ledger.host_approval", _("Host Party approval recorded")
    LEDGER_ISSUANCE = "ledger.issuance", _("ITMOs issued")
    LEDGER_TRANSFER = "ledger.transfer", _("ITMOs transferred")
    LEDGER_USE = "ledger.use", _("ITMOs used")
    LEDGER_CANCELLATION = "ledger.cancellation", _("ITMOs cancelled")
    LEDGER_VOLUNTARY_CANCELLATION = "ledger.voluntary_cancellation", _("ITMOs cancelled voluntarily")
    REPORT_CREATED = "report.created", _("Report opened")
    REPORT_CORRECTED = "report.corrected", _("Report corrected")
    REPORT_EXPORTED = "report.exported", _("Report exported")
    AUDIT_EXPORTED = "audit.exported", _("Audit log exported")
    CONFIG_ADDED = "config.added", _("Configuration added")
    CONFIG_CHANGED = "config.changed", _("Configuration changed")
    CONFIG_DELETED = "config.deleted", _("Configuration deleted")
    AUTH_LOGIN = "auth.login", _("Signed in")
    AUTH_LOGOUT = "auth.logout", _("Signed out")
    AUTH_LOGIN_FAILED = "auth.login_failed", _("Sign-in failed")
    AUTH_LOCKED_OUT = "auth.locked_out", _("Locked out")
    AUTH_UNLOCKED = "auth.unlocked", _("Sign-in unlocked")
    AUTH_SESSION_REVOKED = "auth.session_revoked", _("Sessions signed out")
    AUTH_2FA_ENROLLED = "auth.2fa_enrolled", _("Two-factor authentication set up")
    AUTH_2FA_FAILED = "auth.2fa_failed", _("Two-factor code refused")
    TOKEN_CREATED = "token.created", _("API token created")
    TOKEN_REVOKED = "token.revoked", _("API token revoked")
    AUDITOR_GRANTED = "auditor.granted", _("Auditor access granted")
    AUDITOR_REVOKED = "auditor.revoked", _("Auditor access revoked")
    WEBHOOK_ENDPOINT_CREATED = "webhook.endpoint_created", _("Webhook endpoint registered")
    WEBHOOK_ENDPOINT_DELETED = "webhook.endpoint_deleted", _("Webhook endpoint deleted")


_workflow_events: set[str] = set()


def register_event_types(names) -> None:
    """A workflow table's transition events; called once per table when it is built."""
    _workflow_events.update(names)


def is_known(event: str) -> bool:
    return event in Event.values or event in _workflow_events


class UnknownEvent(ValueError):
    """An audit event name that is neither an `Event` nor a workflow transition: a misspelling."""
