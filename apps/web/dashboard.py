"""Reads for the federal dashboard and the Party configuration page, with server-side SVG bar charts."""
from __future__ import annotations

from dataclasses import dataclass
from statistics import median
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext

from apps.authorizations.models import STAGE_DUTY, Application, LetterOfAuthorization, LetterStatus, Stage, State
from apps.permissions import seats_of
from apps.governance.models import Authority, Duty, DutyAssignment, Jurisdiction, Membership, Party, Requirement

from .application_list import in_period

# Each bar is a row of the SVG: its label above, the bar, and its value at the bar's end (readable without hover).
ROW_HEIGHT = 38
CHART_WIDTH = 320
BAR_AREA = 230  # the longest bar; the rest of the width is for its value


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    y: int  # top of the bar
    width: float  # in the chart's 320-unit width
    label_y: int = 0
    value_x: float = 0
    value_y: int = 0
    href: str = ""  # the list of the cases behind the number, where there is one


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]
    height: int
    unit: str = ""
    width: int = CHART_WIDTH


def chart(title: str, items: list[tuple], unit: str = "") -> Chart:
    """`items` are (label, value) or (label, value, href)."""
    top = max((item[1] for item in items), default=0) or 1
    bars = []
    for i, item in enumerate(items):
        label, value, href = (*item, "")[:3]
        width = round(BAR_AREA * value / top, 2)
        y = i * ROW_HEIGHT
        bars.append(Bar(label=label, value=value, y=y + 16, width=max(width, 1), label_y=y + 12,
                        value_x=round(max(width, 1) + 5, 2), value_y=y + 28, href=href))
    return Chart(title=title, bars=bars, height=max(1, len(bars)) * ROW_HEIGHT, unit=unit)


def _list_url(**filters) -> str:
    return reverse("applications") + "?" + urlencode({key: str(value) for key, value in filters.items() if value})


def _median_days_by_duty(party_code: str, period: dict | None = None) -> dict[str, float]:
    """Median days from opening to closing per duty, over the Party's closed stages (of applications made in the period)."""
    period = period or {}
    since, until = period.get("created_from"), period.get("created_to")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s.duty, percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM s.closed_at - s.opened_at)) / 86400 "
                "FROM authorizations_stage s JOIN authorizations_application a ON a.id = s.application_id "
                "WHERE a.host_party_id = %s AND s.closed_at IS NOT NULL "
                "AND (%s::date IS NULL OR (a.created_at AT TIME ZONE 'UTC')::date >= %s::date) "
                "AND (%s::date IS NULL OR (a.created_at AT TIME ZONE 'UTC')::date <= %s::date) GROUP BY s.duty ORDER BY s.duty",
                [party_code, since, since, until, until],
            )
            return {duty: round(float(days), 1) for duty, days in cursor.fetchall()}
    durations: dict[str, list[float]] = {}
    stages = in_period(Stage.objects.filter(application__host_party_id=party_code, closed_at__isnull=False), period,
                       field="application__created_at")
    for duty, opened, closed in stages.values_list(
        "duty", "opened_at", "closed_at"
    ):
        durations.setdefault(duty, []).append((closed - opened).total_seconds() / 86400)
    return {duty: round(median(values), 1) for duty, values in durations.items()}


def party_dashboard(party: Party, period: dict | None = None) -> dict:
    """The Party's numbers; `period` (created_from, created_to) keeps only applications made in it."""
    period = {key: value for key, value in (period or {}).items() if key in ("created_from", "created_to") and value}
    now = timezone.now()
    applications = in_period(Application.objects.filter(host_party=party), period)
    states = dict(State.choices)
    by_state_rows = applications.values("jurisdiction_id", "state").annotate(n=Count("id")).order_by("jurisdiction_id", "state")
    names = dict(Jurisdiction.objects.filter(party=party).values_list("code", "name"))
    table: dict[str, dict[str, int]] = {}
    for row in by_state_rows:
        table.setdefault(row["jurisdiction_id"], {})[row["state"]] = row["n"]
    # Drafts are the proponent's working copies, which officers' lists do not show: only the other cells link.
    by_jurisdiction = [
        {"code": code, "name": names.get(code, ""), "total": sum(counts.values()),
         "href": _list_url(jurisdiction=code, **period),
         "cells": [{"n": counts.get(s, 0), "href": _list_url(jurisdiction=code, state=s, **period) if s != State.DRAFT and counts.get(s) else ""}
                   for s in states]}
        for code, counts in table.items()
    ]
    open_stages = in_period(Stage.objects.filter(application__host_party=party, closed_at__isnull=True), period,
                            field="application__created_at")
    by_duty = dict(open_stages.values_list("duty").annotate(n=Count("id")).values_list("duty", "n"))
    overdue = list(
        open_stages.filter(due_at__lte=now).values("authority__name").annotate(n=Count("id")).order_by("-n", "authority__name")
    )
    medians = _median_days_by_duty(party.pk, period)
    requested = applications.filter(loa__isnull=False).aggregate(total=Sum("requested_quantity"))["total"] or 0
    authorized = in_period(LetterOfAuthorization.objects.filter(application__host_party=party, status=LetterStatus.IN_FORCE), period,
                           field="application__created_at").aggregate(
        total=Sum("authorized_quantity"))["total"] or 0
    duties = dict(Duty.choices)
    return {
        "party": party,
        "states": list(states.values()),
        "state_codes": list(states),
        "by_jurisdiction": by_jurisdiction,
        "charts": [
            chart("applications_by_jurisdiction", [(f"{r['code']} {r['name']}", r["total"], r["href"]) for r in by_jurisdiction]),
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


def dashboards_for(user, period: dict | None = None) -> list[dict]:
    """One dashboard per Party where the user sits at the top tier."""
    codes = sorted({seat.jurisdiction_path.split("/")[0] for seat in seats_of(user) if seat.jurisdiction_path.count("/") == 1})
    parties = Party.objects.filter(jurisdictions__code__in=codes).distinct()
    return [party_dashboard(party, period) for party in parties]


def dashboard_csv_rows(dashboards: list[dict]):
    """Applications by Party, jurisdiction and state (the dashboard's first table), a line at a time."""
    import csv

    class Line:
        def write(self, value):
            return value

    writer = csv.writer(Line())
    yield "\ufeff" + writer.writerow(["party", "jurisdiction", "name", "state", "applications"])
    for d in dashboards:
        for row in d["by_jurisdiction"]:
            for code, cell in zip(d["state_codes"], row["cells"]):
                yield writer.writerow([d["party"].code, row["code"], row["name"], code, cell["n"]])


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
        if value in (State.DRAFT, State.PARTICIPATION_REVIEW, State.LOA_REVIEW, State.CA_REVIEW, State.AUTHORIZED)
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
