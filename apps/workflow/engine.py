"""The one engine that runs a row of a workflow table, for applications and reports alike.

In the caller's transaction, in this order: the state (409), the caller's permission (403, or 409
when the state read was stale), the second factor, the comment (400), the service's own checks,
the django-fsm transition saved conditionally on the state read, the service's writes, the audit
event, and the workflow's listeners (notifications, webhooks). Either all of it happens or none.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from apps.accounts.twofactor import require_second_factor, second_factor_satisfied
from apps.audit.models import AuditEvent
from apps.audit.services import record_event

from .table import Transition, Workflow


class TransitionNotAvailable(Exception):
    """The transition cannot run from the object's current state, or a concurrent decision won (409)."""


@dataclass(frozen=True)
class Subject:
    """How the audit log names the object: its type, id, Party, and the facts every event of it carries."""

    type: str
    id: str | int
    party: str
    data: dict


@dataclass(frozen=True)
class Fired:
    """What a listener learns of a transition that ran (inside its transaction)."""

    workflow: Workflow
    transition: Transition
    instance: Any
    source: str
    acting_user: Any
    comment: str
    at: datetime
    event: AuditEvent
    context: Any  # what the service's `after` step returned beside the audit data (e.g. the stage opened)


def may_fire(workflow: Workflow, user, name: str, instance) -> bool:
    return name in workflow and bool(workflow[name].permission.test(user, instance))


def available_transitions(workflow: Workflow, user, instance) -> list[str]:
    """The transitions the user may fire now, in the table's order: from the state, and permitted to the user.

    Conditions (a Party's requirements) are not checked: a proponent should see "submit" and, on
    trying it, the message saying what is missing. A decision the service would refuse for want
    of a second factor is not offered.
    """
    state = instance.state
    names = [t.name for t in workflow if state in t.source and t.permission.test(user, instance)]
    if any(workflow[name].second_factor for name in names) and not second_factor_satisfied(user):
        names = [name for name in names if not workflow[name].second_factor]
    return names


def check(workflow: Workflow, instance, name: str, *, acting_user, comment: str) -> Transition:
    """State first (409), then permission (403), then the second factor and the comment rule."""
    row = workflow[name]
    if instance.state not in row.source:
        raise TransitionNotAvailable(workflow.unavailable % {"transition": name, "state": instance.get_state_display()})
    if not row.permission.test(acting_user, instance):
        if not type(instance)._default_manager.filter(pk=instance.pk, state=instance.state).exists():
            raise TransitionNotAvailable(str(workflow.lost_race))  # the state read is stale: a concurrent decision won
        raise PermissionDenied(workflow.refused % {"transition": name.replace("_", " ")})
    if row.second_factor:
        require_second_factor(acting_user)
    if row.comment_required and not comment:
        raise ValidationError({"comment": row.missing_comment or _("A comment is required to %(transition)s.") % {
            "transition": name.replace("_", " ")}})
    return row


def run(workflow: Workflow, instance, name: str, *, acting_user, comment: str = "", subject: Callable[[Any], Subject],
        before: Callable[[Any, datetime], dict | None] | None = None,
        after: Callable[[Any, str, datetime], tuple[dict | None, Any]] | None = None,
        save_fields: tuple[str, ...] | None = None) -> Any:
    """Run transition `name` on `instance` (inside the caller's transaction) and return the instance.

    `before(instance, now)` runs the service's checks and changes before the state moves and may return
    audit data; `after(instance, source, now)` writes what the new state means and returns
    (audit data, context for the listeners).
    """
    assert transaction.get_connection().in_atomic_block, "a transition runs in its service's transaction"
    comment = (comment or "").strip()
    row = check(workflow, instance, name, acting_user=acting_user, comment=comment)
    now = timezone.now()
    data = dict(before(instance, now) or {}) if before else {}
    source = instance.state
    try:
        getattr(instance, name)()
        instance.save(update_fields=save_fields) if save_fields else instance.save()
    except (ConcurrentTransition, TransitionNotAllowed):
        raise TransitionNotAvailable(str(workflow.lost_race)) from None
    context = None
    if after is not None:
        more, context = after(instance, source, now)
        data.update(more or {})
    about = subject(instance)
    event = record_event(
        event=row.event, subject_type=about.type, subject_id=about.id, acting_user=acting_user, party=about.party, at=now,
        data={**about.data, "transition": name, "from": source, "to": instance.state, "comment": comment, **data},
    )
    fired = Fired(workflow, row, instance, source, acting_user, comment, now, event, context)
    for listener in workflow.listeners:
        listener(fired)
    return instance
