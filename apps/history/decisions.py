"""Every LoA and CA approval in the audit log, checked against who held the approver role at that moment."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from apps.audit.models import AuditEvent
from apps.authorizations.models import Stage
from apps.authorizations.workflow import APPLICATION
from apps.governance.models import Role
from apps.permissions import next_tier_may_act

from .selectors import held_role_at

# The decisions an approver takes for a duty, from the transition table: event -> the duties it may decide.
DECISIONS = {t.event: (t.decides,) if isinstance(t.decides, str) else tuple(t.decides) for t in APPLICATION if t.decides}


@dataclass(frozen=True)
class Finding:
    seq: int
    event: str
    application: str
    actor: str
    authority: str
    at: datetime
    held: bool | None


def check_decisions() -> list[Finding]:
    findings = []
    events = AuditEvent.objects.filter(event__in=DECISIONS).order_by("seq")
    for event in events.iterator(chunk_size=500):
        stage = (Stage.objects.filter(application__reference=event.subject_id, duty__in=DECISIONS[event.event], closed_at=event.at)
                 .select_related("authority", "escalation_authority").first())
        if stage is None or event.actor_id is None:
            findings.append(Finding(event.seq, event.event, event.subject_id, event.actor_username, "?", event.at, False))
            continue
        held = held_role_at(user_id=event.actor_id, authority_id=stage.authority_id, role=Role.APPROVER, at=event.at)
        authority = stage.authority
        if not held and next_tier_may_act(stage):
            escalated = held_role_at(user_id=event.actor_id, authority_id=stage.escalation_authority_id, role=Role.APPROVER, at=event.at)
            if escalated is not None and (escalated or held is False):
                held, authority = escalated, stage.escalation_authority
        findings.append(Finding(event.seq, event.event, event.subject_id, event.actor_username, str(authority), event.at, held))
    return findings
