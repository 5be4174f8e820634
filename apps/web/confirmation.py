"""Check and confirm before a decision that cannot be taken back: what will happen, in words, then the action."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from apps.authorizations.services import validate_loa_terms
from apps.authorizations.workflow import APPLICATION, STAGE_DUTY
from apps.governance.models import Duty
from apps.governance.selectors import DutyNotHeld, resolve_duty_holder_for
from apps.permissions import loa_of, open_stage_of

# The decisions that ask "are you sure?" first (their rows name a heading): each fixes something nobody can undo.
CONFIRMED_TRANSITIONS = {t.name for t in APPLICATION if t.confirm_heading}


@dataclass
class Review:
    heading: str
    consequences: list[str]
    rows: list[tuple[str, str]] = field(default_factory=list)


def _holder_name(application, duty: str) -> str:
    return resolve_duty_holder_for(application.jurisdiction_id, duty).authority.name


def review_of(application, name: str, cleaned: dict) -> Review:
    """The summary page's text; raises DutyNotHeld (a ValidationError) when the next stage would have no holder."""
    stage = open_stage_of(application)
    acting = stage.authority.name if stage is not None else ""
    party = application.host_party.name
    comment = (cleaned.get("comment") or "").strip()
    rows = [(_("Application"), f"{application.reference} — {application.title}")]
    if name in ("submit", "resubmit"):
        # Where the row will end: an Article 6.4 activity goes to the host's approval first, once.
        duty = STAGE_DUTY[APPLICATION[name].target_of(application)]
        holder = _holder_name(application, duty)
        first = (_("The application goes to %(authority)s for review of the Letter of Authorization.") if duty == Duty.LOA_ISSUANCE
                 else _("The application goes to %(authority)s, which approves activities under the Article 6.4 mechanism "
                        "before their units are authorized."))
        consequences = [
            first % {"authority": holder},
            _("You cannot edit it while it is under review; the reviewers may return it to you for changes."),
        ]
        rows.append((_("Requested"), _("%(quantity)s tCO2e, vintages %(first)s–%(last)s") % {
            "quantity": f"{application.requested_quantity:,}", "first": application.vintage_from, "last": application.vintage_to}))
    elif name == "withdraw":
        consequences = [
            _("The application is withdrawn and no authority will decide on it."),
            _("This cannot be undone: to go on later you start a new application."),
        ]
    elif name == "issue_loa":
        # The service's own rule for the terms, so the check page never shows a letter that would be refused.
        quantity, first, last = validate_loa_terms(application, cleaned.get("authorized_quantity"),
                                                   cleaned.get("vintage_from"), cleaned.get("vintage_to"))
        next_holder = _holder_name(application, Duty.CA_APPROVAL)
        consequences = [
            _("%(authority)s issues a numbered Letter of Authorization for %(quantity)s tCO2e, vintages %(first)s–%(last)s.") % {
                "authority": acting or party, "quantity": f"{quantity:,}", "first": first, "last": last},
            _("A letter cannot be changed once issued: a later version may supersede it, or it may be revoked, and its check "
              "page then says so."),
            _("The application then goes to %(authority)s to approve the corresponding adjustment.") % {"authority": next_holder},
        ]
        rows.append((_("Authorized quantity"), f"{quantity:,} tCO2e"))
        rows.append((_("Vintages"), f"{first}–{last}"))
    elif name == "approve_ca":
        letter = loa_of(application)
        quantity = letter.authorized_quantity if letter else application.requested_quantity
        consequences = [
            _("%(party)s commits to apply corresponding adjustments for %(quantity)s tCO2e authorized in this application.") % {
                "party": party, "quantity": f"{quantity:,}"},
            _("The application becomes Authorized; this approval cannot be withdrawn, only the authorization revoked."),
        ]
    elif name == "approve_participation":
        consequences = [
            _("%(authority)s approves the activity for the Article 6.4 mechanism; the approval is given once.") % {
                "authority": acting or party},
            _("The application then goes to %(authority)s to authorize its A6.4ERs with a Letter of Authorization.") % {
                "authority": _holder_name(application, Duty.LOA_ISSUANCE)},
        ]
    elif name == "approve_without_authorization":
        consequences = [
            _("%(authority)s approves the activity without authorizing its units: they are mitigation contribution A6.4ERs, "
              "with no corresponding adjustment, and are never first-transferred.") % {"authority": acting or party},
            _("This cannot be undone: no later decision on this application authorizes these units."),
        ]
    elif name == "revoke":
        letter = loa_of(application)
        consequences = [
            _("The authorization is revoked: anyone checking letter %(number)s will be told it is revoked.") % {
                "number": letter.number if letter else "—"},
            _("This cannot be undone."),
        ]
    else:
        consequences = []
    rows.append((_("Comment"), comment or _("None")))
    return Review(heading=str(APPLICATION[name].confirm_heading or ""), consequences=consequences, rows=rows)


__all__ = ["CONFIRMED_TRANSITIONS", "DutyNotHeld", "Review", "review_of"]
