"""What a workflow notification says: a subject a person would write, and a short body that links to the application.

Written once for every recipient, so in the site's language (the rows are stored text).
"""
from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

# What the deciding authority did, for officer decisions; the proponent's own steps read in the passive.
_BY_AUTHORITY = {
    "issue_loa": lambda: _("%(authority)s issued the Letter of Authorization for %(title)s"),
    "approve_ca": lambda: _("%(authority)s approved the corresponding adjustment for %(title)s"),
    "request_changes": lambda: _("%(authority)s asked for changes to %(title)s"),
    "reject": lambda: _("%(authority)s rejected %(title)s"),
    "revoke": lambda: _("%(authority)s revoked the authorization of %(title)s"),
}
_PASSIVE = {
    "submit": lambda: _("%(title)s was submitted for review"),
    "resubmit": lambda: _("%(title)s was resubmitted for review"),
    "withdraw": lambda: _("%(title)s was withdrawn"),
    "issue_loa": lambda: _("The Letter of Authorization for %(title)s was issued"),
    "approve_ca": lambda: _("The corresponding adjustment for %(title)s was approved"),
    "request_changes": lambda: _("Changes were requested to %(title)s"),
    "reject": lambda: _("%(title)s was rejected"),
    "revoke": lambda: _("The authorization of %(title)s was revoked"),
}


def application_url(application) -> str:
    """The application's own page, absolute, for e-mails (the inbox links the same page)."""
    return settings.SITE_URL.rstrip("/") + reverse("application", kwargs={"reference": application.reference})


def transition_subject(application, name: str, *, authority=None) -> str:
    """e.g. "Sabah Forestry Department issued the Letter of Authorization for Upper Kinabatangan forest conservation"."""
    with translation.override(settings.LANGUAGE_CODE):
        if authority is not None and name in _BY_AUTHORITY:
            text = _BY_AUTHORITY[name]() % {"authority": authority.name, "title": application.title}
        elif name in _PASSIVE:
            text = _PASSIVE[name]() % {"title": application.title}
        else:
            text = _("%(title)s is now %(state)s") % {"title": application.title, "state": application.get_state_display()}
    return text[:200]


def reminder_subject(application, stage) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return (_("Decision due %(due)s: %(duty)s for %(title)s") % {
            "due": f"{stage.due_at_local:%d %b %Y %H:%M}", "duty": stage.get_duty_display(), "title": application.title})[:200]


def escalation_subject(application, stage, level: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        if level == 1:
            text = _("Overdue, called to supervisors: %(duty)s for %(title)s")
        else:
            text = _("Overdue, called to the next tier up: %(duty)s for %(title)s")
        return (text % {"duty": stage.get_duty_display(), "title": application.title})[:200]
