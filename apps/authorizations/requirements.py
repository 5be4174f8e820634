"""A Party's requirements (configured as data) checked before a transition, with their messages."""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from apps.governance.models import BilateralAgreement, Party, Requirement
from apps.translations.services import translated

if TYPE_CHECKING:
    from .models import Application

NDC_PURPOSES = {"NDC", "NDC and OIMP"}
# A resubmission must still meet everything asked before the first submission.
CHECKED_BEFORE = {"submit": ["submit"], "resubmit": ["submit", "resubmit"]}


def unmet_requirements(application: Application, transition: str) -> dict[str, list[str]]:
    """Messages for every requirement of the host Party that the application does not meet, by field.

    The result is kept on the instance until its state changes, so that the
    service's check and django-fsm's condition cost one evaluation.
    """
    cache_key = (transition, application.state)
    cached = getattr(application, "_unmet_requirements", None)
    if cached and cached[0] == cache_key:
        return cached[1]
    unmet: dict[str, list[str]] = {}
    requirements = Requirement.objects.filter(party_id=application.host_party_id, transition__in=CHECKED_BEFORE[transition])
    for requirement in requirements:
        if requirement.kind == Requirement.Kind.FIELD_REQUIRED:
            if requirement.applies_to == Requirement.Applies.FOREIGN and not _is_foreign(application):
                continue
            if not str(getattr(application, requirement.field, "") or "").strip():
                unmet.setdefault(requirement.field, []).append(translated(requirement, "message"))
        elif requirement.kind == Requirement.Kind.BILATERAL_AGREEMENT:
            missing = parties_without_agreement(application)
            if missing:
                unmet.setdefault("acquiring_parties", []).append(
                    f"{translated(requirement, "message")} " + _("No agreement in force with: %(parties)s.") % {"parties": ", ".join(missing)}
                )
    application._unmet_requirements = (cache_key, unmet)
    return unmet


def parties_without_agreement(application: Application) -> list[str]:
    """Acquiring Parties that would use the ITMOs towards their NDC without an agreement with the host."""
    if application.purposes not in NDC_PURPOSES:
        return []
    # One query: the acquiring Parties minus those with an agreement in force with the host.
    covered = BilateralAgreement.objects.in_force().filter(host_party_id=application.host_party_id)
    return list(
        Party.objects.filter(acquiring_applications=application)
        .exclude(code__in=covered.values("acquiring_party_id"))
        .order_by("code").values_list("code", flat=True).distinct()
    )


def _is_foreign(application: Application) -> bool:
    return application.organisation.country != application.host_party_id


def submit_requirements_met(application: Application) -> bool:
    return not unmet_requirements(application, "submit")


def resubmit_requirements_met(application: Application) -> bool:
    return not unmet_requirements(application, "resubmit")


def fields_asked(party_id: str, organisation) -> list[str]:
    """The Party-specific fields a form should show to this organisation: those the Party's requirements name."""
    asked = []
    for field, applies_to in Requirement.objects.filter(
        party_id=party_id, kind=Requirement.Kind.FIELD_REQUIRED
    ).values_list("field", "applies_to"):
        if applies_to == Requirement.Applies.FOREIGN and organisation is not None and organisation.country == party_id:
            continue
        if field not in asked:
            asked.append(field)
    return asked
