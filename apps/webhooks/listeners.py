"""The application workflow's transitions, as webhook events to the proponent's endpoints."""
from __future__ import annotations

from apps.authorizations.workflow import APPLICATION
from apps.workflow.engine import Fired

from .services import publish_application_event


def publish_transition(fired: Fired) -> None:
    """One statement in the transition's transaction writes the deliveries; Celery gets them on commit."""
    application = fired.instance
    publish_application_event(
        application=application, event_type=fired.transition.event, event_id=f"audit:{fired.event.seq}", at=fired.at,
        data={"transition": fired.transition.name, "from": fired.source, "to": application.state, "comment": fired.comment,
              "actor": getattr(fired.acting_user, "username", "")},
    )


def connect() -> None:
    APPLICATION.on_transition(publish_transition)
