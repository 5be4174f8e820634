"""The last decision's reason, repeated in the status panel where the proponent looks first."""
from __future__ import annotations

from apps.authorizations.workflow import APPLICATION

# The decisions that give a reason: every row that asks for one, and a withdrawal (whose reason is optional).
_REASONED = frozenset({t.event for t in APPLICATION if t.comment_required} | {APPLICATION["withdraw"].event})


def last_decision_of(timeline: list, state: str):
    """The event that put the application in its state, when it was a decision with a reason and carried one
    (a refused acquisition as much as a rejection: the table says which rows give reasons)."""
    for event in reversed(timeline):
        data = event.data or {}
        if "to" in data and event.event.startswith("application."):
            if data["to"] != state or event.event not in _REASONED:
                return None
            return event if data.get("comment") else None
    return None
