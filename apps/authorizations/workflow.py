"""The application's states and its transition table: every fact about a transition, in one row.

The model's django-fsm methods come from this table (`APPLICATION.fsm_methods`), the services
register one body per row, and the web panel, the API, webhooks, the timeline and the permission
matrix read the rows. Rows are in the decision panel's order: the step forward first.
"""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps import permissions
from apps.governance.models import MECHANISM_DUTIES, Duty
from apps.workflow.table import Parameter, Transition, Workflow

from . import acquiring, requirements


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PARTICIPATION_REVIEW = "participation_review", _("Article 6.4 approval review")
    CDM_TRANSITION_REVIEW = "cdm_transition_review", _("CDM transition review")
    LOA_REVIEW = "loa_review", _("LoA review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    CA_REVIEW = "ca_review", _("CA review")
    ACQUIRER_REVIEW = "acquirer_review", _("Acquiring Party review")
    AUTHORIZED = "authorized", _("Authorized")
    # Approved for the mechanism without authorization: its units are mitigation contribution A6.4ERs.
    APPROVED_FOR_MECHANISM = "approved_for_mechanism", _("Approved for the mechanism (units not authorized)")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REVOKED = "revoked", _("Revoked")
    AMENDMENT_LOA_REVIEW = "amendment_loa_review", _("Amendment: LoA review")
    AMENDMENT_CA_REVIEW = "amendment_ca_review", _("Amendment: CA review")


class LetterStatus(models.TextChoices):
    """Where a letter version stands in the whole decision, both tiers included."""

    PENDING_CORRESPONDING_ADJUSTMENT = "pending_corresponding_adjustment", _("Issued; corresponding adjustment pending")
    IN_FORCE = "in_force", _("In force")
    LAPSED = "lapsed", _("Lapsed")
    SUPERSEDED = "superseded", _("Superseded")
    REVOKED = "revoked", _("Revoked")


# Stage duty per state that has one: the state's work is the duty holder's.
STAGE_DUTY = {State.PARTICIPATION_REVIEW: Duty.MECHANISM_APPROVAL, State.CDM_TRANSITION_REVIEW: Duty.CDM_TRANSITION_APPROVAL,
              State.LOA_REVIEW: Duty.LOA_ISSUANCE, State.CA_REVIEW: Duty.CA_APPROVAL,
              State.AMENDMENT_LOA_REVIEW: Duty.LOA_ISSUANCE, State.AMENDMENT_CA_REVIEW: Duty.CA_APPROVAL}
# The host's review of an Article 6.4 activity before its letter: its approval, or a CDM activity's transition.
HOST_APPROVAL_STATES = (State.PARTICIPATION_REVIEW, State.CDM_TRANSITION_REVIEW)
IN_REVIEW = (*HOST_APPROVAL_STATES, State.LOA_REVIEW, State.CA_REVIEW)
EDITABLE_STATES = {State.DRAFT, State.CHANGES_REQUESTED}
# The current letter stays in force while an amendment runs through the tiers (the ledger keeps working).
AUTHORIZED_STATES = {State.AUTHORIZED, State.AMENDMENT_LOA_REVIEW, State.AMENDMENT_CA_REVIEW}
AMENDMENT_STATES = (State.AMENDMENT_LOA_REVIEW, State.AMENDMENT_CA_REVIEW)
# One stage per acquiring Party that must authorize, side by side, each held by that Party's authority.
PARTY_STAGE_DUTY = {State.ACQUIRER_REVIEW: Duty.ACQUIRING_AUTHORIZATION}


def _after_submission(application) -> str:
    """An Article 6.4 activity goes to the host's approval first (a CDM activity's to its transition), once: after
    the host has approved, a resubmission goes to the letter as any other."""
    if application.article_6_4 and application.host_approved_at is None:
        return State.CDM_TRANSITION_REVIEW if application.cdm_reference else State.PARTICIPATION_REVIEW
    return State.LOA_REVIEW


def _after_ca_approval(application) -> str:
    """The host's approval ends the process unless the cooperative approach asks the acquiring Parties to authorize."""
    return State.ACQUIRER_REVIEW if acquiring.parties_to_authorize(application) else State.AUTHORIZED


def _after_acquisition_authorized(application) -> str:
    """Authorized once no acquiring Party's stage is still open (the caller's own was closed before the state moves)."""
    return State.ACQUIRER_REVIEW if acquiring.open_party_stages(application).exists() else State.AUTHORIZED


def _requested_vintages(application) -> tuple[int, int]:
    return application.vintage_from, application.vintage_to


def _within_requested(application) -> str:
    return _("Within the requested %(a)s–%(b)s.") % {"a": application.vintage_from, "b": application.vintage_to}


def _amended_vintages(application) -> tuple[int, int]:
    amendment = application.open_amendment
    return (amendment.vintage_from, amendment.vintage_to) if amendment else (application.vintage_from, application.vintage_to)


AMENDMENT_REQUEST = (
    Parameter("requested_quantity", _("Quantity after the amendment (tCO2e)"), min_value=1, max_value=10**12,
              initial=lambda a: a.loa.authorized_quantity if a.loa else a.requested_quantity),
    Parameter("vintage_from", _("First vintage"), min_value=2021, max_value=2100,
              initial=lambda a: a.loa.vintage_from if a.loa else a.vintage_from),
    Parameter("vintage_to", _("Last vintage"), min_value=2021, max_value=2100,
              initial=lambda a: a.loa.vintage_to if a.loa else a.vintage_to),
)
AMENDMENT_TERMS = (
    Parameter("authorized_quantity", _("Authorized quantity (tCO2e)"), min_value=1, max_value=10**12, required=True,
              initial=lambda a: a.open_amendment.requested_quantity if a.open_amendment else None),
    Parameter("vintage_from", _("First vintage"), min_value=2021, max_value=2100, bounds=_amended_vintages,
              initial=lambda a: a.open_amendment.vintage_from if a.open_amendment else None),
    Parameter("vintage_to", _("Last vintage"), min_value=2021, max_value=2100, bounds=_amended_vintages,
              initial=lambda a: a.open_amendment.vintage_to if a.open_amendment else None),
)

LOA_TERMS = (
    Parameter("authorized_quantity", _("Authorized quantity (tCO2e)"), min_value=1, max_value=10**12, required=True,
              initial=lambda a: a.requested_quantity, bounds=lambda a: (1, a.requested_quantity),
              help_text=lambda a: _("At most the %(requested)s tCO2e requested.") % {"requested": f"{a.requested_quantity:,}"}),
    # Left empty, the vintages are the requested ones (the service's default).
    Parameter("vintage_from", _("First vintage"), min_value=2021, max_value=2100,
              initial=lambda a: a.vintage_from, bounds=_requested_vintages, help_text=_within_requested),
    Parameter("vintage_to", _("Last vintage"), min_value=2021, max_value=2100,
              initial=lambda a: a.vintage_to, bounds=_requested_vintages, help_text=_within_requested),
)

APPLICATION = Workflow(
    "application",
    (
        Transition("submit", (State.DRAFT,), State.LOA_REVIEW, permissions.is_proponent,
                   _("Submit"), _("Submitted"),
                   "The proponent sends the draft to the LoA issuer (an Article 6.4 activity first to the host's approval).",
                   other_targets=HOST_APPROVAL_STATES, target_of=_after_submission,
                   conditions=(requirements.submit_requirements_met,), comment_label=_("Note for the reviewers"),
                   confirm_heading=_("Check before you submit the application")),
        Transition("resubmit", (State.CHANGES_REQUESTED,), State.LOA_REVIEW, permissions.is_proponent,
                   _("Resubmit"), _("Resubmitted"),
                   "The proponent sends the revised application back (to the host's approval while it has not been given).",
                   other_targets=HOST_APPROVAL_STATES, target_of=_after_submission,
                   conditions=(requirements.resubmit_requirements_met,), comment_label=_("What you changed"),
                   confirm_heading=_("Check before you resubmit the application")),
        Transition("approve_participation", HOST_APPROVAL_STATES, State.LOA_REVIEW, permissions.approves_host_approval_stage,
                   _("Approve the activity and go on to authorize its units"), _("Activity approved; its units go on to authorization"),
                   "The host approves the Article 6.4 activity (or the CDM activity's transition) and goes on to authorize its "
                   "A6.4ERs: the LoA issuer takes over.",
                   second_factor=True, decides=MECHANISM_DUTIES,
                   notice=_("%(authority)s approved %(title)s for the Article 6.4 mechanism"),
                   comment_label=_("Note on approving the activity"),
                   confirm_heading=_("Check before you approve the activity")),
        Transition("approve_without_authorization", HOST_APPROVAL_STATES, State.APPROVED_FOR_MECHANISM,
                   permissions.approves_host_approval_stage,
                   _("Approve the activity without authorizing its units"), _("Activity approved; units not authorized"),
                   "The host approves the Article 6.4 activity (or the CDM activity's transition) without authorizing its "
                   "A6.4ERs: they are mitigation contribution units, never first-transferred, with no corresponding adjustment.",
                   second_factor=True, decides=MECHANISM_DUTIES,
                   notice=_("%(authority)s approved %(title)s for the Article 6.4 mechanism without authorizing its units"),
                   comment_label=_("Note on approving without authorization"),
                   confirm_heading=_("Check before you approve the activity without authorizing its units")),
        Transition("issue_loa", (State.LOA_REVIEW,), State.CA_REVIEW, permissions.approves_loa_stage,
                   _("Issue the Letter of Authorization"), _("Letter of Authorization issued"),
                   "The LoA issuer issues the next letter version (superseding any earlier); the CA approver takes over.",
                   second_factor=True, parameters=LOA_TERMS, decides=Duty.LOA_ISSUANCE,
                   notice=_("%(authority)s issued the Letter of Authorization for %(title)s"),
                   comment_label=_("Note on issuing the letter"),
                   confirm_heading=_("Check before you issue the Letter of Authorization")),
        Transition("approve_ca", (State.CA_REVIEW,), State.AUTHORIZED, permissions.approves_ca_stage,
                   _("Approve the corresponding adjustment"), _("Corresponding adjustment approved"),
                   "The CA approver commits the Party to the corresponding adjustment: the letter comes into force.",
                   second_factor=True, decides=Duty.CA_APPROVAL, facts={"letter": LetterStatus.IN_FORCE},
                   other_targets=(State.ACQUIRER_REVIEW,), target_of=_after_ca_approval,
                   notice=_("%(authority)s approved the corresponding adjustment for %(title)s"),
                   comment_label=_("Note on approving the corresponding adjustment"),
                   confirm_heading=_("Check before you approve the corresponding adjustment")),
        Transition("authorize_acquisition", (State.ACQUIRER_REVIEW,), State.AUTHORIZED, permissions.approves_acquiring_stage,
                   _("Authorize the acquisition"), _("Acquisition authorized"),
                   "The acquiring Party's authority authorizes its acquisition; once every acquiring Party has, the application is authorized.",
                   second_factor=True, decides=Duty.ACQUIRING_AUTHORIZATION,
                   other_targets=(State.ACQUIRER_REVIEW,), target_of=_after_acquisition_authorized,
                   notice=_("%(authority)s authorized the acquisition for %(title)s"),
                   comment_label=_("Note on authorizing the acquisition"),
                   confirm_heading=_("Check before you authorize the acquisition")),
        Transition("refuse_acquisition", (State.ACQUIRER_REVIEW,), State.REJECTED, permissions.approves_acquiring_stage,
                   _("Refuse the acquisition"), _("Acquisition refused"),
                   "The acquiring Party's authority refuses; the application is rejected and the letter lapses.",
                   comment_required=True, comment_label=_("Reason for refusing the acquisition"), second_factor=True,
                   missing_comment=_("Enter the reason for refusing the acquisition"), decides=Duty.ACQUIRING_AUTHORIZATION,
                   facts={"letter": LetterStatus.LAPSED}, notice=_("%(authority)s refused the acquisition for %(title)s"),
                   confirm_heading=_("Check before you refuse the acquisition")),
        Transition("request_changes", IN_REVIEW, State.CHANGES_REQUESTED,
                   permissions.reviews_current_stage, _("Request changes"), _("Changes requested"),
                   "The duty holder returns the application to the proponent.",
                   comment_required=True, comment_label=_("What the proponent must change"), second_factor=True,
                   missing_comment=_("Enter what the proponent must change"),
                   notice=_("%(authority)s asked for changes to %(title)s")),
        Transition("reject", IN_REVIEW, State.REJECTED, permissions.approves_current_stage,
                   _("Reject"), _("Rejected"), "The duty holder refuses the application; a letter already issued lapses.",
                   comment_required=True, comment_label=_("Reason for rejecting"), second_factor=True,
                   missing_comment=_("Enter the reason for rejecting"),
                   facts={"letter": LetterStatus.LAPSED}, notice=_("%(authority)s rejected %(title)s")),
        Transition("withdraw", (State.DRAFT, *HOST_APPROVAL_STATES, State.LOA_REVIEW, State.CHANGES_REQUESTED), State.WITHDRAWN,
                   permissions.is_proponent, _("Withdraw"), _("Withdrawn"),
                   "The proponent withdraws the application; a letter already issued lapses.",
                   facts={"letter": LetterStatus.LAPSED}, comment_label=_("Reason for withdrawing"),
                   confirm_heading=_("Check before you withdraw the application")),
        Transition("request_amendment", (State.AUTHORIZED,), State.AMENDMENT_LOA_REVIEW, permissions.is_proponent,
                   _("Request an amendment"), _("Amendment requested"),
                   "The proponent asks to change the authorization (quantity, vintages); the current letter stays in force.",
                   comment_required=True, comment_label=_("What changes and why"),
                   missing_comment=_("Say what the amendment changes and why"), parameters=AMENDMENT_REQUEST),
        Transition("endorse_amendment", (State.AMENDMENT_LOA_REVIEW,), State.AMENDMENT_CA_REVIEW, permissions.approves_loa_stage,
                   _("Endorse the amendment"), _("Amendment endorsed"),
                   "The LoA issuer agrees the amended terms; the CA approver takes over.",
                   second_factor=True, parameters=AMENDMENT_TERMS, decides=Duty.LOA_ISSUANCE,
                   notice=_("%(authority)s endorsed the amendment of %(title)s"),
                   comment_label=_("Note on endorsing the amendment")),
        Transition("approve_amendment", (State.AMENDMENT_CA_REVIEW,), State.AUTHORIZED, permissions.approves_ca_stage,
                   _("Approve the amendment"), _("Amendment approved"),
                   "The CA approver approves the amended terms: the next letter version comes into force.",
                   second_factor=True, decides=Duty.CA_APPROVAL,
                   notice=_("%(authority)s approved the amendment of %(title)s"),
                   comment_label=_("Note on approving the amendment"),
                   confirm_heading=_("Check before you approve the amendment")),
        Transition("refuse_amendment", AMENDMENT_STATES, State.AUTHORIZED, permissions.approves_current_stage,
                   _("Refuse the amendment"), _("Amendment refused"),
                   "The duty holder refuses the amendment; the current letter stays in force.",
                   comment_required=True, comment_label=_("Reason for refusing the amendment"), second_factor=True,
                   missing_comment=_("Enter the reason for refusing the amendment"),
                   notice=_("%(authority)s refused the amendment of %(title)s")),
        Transition("revoke", (State.CA_REVIEW, State.AUTHORIZED, *AMENDMENT_STATES), State.REVOKED,
                   permissions.approves_for_an_authorizing_duty,
                   _("Revoke the authorization"), _("Authorization revoked"),
                   "The LoA issuer or CA approver withdraws the authorization; the letter is revoked.",
                   comment_required=True, comment_label=_("Reason for revoking"), second_factor=True,
                   missing_comment=_("Enter the reason for revoking"), confirm_heading=_("Check before you revoke the authorization"),
                   facts={"letter": LetterStatus.REVOKED}, notice=_("%(authority)s revoked the authorization of %(title)s")),
    ),
    unavailable=_("'%(transition)s' is not available while the application is %(state)s."),
    refused=_("You may not %(transition)s this application."),
    lost_race=_("Another decision on this application was recorded first; reload to see its new state."),
)
