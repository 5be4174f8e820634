"""The last decision's reason, repeated in the status panel where the proponent looks first."""
from __future__ import annotations

# The states a decision with a reason leads to; the status panel repeats that reason where the proponent looks first.
_REASONED = {"changes_requested": "application.request_changes", "rejected": "application.reject",
             "revoked": "application.revoke", "withdrawn": "application.withdraw"}


def last_decision_of(timeline: list, state: str):
    """The event that put the application in its state, when it carried a comment."""
    wanted = _REASONED.get(state)
    for event in reversed(timeline):
        if event.event == wanted:
            return event if (event.data or {}).get("comment") else None
    return None
