"""A Party's requirements (configured as data) checked before a transition, with their messages."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from apps.governance.models import AgreementKind, BilateralAgreement, Party, Requirement
from apps.translations.services import translated

if TYPE_CHECKING:
    from .models import Application

NDC_PURPOSES = {"NDC", "NDC and OIMP"}
# A resubmission must still meet everything asked before the first submission.
CHECKED_BEFORE = {"submit": ["submit"], "resubmit": ["submit", "resubmit"]}
ALWAYS_ASKED = ("programme", "programme_registry_id")


def unmet_requirements(application: Application, transition: str) -> dict[str, list[str]]:
    """Messages for every requirement the application does not meet, by field: the host Party's own, and those
    of each acquiring Party it names.

    The result is kept on the instance until its state changes, so that the
    service's check and django-fsm's condition cost one evaluation.
    """
    cache_key = (transition, application.state)
    cached = getattr(application, "_unmet_requirements", None)
    if cached and cached[0] == cache_key:
        return cached[1]
    unmet: dict[str, list[str]] = {}
    # One query: the host's requirements and, by sub-select, those of the acquiring Parties the application names.
    acquirers = type(application).acquiring_parties.through.objects.filter(application_id=application.pk).values("party_id")
    requirements = Requirement.objects.filter(
        Q(side=Requirement.Side.HOST, party_id=application.host_party_id)
        | Q(side=Requirement.Side.ACQUIRING, party_id__in=acquirers),
        transition__in=CHECKED_BEFORE[transition],
    )
    for requirement in requirements:
        if requirement.applies_to == Requirement.Applies.FOREIGN and not _is_foreign(application):
            continue
        for field, message in _unmet(requirement, application):
            unmet.setdefault(field, []).append(message)
    application._unmet_requirements = (cache_key, unmet)
    return unmet


def _unmet(requirement: Requirement, application: Application) -> list[tuple[str, str]]:
    """(field, message) for what this one requirement finds missing; empty when it is met."""
    message = translated(requirement, "message")
    kind = requirement.kind
    if kind in Requirement.FIELD_KINDS:
        value = str(getattr(application, requirement.field, "") or "").strip()
        if kind == Requirement.Kind.FIELD_REQUIRED and not value:
            return [(requirement.field, message)]
        # A pattern checks what is filled in; whether it must be filled in is a field_required requirement's say.
        if kind == Requirement.Kind.FIELD_PATTERN and value and not re.fullmatch(requirement.pattern, value):
            return [(requirement.field, message)]
    elif kind == Requirement.Kind.PROGRAMME_IN:
        if application.programme not in requirement.programmes:
            return [("programme", message)]
    elif kind == Requirement.Kind.PROGRAMME_EXCLUDED:
        if application.programme in requirement.programmes:
            return [("programme", message)]
    elif kind == Requirement.Kind.BILATERAL_AGREEMENT:
        missing = parties_without_agreement(application)
        if missing:
            return [("acquiring_parties", f"{message} " + _("No agreement in force with: %(parties)s.") % {"parties": ", ".join(missing)})]
    elif kind == Requirement.Kind.AGREEMENT_KIND:
        # The host's rule asks it of every acquiring Party; an acquiring Party's rule of its own agreement only.
        acquirers = None if requirement.side == Requirement.Side.HOST else [requirement.party_id]
        missing = parties_without_agreement(application, kind=requirement.agreement_kind, among=acquirers)
        if missing:
            return [("acquiring_parties", f"{message} " + _("No %(kind)s in force with: %(parties)s.") % {
                "kind": AgreementKind(requirement.agreement_kind).label.lower(), "parties": ", ".join(missing)})]
    return []


def parties_without_agreement(application: Application, *, kind: str = "", among: list[str] | None = None) -> list[str]:
    """Acquiring Parties that would use the ITMOs towards their NDC without an agreement (of `kind`, if given)
    in force with the host; `among` narrows the Parties looked at."""
    if application.purposes not in NDC_PURPOSES:
        return []
    # One query: the acquiring Parties minus those with an agreement in force with the host.
    covered = BilateralAgreement.objects.in_force().filter(host_party_id=application.host_party_id)
    if kind:
        covered = covered.filter(kind=kind)
    parties = Party.objects.filter(acquiring_applications=application)
    if among is not None:
        parties = parties.filter(code__in=among)
    return list(
        parties.exclude(code__in=covered.values("acquiring_party_id"))
        .order_by("code").values_list("code", flat=True).distinct()
    )


def _is_foreign(application: Application) -> bool:
    return application.organisation.country != application.host_party_id


def submit_requirements_met(application: Application) -> bool:
    return not unmet_requirements(application, "submit")


def resubmit_requirements_met(application: Application) -> bool:
    return not unmet_requirements(application, "resubmit")


def fields_asked(party_id: str, organisation) -> list[str]:
    """The Party-specific fields a form should show to this organisation: those the host's requirements name
    (the programme fields every form shows)."""
    asked = []
    for field, applies_to in Requirement.objects.filter(
        party_id=party_id, side=Requirement.Side.HOST, kind=Requirement.Kind.FIELD_REQUIRED
    ).exclude(field__in=ALWAYS_ASKED).values_list("field", "applies_to"):
        if applies_to == Requirement.Applies.FOREIGN and organisation is not None and organisation.country == party_id:
            continue
        if field not in asked:
            asked.append(field)
    return asked
