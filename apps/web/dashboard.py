"""Reads for the federal dashboard and the Party configuration page, with server-side SVG bar charts."""
from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import pgettext

from apps.authorizations.models import STAGE_DUTY, Application, LetterOfAuthorization, LetterStatus, Stage, State
from apps.permissions import seats_of
from apps.governance.models import Authority, Duty, DutyAssignment, Jurisdiction, Membership, Party, Requirement

BAR_HEIGHT = 22


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    y: int
    width: float  # percent of the chart's bar area


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]
    height: int
    unit: str = ""


def chart(title: str, items: list[tuple[str, float]], unit: str = "") -> Chart:
    top = max((value for _, value in items), default=0) or 1
    bars = [Bar(label, value, i * BAR_HEIGHT, round(60 * value / top, 2)) for i, (label, value) in enumerate(items)]
    return Chart(title=title, bars=bars, height=max(1, len(bars)) * BAR_HEIGHT, unit=unit)


def _median_days_by_duty(party_code: str) -> dict[str, float]:
    """Median days from opening to closing per duty, over the Party's closed stages."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s.duty, percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM s.closed_at - s.opened_at)) / 86400 "
                "FROM authorizations_stage s JOIN authorizations_application a ON a.id = s.application_id "
                "WHERE a.host_party_id = %s AND s.closed_at IS NOT NULL GROUP BY s.duty ORDER BY s.duty",
                [party_code],
            )
            return {duty: round(float(days), 1) for duty, days in cursor.fetchall()}
    durations: dict[str, list[float]] = {}
    for duty, opened, closed in Stage.objects.filter(application__host_party_id=party_code, closed_at__isnull=False).values_list(
        "duty", "opened_at", "closed_at"
    ):
        durations.setdefault(duty, []).append((closed - opened).total_seconds() / 86400)
    return {duty: round(median(values), 1) for duty, values in durations.items()}


def party_dashboard(party: Party) -> dict:
    now = timezone.now()
    applications = Application.objects.filter(host_party=party)
    states = dict(State.choices)
    by_state_rows = applications.values("jurisdiction_id", "state").annotate(n=Count("id")).order_by("jurisdiction_id", "state")
    names = dict(Jurisdiction.objects.filter(party=party).values_list("code", "name"))
    table: dict[str, dict[str, int]] = {}
    for row in by_state_rows:
        table.setdefault(row["jurisdiction_id"], {})[row["state"]] = row["n"]
    by_jurisdiction = [
        {"code": code, "name": names.get(code, ""), "cells": [counts.get(s, 0) for s in states], "total": sum(counts.values())}
        for code, counts in table.items()
    ]
    open_stages = Stage.objects.filter(application__host_party=party, closed_at__isnull=True)
    by_duty = dict(open_stages.values_list("duty").annotate(n=Count("id")).values_list("duty", "n"))
    overdue = list(
        open_stages.filter(due_at__lte=now).values("authority__name").annotate(n=Count("id")).order_by("-n", "authority__name")
    )
    medians = _median_days_by_duty(party.pk)
    requested = applications.filter(loa__isnull=False).aggregate(total=Sum("requested_quantity"))["total"] or 0
    authorized = LetterOfAuthorization.objects.filter(application__host_party=party, status=LetterStatus.IN_FORCE).aggregate(
        total=Sum("authorized_quantity"))["total"] or 0
    duties = dict(Duty.choices)
    return {
        "party": party,
        "states": list(states.values()),
        "by_jurisdiction": by_jurisdiction,
        "charts": [
            chart("applications_by_jurisdiction", [(f"{r['code']}", r["total"]) for r in by_jurisdiction]),
            chart("open_stages_by_duty", [(str(duties.get(d, d)), n) for d, n in sorted(by_duty.items())]),
            chart("overdue_by_authority", [(r["authority__name"], r["n"]) for r in overdue]),
            chart("median_days_by_duty", [(str(duties.get(d, d)), v) for d, v in medians.items()], unit=pgettext("days, abbreviated", "d")),
            chart("authorized_against_requested", [(pgettext("dashboard chart bar", "requested"), requested),
                                                    (pgettext("dashboard chart bar", "authorized"), authorized)], unit="tCO2e"),
        ],
        "by_duty": [(duties.get(d, d), n) for d, n in sorted(by_duty.items())],
        "overdue": overdue,
        "medians": [(duties.get(d, d), v) for d, v in medians.items()],
        "requested": requested,
        "authorized": authorized,
    }


def dashboards_for(user) -> list[dict]:
    """One dashboard per Party where the user sits at the top tier."""
    codes = sorted({seat.jurisdiction_path.split("/")[0] for seat in seats_of(user) if seat.jurisdiction_path.count("/") == 1})
    parties = Party.objects.filter(jurisdictions__code__in=codes).distinct()
    return [party_dashboard(party) for party in parties]


def configuration_of(party: Party) -> dict:
    """The Party's tiers, jurisdictions, duty holders with their staff, SLAs, requirements and the workflow."""
    tiers = list(party.tiers.order_by("order"))
    jurisdictions = list(Jurisdiction.objects.filter(party=party).select_related("tier", "parent").order_by("path"))
    authorities = list(Authority.objects.filter(jurisdiction__party=party).select_related("jurisdiction__tier"))
    members: dict[int, list[Membership]] = {}
    for membership in Membership.objects.filter(authority__jurisdiction__party=party).select_related("user").order_by("role", "user__username"):
        members.setdefault(membership.authority_id, []).append(membership)
    assignments = list(DutyAssignment.objects.filter(party=party).select_related("tier"))
    by_tier = {a.duty: a.tier for a in assignments}
    workflow = [
        {"state": label, "tier": by_tier.get(STAGE_DUTY.get(value)) if value in STAGE_DUTY else None}
        for value, label in State.choices
        if value in (State.DRAFT, State.LOA_REVIEW, State.CA_REVIEW, State.AUTHORIZED)
    ]
    return {
        "party": party,
        "tiers": tiers,
        "jurisdictions": jurisdictions,
        "authorities": [{"authority": a, "members": members.get(a.pk, [])} for a in sorted(authorities, key=lambda a: a.jurisdiction.path)],
        "assignments": assignments,
        "requirements": list(Requirement.objects.filter(party=party)),
        "workflow": [dict(step, x=10 + i * 190) for i, step in enumerate(workflow)],
    }
