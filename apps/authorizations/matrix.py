"""The permission matrix: which role, at which tier, may fire which transition — derived from the table.

Each row of `workflow.APPLICATION` names its permission predicate; GRANTS says, for each predicate,
who it lets through. `allowed()` is what the matrix test checks against the API for every role ×
tier × transition × own/other jurisdiction, and `rows()` is what `manage.py permission_matrix`
prints and the README shows. A rule with a predicate missing from GRANTS fails the test.
"""
from __future__ import annotations

from dataclasses import dataclass

from apps.governance.models import MECHANISM_DUTIES, Duty, Role

from .workflow import APPLICATION, PARTY_STAGE_DUTY, STAGE_DUTY, State

PROPONENT = "proponent"
ADMINISTRATOR = "administrator"
OPEN_STAGE = "open stage"
AUTHORIZING = "LoA issuer or CA holder"
OFFICER_ROLES = (Role.REVIEWER, Role.APPROVER, Role.SUPERVISOR)
HOST_TIERS = (Duty.LOA_ISSUANCE, Duty.CA_APPROVAL)  # the tier holding each duty for the application's jurisdiction
# The acquiring Party's tier holding `acquiring_authorization` (a Party the application names).
TIERS = (*HOST_TIERS, Duty.ACQUIRING_AUTHORIZATION)
TIER_LABEL = {Duty.LOA_ISSUANCE: "LoA tier", Duty.CA_APPROVAL: "CA tier", Duty.ACQUIRING_AUTHORIZATION: "acquiring Party"}
OPEN_STAGE_DUTY = {**STAGE_DUTY, **PARTY_STAGE_DUTY}
# The tier column a duty's holder sits in, for the matrix's Sabah application: Malaysia's federal tier, which holds
# the corresponding adjustment, also holds the Article 6.4 approvals (another Party's data may split them).
TIER_OF = {**{duty: duty for duty in TIERS}, **{duty: Duty.CA_APPROVAL for duty in MECHANISM_DUTIES}}
HOST_APPROVAL = "host approval stage"
# States in which the LoA has been issued and the CA stage exists (or existed).
AFTER_LOA = {State.CA_REVIEW, State.AUTHORIZED, State.AMENDMENT_LOA_REVIEW, State.AMENDMENT_CA_REVIEW}


@dataclass(frozen=True)
class Grant:
    roles: tuple
    stage: str | None  # None: the proponent's own; a Duty; OPEN_STAGE; or AUTHORIZING


GRANTS = {
    "is_proponent": Grant((PROPONENT,), None),
    "reviews_current_stage": Grant((Role.REVIEWER, Role.APPROVER), OPEN_STAGE),
    "approves_current_stage": Grant((Role.APPROVER,), OPEN_STAGE),
    "approves_loa_stage": Grant((Role.APPROVER,), Duty.LOA_ISSUANCE),
    "approves_ca_stage": Grant((Role.APPROVER,), Duty.CA_APPROVAL),
    "approves_for_an_authorizing_duty": Grant((Role.APPROVER,), AUTHORIZING),
    "approves_acquiring_stage": Grant((Role.APPROVER,), Duty.ACQUIRING_AUTHORIZATION),
    "approves_host_approval_stage": Grant((Role.APPROVER,), HOST_APPROVAL),
}


def grant_for(transition: str) -> Grant:
    return GRANTS[APPLICATION[transition].permission.name]


def sources(transition: str) -> list[str]:
    """The states the transition leaves, in the states' order."""
    return sorted(APPLICATION[transition].source, key=list(State.values).index)


def allowed(*, transition: str, state: str, role: str, tier: str | None = None, own: bool = True) -> bool:
    """May a `role` holder at the authority of `tier` (own or another jurisdiction) fire `transition` from `state`?

    Administrators (staff, superusers) have no row: they configure, and decide only through a membership.
    Escalation is outside the matrix: after the grace period, where the duty assignment allows it,
    approvers of the next tier up act as the stage holder.
    """
    grant = grant_for(transition)
    if role == ADMINISTRATOR or role not in grant.roles or not own:
        return False
    if grant.stage is None:
        return role == PROPONENT
    if grant.stage == OPEN_STAGE:
        return state in STAGE_DUTY and TIER_OF[STAGE_DUTY[state]] == tier
    if grant.stage == HOST_APPROVAL:
        return STAGE_DUTY.get(state) in MECHANISM_DUTIES and TIER_OF[STAGE_DUTY[state]] == tier
    if grant.stage == AUTHORIZING:
        return state in AFTER_LOA and tier in HOST_TIERS
    return OPEN_STAGE_DUTY.get(state) == grant.stage == tier


def columns() -> list[tuple[str, str | None]]:
    return [(PROPONENT, None)] + [(role, tier) for tier in TIERS for role in OFFICER_ROLES] + [(ADMINISTRATOR, None)]


def column_label(role: str, tier: str | None) -> str:
    return f"{role} ({TIER_LABEL[tier]})" if tier else role


def rows() -> list[tuple[str, str, list[bool]]]:
    """(transition, from state, [allowed for each column]) for own-jurisdiction holders; other jurisdictions: never."""
    table = []
    for transition in APPLICATION.names:
        for state in sources(transition):
            table.append((transition, state, [allowed(transition=transition, state=state, role=role, tier=tier)
                                              for role, tier in columns()]))
    return table


def as_markdown() -> str:
    header = ["transition", "from"] + [column_label(role, tier) for role, tier in columns()]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for transition, state, cells in rows():
        lines.append("| " + " | ".join([transition, state] + ["✓" if c else "—" for c in cells]) + " |")
    lines.append("")
    lines.append("Anyone in another jurisdiction, at any tier: — everywhere (and the application is not even visible). "
                 "After escalation, where the duty assignment says the next tier up may act, that tier's approvers act as the stage holder. "
                 "The Article 6.4 approvals (`mechanism_approval`, `cdm_transition_approval`) sit, as in Malaysia's configuration, "
                 "with the CA tier.")
    return "\n".join(lines)
