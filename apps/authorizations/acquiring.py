"""The acquiring Party's side of an application: which Parties must authorize, and their open stages.

Where the application's cooperative approach requires it, each acquiring Party's authority holding
`acquiring_authorization` authorizes the acquisition after the host's corresponding adjustment approval.
"""
from __future__ import annotations

from django.db.models import QuerySet

from apps.governance.models import Duty


def parties_to_authorize(application) -> list:
    """The application's acquiring Parties whose authorization its cooperative approach requires (none without one)."""
    approach = application.approach
    if approach is None or not approach.acquirer_authorization_required:
        return []
    return list(application.acquiring_parties.order_by("code"))


def open_party_stages(application) -> QuerySet:
    from .models import Stage  # the models import the workflow table, which imports this module

    return Stage.objects.filter(application=application, duty=Duty.ACQUIRING_AUTHORIZATION, closed_at__isnull=True)


def approach_for(*, host_party, acquiring_parties, purposes: str, named: str = ""):
    """The cooperative approach an application runs under: the one named, or the only one that fits.

    An application naming no acquiring Party needs none; where none fits, the application goes on without one
    (as before approaches were data); where several fit and none is named, the client must choose (400).
    """
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from apps.governance.models import CooperativeApproach, CooperativeApproachStatus

    codes = {party.pk for party in acquiring_parties}
    candidates = CooperativeApproach.objects.filter(host_party=host_party).exclude(status=CooperativeApproachStatus.ENDED)
    if named:
        approach = candidates.filter(code=named).first()
        if approach is None or not _fits(approach, codes, purposes):
            raise ValidationError({"cooperative_approach": _("%(code)s is not a cooperative approach of %(party)s covering these "
                                                             "acquiring Parties and purposes.") % {"code": named, "party": host_party.code}})
        return approach
    if not codes:
        return None
    fitting = [approach for approach in candidates.prefetch_related("acquiring_parties") if _fits(approach, codes, purposes)]
    if len(fitting) > 1:
        raise ValidationError({"cooperative_approach": _("Several cooperative approaches fit (%(codes)s): name one.") % {
            "codes": ", ".join(approach.code for approach in fitting)}})
    return fitting[0] if fitting else None


def _fits(approach, codes: set[str], purposes: str) -> bool:
    covered = {party.pk for party in approach.acquiring_parties.all()}
    return bool(codes) and codes <= covered and (not approach.purposes or approach.purposes == purposes)
