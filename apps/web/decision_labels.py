"""Each decision form's comment box named for what it asks, so two forms on one page are never announced alike."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# The label of the comment box, by transition; the error names the same thing (GOV.UK: "Enter the reason for …").
COMMENT_LABELS = {
    "submit": _("Note for the reviewers"),
    "resubmit": _("What you changed"),
    "withdraw": _("Reason for withdrawing"),
    "issue_loa": _("Note on issuing the letter"),
    "approve_ca": _("Note on approving the corresponding adjustment"),
    "request_changes": _("What the proponent must change"),
    "reject": _("Reason for rejecting"),
    "revoke": _("Reason for revoking"),
}
REQUIRED_MESSAGES = {
    "request_changes": _("Enter what the proponent must change"),
    "reject": _("Enter the reason for rejecting"),
    "revoke": _("Enter the reason for revoking"),
}


def label_decision_form(form, name: str):
    """Name the form's comment box for its decision (before validation, so the error says the same); returns the form."""
    field = form.fields.get("comment")
    if field is not None:
        field.label = COMMENT_LABELS.get(name, field.label)
        if field.required and name in REQUIRED_MESSAGES:
            field.error_messages["required"] = REQUIRED_MESSAGES[name]
    return form


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
